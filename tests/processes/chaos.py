"""The liveness chaos scenario of issue 11, run many times in a row (not part of ``make test``).

Each run: 60 Update Products QTY jobs on 60 SKUs of one account; 3 ``amazon-jobs
worker`` processes with ``--concurrency 2`` and ``lease_s = 5``; the simulator
holds every answer back 0.5 s, so kills land inside calls; a random worker is
SIGKILLed and restarted every 2-6 s while jobs remain (at most 300 s), then
the fleet gets 180 s with no kills to go idle. A :class:`~tests.processes.
liveness.LivenessMonitor` watches the database all along.

A run passes when every job is Done, no listing is locked, nothing was sent
twice, there were no 429s and the monitor saw no due job left unclaimed for
longer than its bound. ::

    python -m tests.processes.chaos --runs 30                   # PostgreSQL, scaled clock
    python -m tests.processes.chaos --runs 5 --clock system     # the wall clock
    python -m tests.processes.chaos --runs 5 --database sqlite

PostgreSQL is the ``test`` database on 127.0.0.1:5432 (``AMAZON_JOBS_TEST_PG``).
"""

from __future__ import annotations

import argparse
import random
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select, update

from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store import migrate
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Job, JobLog, Listing, Product
from tests.conftest import PG_BASE
from tests.processes.harness import Fleet, fleet
from tests.processes.liveness import LivenessMonitor, LivenessReport

JOBS = 60
WORKERS = 3
LEASE_S = 5.0
#: Real seconds: answers take 0.5 s, so 5 s is ample, and it bounds how long an
#: intent whose call may still be in flight holds its account's feeds back.
HTTP_TIMEOUT_S = 5.0


@dataclass
class RunResult:
    run: int
    idle: bool
    seconds: float
    kills: int
    by_status: dict[str, int]
    locked: int
    feeds: int
    feed_jobs: int
    throttled: int
    liveness: LivenessReport

    @property
    def ok(self) -> bool:
        return (
            self.idle
            and set(self.by_status) == {"done"}
            and self.locked == 0
            and self.throttled == 0
            and self.feeds == self.feed_jobs
            and not self.liveness.violations
        )


def run_once(
    n: int, database_url: str, tmp: Path, clock: str, scale: float, rng: random.Random
) -> RunResult:
    config = SimulatorConfig.focused(feed_queue_s=30, feed_processing_s=60)
    settings = {
        "lease_s": LEASE_S,
        "http_timeout_s": HTTP_TIMEOUT_S,
        # only the QTY jobs and automatic sync: no import started after the fleet went idle
        "orders_import_every_s": 0,
        "inventory_report_every_s": 0,
    }
    with fleet(
        database_url, tmp, scale=scale if clock == "scaled" else 1.0, sim_config=config, **settings
    ) as crew:
        if clock == "system":
            crew.env["AMAZON_JOBS_CLOCK"] = "system"
        account_id = crew.add_account(1, products=JOBS)
        _create_jobs(crew, account_id)
        crew.sim.faults.delay_answers(0.5)
        monitor = LivenessMonitor(crew.rt)
        workers = [crew.worker(f"w{i}", "--concurrency", "2") for i in range(WORKERS)]
        started = time.monotonic()
        kills = 0
        with monitor.running():
            while time.monotonic() - started < 300 and not _idle(crew):
                time.sleep(rng.uniform(2, 6))
                victim = rng.choice(workers)
                victim.send_signal(signal.SIGKILL)
                victim.wait(10)
                kills += 1
                workers = [
                    *(w for w in workers if w is not victim),
                    crew.worker(f"k{kills}", "--concurrency", "2"),
                ]
            calm = time.monotonic()
            while time.monotonic() - calm < 180 and not _idle(crew):
                time.sleep(0.5)
        idle = _idle(crew)
        seconds = time.monotonic() - started
        crew.stop_all()
        stats = crew.sim.stats()
        with crew.rt.db.read() as session:
            by_status = dict(
                session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
            )
            refs = session.scalars(
                select(Job.amazon_ref).where(
                    Job.amazon_ref.is_not(None), Job.type.in_([t.value for t in FEED_JOB_TYPES])
                )
            ).all()
            locked = (
                session.scalar(
                    select(func.count())
                    .select_from(Listing)
                    .where(Listing.locked_by_job_id.is_not(None))
                )
                or 0
            )
            errors = session.execute(
                select(Job.id, Job.type, Job.error).where(Job.status == JobStatus.ERROR.value)
            ).all()
            for job_id, job_type, error in errors:
                lines = session.scalars(
                    select(JobLog.message).where(JobLog.job_id == job_id).order_by(JobLog.id)
                ).all()
                print(f"     job {job_id} ({job_type}) error: {error}", flush=True)
                for line in lines:
                    print(f"       | {line}", flush=True)
            if stats["throttled"]:
                print(f"     throttled: {stats['throttled']}", flush=True)
            if stats["feeds_created"] != len(refs):
                print(
                    f"     feeds at Amazon {sorted(f['feed_id'] for f in stats['feeds'])}; "
                    f"owned {sorted(refs)}",
                    flush=True,
                )
        return RunResult(
            n,
            idle,
            seconds,
            kills,
            by_status,
            locked,
            stats["feeds_created"],
            len(set(refs)) if len(set(refs)) == len(refs) else -1,
            sum(stats["throttled"].values()),
            monitor.report(crew.rt),
        )


def _create_jobs(crew: Fleet, account_id: int) -> None:
    with crew.rt.db.transaction() as session:
        session.execute(update(Product).where(Product.sku.like("P1-%")).values(quantity=42))
    for k in range(JOBS):
        create_listings_job(crew.rt, JobType.UPDATE_QTY, account_id, Selection(skus=(f"P1-{k}",)))


def _idle(crew: Fleet) -> bool:
    terminal = [s.value for s in JobStatus if s.is_terminal]
    with crew.rt.db.read() as session:
        left = session.scalar(
            select(func.count()).select_from(Job).where(Job.status.not_in(terminal))
        )
    return left == 0


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file or a new PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'chaos.db'}"
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        yield url
        return
    schema = f"aj_chaos_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--clock", choices=["scaled", "system"], default="scaled")
    parser.add_argument("--scale", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results: list[RunResult] = []
    print(
        "run  ok  idle  seconds  kills  feeds  429s  locked  takeovers  longest takeover s  "
        "longest due-unclaimed s  statuses"
    )
    for n in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp, database(args.database, Path(tmp)) as url:
            result = run_once(n, url, Path(tmp), args.clock, args.scale, rng)
        results.append(result)
        live = result.liveness
        print(
            f"{n:>3}  {'yes' if result.ok else 'NO':>3}  {'yes' if result.idle else 'no':>4}  "
            f"{result.seconds:7.1f}  {result.kills:5d}  {result.feeds:5d}  {result.throttled:4d}  "
            f"{result.locked:6d}  {live.takeovers:9d}  {live.longest_takeover_s:18.1f}  "
            f"{live.longest_unclaimed_s:23.1f}  {result.by_status}",
            flush=True,
        )
        for violation in live.violations[:5]:
            print(f"     violation: {violation}", flush=True)
    passed = sum(r.ok for r in results)
    longest = max((r.liveness.longest_takeover_s for r in results), default=0.0)
    print(
        f"\n{passed}/{len(results)} runs idle and correct; longest takeover delay "
        f"{longest:.1f} clock s ({longest / LEASE_S:.1f} leases)"
    )


if __name__ == "__main__":
    main()
