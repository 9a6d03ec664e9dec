"""How many steps and write transactions a one-item feed job takes: the step that finds
it reserved goes on to send the feed (issue 17: a step's fixed costs, the claim and the
job's load, are paid twice a job, not three times)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.worker import Worker
from tests.integration.conftest import Shop, sku

pytestmark = pytest.mark.timeout(120)

#: A warm worker's write transactions for a one-item feed job, with ``run_once`` (which
#: gives a lease up at once): two claims and two releases, and the steps' six: enter
#: processing with the feed built and createFeedDocument's token; record the upload and
#: take createFeed's; record Amazon's answer; take getFeed's; record the feed's end and
#: take getFeedDocument's; apply the report.
WRITES_PER_JOB = 2 + 2 + 6


def step_to_the_end(shop: Shop, worker: Worker, job_id: int) -> tuple[list[JobStatus], int]:
    """Step the job to its end (the clock moved on while Amazon processes the feed): the
    job's status after each of its steps, and how many claims found nothing due."""
    statuses: list[JobStatus] = []
    idle = 0
    while not statuses or statuses[-1] is not JobStatus.DONE:
        if worker.run_once():
            with shop.rt.db.read() as session:
                statuses.append(JobStatus(get_job(session, job_id).status))
        else:
            idle += 1
            shop.clock.advance(shop.rt.settings.poll_first_s)
    return statuses, idle


def moves(shop: Shop, job_id: int) -> list[str]:
    with shop.rt.db.read() as session:
        lines = [line.message for line in job_log(session, job_id)]
    return [line.split(":")[0] for line in lines if "→" in line]


@pytest.mark.parametrize("n", [1, 2])
def test_a_one_item_feed_job_is_sent_in_its_first_step_and_ends_in_its_second(
    shop_factory: Callable[..., Shop], n: int
) -> None:
    shop = shop_factory(SimulatorConfig.focused(feed_queue_s=0, feed_processing_s=0))
    worker = Worker(shop.rt)
    writes: list[str] = []

    def traced(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(
            lambda sql: writes.append(sql) if sql.startswith("BEGIN IMMEDIATE") else None
        )

    for k in range(n):  # the first job also logs in and learns Amazon's rates
        shop.set_quantity(sku(k), 40 + k)
        (job,) = create_listings_job(
            shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(k),))
        ).jobs
        if k == n - 1 and shop.rt.db.dialect == "sqlite":
            event.listen(shop.rt.db.engine, "connect", traced)
            shop.rt.db.engine.dispose()  # the next connections are traced
        statuses, idle = step_to_the_end(shop, worker, job.id)
        assert statuses == [JobStatus.WAITING_FOR_RESULT, JobStatus.DONE]
        assert moves(shop, job.id) == [
            "Reserved → Created",
            "Created → Processing",
            "Processing → Waiting for result",
            "Waiting for result → Done",
        ]
        assert shop.sim.listings()[sku(k)].quantity == 40 + k
    if shop.rt.db.dialect == "sqlite":
        event.remove(shop.rt.db.engine, "connect", traced)
        if n > 1:
            assert len(writes) == WRITES_PER_JOB + idle  # an empty claim is one too
