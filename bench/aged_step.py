"""A job's steps on an aged installation: do they cost more with the jobs an account keeps?

    python -m bench.aged_step [--kept 0,10000] [--jobs 100] [--db sqlite,postgres]
                              [--baseline REV]

``bench.engine``'s set-up (20 accounts, an Amazon that answers at once, no quota), then
*kept* finished jobs for each account, as retention keeps them (30 days by default):
listings feeds with what a finished feed holds (its feed id, when it was submitted and
finished), Orders Imports and Inventory Reports in turn, each with one item and two log
lines, and as many shipped orders of two lines on its SKUs, over the last year. Then
*--jobs* one-item Update Products QTY jobs run to their end, one worker
stepping them in this process's main thread (``Worker.run_once``, as
``bench.profile_engine`` does). The table gives per step the database's work, counted
rather than timed (:class:`DatabaseWork`), the worker's CPU (its thread's own: the
simulator answers from threads of its own) and the wall time, which on PostgreSQL
includes the server's work.

With ``--baseline REV``, each measurement is made with the code of *REV* too ("before",
in a child process importing it; see :mod:`bench.baseline`) and the working tree's
("after"). A step should cost the same whatever the installation keeps: "work: kept ÷
none" is its database work against the same code's with nothing kept.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

import amazon_jobs
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import create_app
from amazon_jobs.store.models import Job, JobItem, JobLog, Listing
from amazon_jobs.worker import Worker
from bench.baseline import CURRENT_SRC, baseline_tree, check_origin, code_env, commit_of
from bench.common import HISTORY_BATCH, keep_shipped_orders, pg_schema, print_table, save
from bench.engine import ACCOUNTS, installation, seed
from bench.profile_engine import create

#: What an account keeps, in turn: two listings feeds for each import and report.
KEPT_TYPES = (
    JobType.UPDATE_QTY,
    JobType.ORDERS_IMPORT,
    JobType.UPDATE_PRICE,
    JobType.INVENTORY_REPORT,
)
#: Each bench.engine account's SKUs: E{n}-0 to E{n}-199.
SKUS = 200
#: SQLite's progress handler is called every this many instructions.
VM_STEP = 1_000


def age(rt: Runtime, accounts: Sequence[int], kept: int) -> None:
    """*kept* finished jobs for each account, over the last 30 days, each with one item
    (on one of the account's listings) and two log lines; and *kept* shipped orders."""
    now = rt.clock.now()
    with rt.db.read() as session:
        listings = {
            account_id: list(
                session.scalars(select(Listing.id).where(Listing.account_id == account_id))
            )
            for account_id in accounts
        }
    for n, account_id in enumerate(accounts):
        for start in range(0, kept, HISTORY_BATCH):
            count = min(HISTORY_BATCH, kept - start)
            jobs = [_finished(account_id, start + i, kept, now) for i in range(count)]
            with rt.db.transaction() as session:
                ids = session.scalars(insert(Job).returning(Job.id), jobs).all()
                own = listings[account_id]
                session.execute(
                    insert(JobItem),
                    [
                        {"job_id": job_id, "listing_id": own[k % len(own)], "ref": f"kept-{k}",
                         "prior": {}, "requested": {"quantity": 1}, "outcome": "ok",
                         "verification": "confirmed"}
                        for k, job_id in enumerate(ids)
                    ],
                )  # fmt: skip
                session.execute(
                    insert(JobLog),
                    [
                        {"job_id": job_id, "at": job["finished_at"], "level": "info",
                         "message": message, "request_id": None}
                        for job_id, job in zip(ids, jobs, strict=True)
                        for message in ("Created → Processing", "Waiting for result → Done")
                    ],
                )  # fmt: skip
        skus = [f"E{n}-{k}" for k in range(SKUS)]  # bench.engine's
        keep_shipped_orders(rt, account_id, kept, skus, str(n))
    if rt.db.dialect == "postgresql":
        # What autovacuum does in a while; else it does it during the measurement, and
        # the buffers it reads would count as the steps' work.
        autocommit = rt.db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as connection:
            connection.exec_driver_sql(
                "VACUUM ANALYZE jobs, job_items, job_log, orders, order_items"
            )


def _finished(account_id: int, k: int, kept: int, now: Any) -> dict[str, Any]:
    at = now - timedelta(days=30) * (1 - k / kept)
    job_type = KEPT_TYPES[k % len(KEPT_TYPES)]
    feed = job_type in (JobType.UPDATE_QTY, JobType.UPDATE_PRICE)
    return {
        "account_id": account_id, "type": job_type.value, "status": JobStatus.DONE.value,
        "priority": 0, "created_at": at - timedelta(minutes=3),
        "updated_at": at, "finished_at": at, "attempts": 0, "items_total": 1,
        "items_ok": 1, "amazon_ref": f"5{k:010d}" if feed else None,
        "submitted_at": at - timedelta(minutes=2) if feed else None,
        "data": {"channel": "feed", "phase": "submitted"} if feed else {},
    }  # fmt: skip


def part(db: str, kept: int, jobs: int) -> dict[str, Any]:
    """One measurement, with the code this process imports."""
    with tempfile.TemporaryDirectory() as home, _database(db, home) as url:
        rt, sim, _env = installation(url, home)
        with serve_in_thread(create_app(sim)) as server:
            accounts = seed(rt, sim, server.url)
            age(rt, accounts, kept)
            create(rt, accounts, jobs, 1, offset=0)
            work = DatabaseWork(rt)
            worker = Worker(rt, concurrency=1)
            steps = 0
            cpu, wall = time.thread_time(), time.perf_counter()
            while True:
                done = worker.run_once()
                steps += done
                if done:
                    continue
                if not left(rt):  # asked only when idle: it is the bench's, not the step's
                    break
                time.sleep(0.001)  # a feed waits poll_first_s for Amazon
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            done_work = work.done()
        rt.close()
    return {
        "steps": steps,
        "cpu_ms": 1000 * cpu / steps,
        "wall_ms": 1000 * wall / steps,
        "work": done_work / steps,
    }


class DatabaseWork:
    """How much the database did, counted rather than timed (this machine's speed moves
    by a third from run to run; these counts do not): on SQLite, thousands of virtual
    machine instructions run (a progress handler on each connection); on PostgreSQL, the
    buffers of the schema's tables and indexes read (``pg_statio_user_tables``, whose
    counts a backend hands over as it ends: the pool is emptied first)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.instructions = 0
        rt.db.engine.dispose()
        if rt.db.dialect == "sqlite":
            event.listen(rt.db.engine, "connect", self._count)
        else:
            time.sleep(1.0)  # the pool's backends (the set-up's VACUUM) hand over first
            self.start = self._buffers()

    def _count(self, dbapi_connection: Any, _record: Any) -> None:
        def step() -> int:
            self.instructions += 1
            return 0

        dbapi_connection.set_progress_handler(step, VM_STEP)

    def done(self) -> float:
        """Work since the start: thousands of instructions, or buffers."""
        self.rt.db.engine.dispose()
        if self.rt.db.dialect == "sqlite":
            return self.instructions * VM_STEP / 1000
        time.sleep(1.0)  # the backends of the pool's connections end and hand over
        return self._buffers() - self.start

    def _buffers(self) -> float:
        with self.rt.db.engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT sum(coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0)"
                " + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0))"
                " FROM pg_statio_user_tables WHERE schemaname = current_schema()"
            ).scalar()
        return float(found or 0)


def left(rt: Runtime) -> int:
    with rt.db.read() as session:
        return session.scalar(select(func.count()).where(Job.next_run_at.is_not(None))) or 0


@contextmanager
def _database(db: str, home: str) -> Iterator[str]:
    if db == "sqlite":
        yield f"sqlite:///{home}/aged.db"
    else:
        with pg_schema("aj_aged") as url:
            yield url


def child(src: Path, db: str, kept: int, jobs: int) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.aged_step", "--part", f"{db}:{kept}", "--jobs", str(jobs)]
    args += ["--expect-src", str(src)]
    out = subprocess.run(
        args, env=code_env(src), capture_output=True, text=True, check=True, timeout=3600
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kept", default="0,10000", help="finished jobs kept per account")
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--baseline", help="also measure the code of this git revision")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--expect-src", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        check_origin(amazon_jobs.__file__, Path(args.expect_src))
        db, kept = args.part.split(":")
        print(json.dumps(part(db, int(kept), args.jobs)))
        return
    versions = [("after", CURRENT_SRC)]
    if args.baseline:
        versions.insert(0, (commit_of(args.baseline), baseline_tree(args.baseline) / "src"))
    kept_sizes = [int(k) for k in args.kept.split(",")]
    rows: list[list[Any]] = []
    for db in args.db.split(","):
        for code, src in versions:
            first: float | None = None
            for kept in kept_sizes:
                got = child(src, db, kept, args.jobs)
                first = got["work"] if first is None else first
                rows.append([code, db, kept, kept * ACCOUNTS, got["steps"], got["work"],
                             got["cpu_ms"], got["wall_ms"], got["work"] / first])  # fmt: skip
                print(f"  {code} {db} kept {kept:,}: {got['work']:,.0f} work, "
                      f"{got['cpu_ms']:.2f} ms a step", flush=True)  # fmt: skip
    headers = ["code", "db", "kept per account", "kept in all", "steps",
               "database work/step", "worker CPU ms/step", "wall ms/step",
               "work: kept ÷ none"]  # fmt: skip
    title = (f"A step on an aged installation: {args.jobs} one-item Update QTY jobs over "
             f"{ACCOUNTS} accounts, one worker stepping in its thread; database work: "
             "thousands of SQLite instructions, or PostgreSQL buffers read")  # fmt: skip
    print_table(title, headers, rows)
    save("aged_step", title, headers, rows, jobs=args.jobs)


if __name__ == "__main__":
    main()
