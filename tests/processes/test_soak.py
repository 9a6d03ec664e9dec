"""The soak: chaos against a working fleet, then every invariant (see :mod:`soak`).

Safety (nothing lost, nothing sent twice, Amazon = what we believe) and
liveness (:mod:`liveness`: no due job left unclaimed past its bound, and the
fleet settles within ``drain_s`` real seconds of the last kill), on
PostgreSQL (with a restart) and on SQLite with several processes, each on the
scaled clock and on the wall clock.

CI runs the small size; ``make soak`` the large one (``AMAZON_JOBS_SOAK=large``).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from amazon_jobs.store import migrate
from amazon_jobs.store.database import Database
from tests.processes.soak import LARGE, MIN_KILLS, SMALL, SoakSize, run_soak

SIZE = LARGE if os.environ.get("AMAZON_JOBS_SOAK") == "large" else SMALL
#: On the wall clock the small soak is shorter: the same kills, fewer rounds.
SYSTEM_SIZE = SIZE if SIZE is LARGE else replace(SIZE, duration_s=20)

pytestmark = [pytest.mark.long, pytest.mark.timeout(int(SIZE.duration_s + SIZE.drain_s + 180))]


def check(report, size: SoakSize) -> None:
    print(report)
    assert report.kills >= MIN_KILLS
    assert report.changes > 0 and report.orders_placed > 0
    assert report.jobs_by_status.get("done", 0) > 0
    assert report.feeds_created > 0
    live = report.liveness
    assert live is not None and live.samples > 0
    assert not live.violations, live.violations
    assert live.longest_takeover_s <= live.bound_s
    assert report.drain_s <= size.drain_s


def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'soak.db'}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    return url


@pytest.mark.postgres
@pytest.mark.pg_restart
def test_soak_with_killed_workers_and_a_database_restart(pg_url, tmp_path: Path):
    report = run_soak(pg_url, tmp_path, SIZE)
    check(report, SIZE)
    assert report.restarts == 1


@pytest.mark.postgres
@pytest.mark.pg_restart
def test_soak_on_postgres_on_the_wall_clock(pg_url, tmp_path: Path):
    report = run_soak(pg_url, tmp_path, SYSTEM_SIZE, system_clock=True)
    check(report, SYSTEM_SIZE)


def test_soak_on_sqlite_with_several_processes(tmp_path: Path):
    report = run_soak(sqlite_url(tmp_path), tmp_path, SIZE)
    check(report, SIZE)


def test_soak_on_sqlite_on_the_wall_clock(tmp_path: Path):
    report = run_soak(sqlite_url(tmp_path), tmp_path, SYSTEM_SIZE, system_clock=True)
    check(report, SYSTEM_SIZE)
