"""Liveness: a due job is claimed soon, whatever its priority and whoever held it.

Issue 11: jobs that snooze for a moment and come back (here: waiting for
another job's createFeed intent) kept the top of the priority order to
themselves, so the low-priority job they waited for, due and with its dead
worker's lease long expired, was never claimed; nor was a job waiting for
its feed's result, until the stuck-feed watchdog flagged it hours later.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.jobs import claim_due_jobs, create_job, get_job, job_log
from amazon_jobs.store.models import Job
from amazon_jobs.worker import Claimed, Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)

LEASE = timedelta(seconds=60)


def test_a_starved_job_is_claimed_before_fresher_higher_priority_ones(shop):
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        ids = [
            create_job(session, account_id=shop.account_id, job_type=JobType.UPDATE_QTY,
                       now=now).id
            for _ in range(6)
        ]  # fmt: skip
        low, old_high, *fresh = ids
        session.execute(update(Job).values(next_run_at=now - timedelta(seconds=1), priority=90))
        session.execute(  # due for ten minutes, held by a worker that died
            update(Job)
            .where(Job.id == low)
            .values(
                next_run_at=now - timedelta(minutes=10),
                priority=0,
                lease_owner="dead",
                lease_expires_at=now - timedelta(minutes=9),
            )
        )
        session.execute(
            update(Job).where(Job.id == old_high).values(next_run_at=now - timedelta(minutes=5))
        )
    with shop.rt.db.transaction() as session:
        first = claim_due_jobs(session, "w1", now, now + LEASE, 3, starved_after=LEASE)
    # the two starved jobs, longest-waiting first, then by priority
    assert list(first) == [low, old_high, fresh[0]]
    with shop.rt.db.read() as session:
        log = [line.message for line in job_log(session, low)]
    assert any("Taken over by worker w1" in line and "540.0 s ago" in line for line in log)
    with shop.rt.db.transaction() as session:
        second = claim_due_jobs(session, "w2", now, now + LEASE, 5, starved_after=LEASE)
    assert list(second) == fresh[1:]  # claimed ones are not claimed again


class TickingWorker(Worker):
    """A worker whose claims take clock time, as they do on a busy machine: without
    it a virtual clock stands still while jobs snooze, and nothing can starve."""

    def _claim(self, slots: int) -> dict[int, Claimed]:
        claimed = super()._claim(slots)
        self.rt.clock.advance(1.5)  # type: ignore[attr-defined]
        return claimed


def test_a_job_holding_an_intent_is_not_starved_by_the_jobs_waiting_for_it(shop):
    """The crashed job's createFeed intent holds back every other feed of the account:
    they come back every 2 s with a higher priority; it must still be claimed."""
    skus = [sku(n) for n in range(10) if n != 3]
    for n, s in enumerate(skus):
        shop.set_quantity(s, 50 + n)
    crashed, *others = (
        create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(s,)))
        .jobs[0]
        .id
        for s in skus
    )
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        session.execute(  # died between its intent and createFeed, long ago
            update(Job)
            .where(Job.id == crashed)
            .values(
                status=JobStatus.PROCESSING.value,
                data={},
                intent_op="createFeed",
                intent_at=now - timedelta(minutes=10),
                next_run_at=now - timedelta(minutes=10),
                lease_owner="dead-worker",
                lease_expires_at=now - timedelta(minutes=9),
                priority=0,
            )
        )
        session.execute(update(Job).where(Job.id.in_(others)).values(priority=60))
    worker = TickingWorker(shop.rt, concurrency=2)
    for _ in range(40):
        worker.run_once()
        with shop.rt.db.read() as session:
            if get_job(session, crashed).status == JobStatus.WAITING_FOR_RESULT:
                break
    with shop.rt.db.read() as session:
        job = get_job(session, crashed)
        log = [line.message for line in job_log(session, crashed)]
    assert job.status == JobStatus.WAITING_FOR_RESULT, log
    assert any("Taken over by worker" in line for line in log)
    shop.run_worker()
    with shop.rt.db.read() as session:
        statuses = set(session.scalars(select(Job.status)))
    assert statuses == {JobStatus.DONE.value}
    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == len(skus) and not stats["throttled"]
