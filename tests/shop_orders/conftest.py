"""Fixtures: ``presta``, both simulators and a runtime on SQLite, then PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from amazon_jobs.clock import VirtualClock
from tests.conftest import make_runtime
from tests.shop_orders.harness import Presta, make_presta


@pytest.fixture
def presta(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Presta]:
    rt = make_runtime(db_url, clock, tmp_path)
    made = make_presta(rt, clock, unsynced=(1,))
    yield made
    made.close()
    rt.close()
