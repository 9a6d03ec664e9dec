"""The soak: chaos against a working fleet, then every invariant (see :mod:`soak`).

CI runs the small size; ``make soak`` the large one (``AMAZON_JOBS_SOAK=large``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.processes.soak import LARGE, SMALL, run_soak

SIZE = LARGE if os.environ.get("AMAZON_JOBS_SOAK") == "large" else SMALL

pytestmark = [pytest.mark.timeout(int(SIZE.duration_s + SIZE.drain_s + 180))]


@pytest.mark.postgres
def test_soak_with_killed_workers_and_a_database_restart(pg_url, tmp_path: Path):
    report = run_soak(pg_url, tmp_path, SIZE)
    print(report)
    assert report.kills >= 3 and report.restarts == 1
    assert report.changes > 0 and report.orders_placed > 0
    assert report.jobs_by_status.get("done", 0) > 0
    assert report.feeds_created > 0
