"""The watchdog flags a feed Amazon has not finished after 8 hours; while it is stuck,
further listings feeds of that account wait instead of piling up behind it."""

from __future__ import annotations

import pytest

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.service import create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def state(shop, job_id):
    with shop.rt.db.read() as session:
        return get_job(session, job_id), [line.message for line in job_log(session, job_id)]


def test_a_stuck_feed_holds_back_the_next_ones(shop_factory):
    shop = shop_factory(
        SimulatorConfig.focused(feed_processing_s=10 * 3600),  # Amazon takes ten hours
        auto_sync=False,
        orders_import_every_s=0,
        inventory_report_every_s=0,
    )
    (first,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(0),))
    ).jobs
    worker = Worker(shop.rt)
    while state(shop, first.id)[0].status != JobStatus.WAITING_FOR_RESULT:
        worker.run_once()
    shop.clock.advance(8.5 * 3600)
    report = Scheduler(shop.rt, "test").tick()
    assert report.stuck == [first.id]
    job, log = state(shop, first.id)
    assert job.stuck_at is not None and any("after 8 hours" in line for line in log)

    (second,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),))
    ).jobs
    for _ in range(3):
        worker.run_once()
    job, log = state(shop, second.id)
    assert job.status == JobStatus.CREATED
    assert any(f"feed of job {first.id} is stuck" in line for line in log)
    assert shop.sim.stats()["feeds_created"] == 1

    shop.run_worker()  # Amazon finishes the first feed; the second goes out after it
    assert state(shop, first.id)[0].status == JobStatus.DONE
    assert state(shop, second.id)[0].status == JobStatus.DONE
    assert shop.sim.stats()["feeds_created"] == 2
