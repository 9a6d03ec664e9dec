"""Issue 17: a worker gives up its leases in its next claim's transaction, and on
PostgreSQL an idle worker is woken by a notification when a job is created."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.engine import make_url

from amazon_jobs.clock import SystemClock, VirtualClock
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.jobs import claim_due_jobs, create_job
from amazon_jobs.store.models import Job
from amazon_jobs.store.wakeups import Wakeups, due_channel
from amazon_jobs.worker import Worker
from tests.conftest import make_runtime, migrated_schema, truncate
from tests.integration.conftest import Shop, make_shop, sku
from tests.processes.harness import wait_for

pytestmark = pytest.mark.timeout(120)

LEASE = timedelta(seconds=60)


def test_a_claim_releases_the_ended_steps_of_its_own_worker_only(shop):
    runtime, now = shop.rt, shop.clock.now()
    with runtime.db.transaction() as session:
        mine, theirs, due = (
            create_job(session, account_id=shop.account_id, job_type=JobType.UPDATE_QTY,
                       now=now).id
            for _ in range(3)
        )  # fmt: skip
        session.execute(
            update(Job)
            .where(Job.id.in_([mine, theirs]))
            .values(next_run_at=now + timedelta(hours=1), lease_expires_at=now + LEASE)
        )
        session.execute(update(Job).where(Job.id == mine).values(lease_owner="w1"))
        session.execute(update(Job).where(Job.id == theirs).values(lease_owner="w2"))
    with runtime.db.transaction() as session:  # w1 also names w2's job: it stays w2's
        claimed = claim_due_jobs(
            session, "w1", now, now + LEASE, 5, starved_after=LEASE, release=[mine, theirs]
        )
    assert list(claimed) == [due]
    with runtime.db.read() as session:
        owners = dict(session.execute(select(Job.id, Job.lease_owner)).all())
    assert owners == {mine: None, theirs: "w2", due: "w1"}


def test_a_worker_that_stops_holds_no_lease(shop):
    for n in range(3):
        create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection((sku(n),)))
    stats = Worker(shop.rt, concurrency=2).run(until_idle=True)
    with shop.rt.db.read() as session:
        jobs = session.execute(select(Job.status, Job.lease_owner)).all()
    assert stats.steps >= 9
    assert {status for status, _ in jobs} == {JobStatus.DONE.value}
    assert {owner for _, owner in jobs} == {None}


@pytest.fixture
def pg_shop(pg_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Shop]:
    truncate(pg_url)
    rt = make_runtime(pg_url, clock, tmp_path)
    shop, server = make_shop(rt, clock)
    yield shop
    server.stop()
    rt.close()


def test_creating_a_job_notifies_and_only_unheld_jobs_made_due_earlier_do(pg_url, pg_shop):
    runtime, account_id = pg_shop.rt, pg_shop.account_id
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        held, free = (
            create_job(session, account_id=account_id, job_type=JobType.UPDATE_QTY,
                       now=now + timedelta(hours=1)).id
            for _ in range(2)
        )  # fmt: skip
        session.execute(update(Job).where(Job.id == held).values(lease_owner="w1"))
    with _listening(pg_url) as listener:
        with runtime.db.transaction() as session:  # later, or held by a worker: silent
            session.execute(update(Job).values(next_run_at=now + timedelta(hours=2)))
            session.execute(update(Job).where(Job.id == held).values(next_run_at=now))
        with runtime.db.transaction() as session:  # a free job due earlier: its id
            session.execute(update(Job).where(Job.id == free).values(next_run_at=now))
        with runtime.db.transaction() as session:  # a new job: once per statement
            create_job(session, account_id=account_id, job_type=JobType.UPDATE_QTY, now=now)
        payloads = [n.payload for n in listener.notifies(timeout=30, stop_after=2)]
    assert payloads == [str(free), ""]


@pytest.fixture
def other_installation(pg_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Shop]:
    """A second installation in the same database: its own schema, migrated."""
    with migrated_schema("aj_other") as url:
        (tmp_path / "other").mkdir()
        rt = make_runtime(url, clock, tmp_path / "other")
        shop, server = make_shop(rt, clock)
        yield shop
        server.stop()
        rt.close()


def test_another_schemas_jobs_do_not_wake_this_schemas_workers(pg_url, pg_shop, other_installation):
    """A NOTIFY channel is the database's: each schema has its own (migration 0023)."""
    ours, theirs = pg_shop.rt, other_installation.rt
    now = ours.clock.now()
    with ours.db.transaction() as session:
        later = now + timedelta(hours=1)
        job_id = create_job(
            session, account_id=pg_shop.account_id, job_type=JobType.UPDATE_QTY, now=later
        ).id
    with _listening(pg_url) as listener, _listening(theirs.db.url) as their_listener:
        with theirs.db.transaction() as session:  # first: theirs, a new job ('')
            create_job(session, account_id=other_installation.account_id,
                       job_type=JobType.UPDATE_QTY, now=now)  # fmt: skip
        with ours.db.transaction() as session:  # then ours, made due earlier (its id)
            session.execute(update(Job).where(Job.id == job_id).values(next_run_at=now))
        their_payloads = [n.payload for n in their_listener.notifies(timeout=30, stop_after=1)]
        # Theirs was sent first: had it reached our channel, it would have come first.
        payloads = [n.payload for n in listener.notifies(timeout=30, stop_after=1)]
    assert their_payloads == [""]
    assert payloads == [str(job_id)]


def test_an_idle_worker_is_woken_by_a_new_job(pg_url, pg_shop, tmp_path: Path):
    """On the wall clock, with a look every hour: only the notification can wake the
    worker. The test waits for events, not for time."""
    live = make_runtime(pg_url, SystemClock(), tmp_path)  # type: ignore[arg-type]
    worker = Worker(live, concurrency=1, idle_poll_s=3600.0)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, kwargs={"stop": stop}, daemon=True)
    try:
        thread.start()
        wait_for(lambda: worker.stats.idle_waits > 0, 30, "the worker to be idle")
        (job,) = create_listings_job(
            live, JobType.UPDATE_QTY, pg_shop.account_id, Selection((sku(0),))
        ).jobs
        wait_for(lambda: worker.stats.wakeups > 0, 30, "the notification of the new job")
        wait_for(lambda: _status(live, job.id) != JobStatus.RESERVED, 30, "the first step")
    finally:
        stop.set()
        thread.join(30)
        live.close()
    assert not thread.is_alive()


def test_wakeups_answer_none_when_the_database_cannot_be_reached():
    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    try:
        assert Wakeups(engine).wait(0.01) is None
    finally:
        engine.dispose()


def _status(rt, job_id: int) -> JobStatus:
    with rt.db.read() as session:
        return JobStatus(session.scalar(select(Job.status).where(Job.id == job_id)))


class _listening:
    """A raw connection LISTENing on the channel (the test's own, not the worker's)."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql")

    def __enter__(self) -> psycopg.Connection:
        options = self.url.query.get("options")
        plain = self.url.set(query={})
        self.connection = psycopg.connect(
            plain.render_as_string(hide_password=False),
            autocommit=True,
            options=options if isinstance(options, str) else None,
        )
        self.connection.execute(f"LISTEN {due_channel(self.connection)}")
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()
