"""When quota is short, stops go first and new offers last; waiting raises a job's priority."""

from __future__ import annotations

import pytest

from amazon_jobs.domain.jobs import BASE_PRIORITY, JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def test_type_order_of_base_priorities():
    order = sorted(BASE_PRIORITY, key=BASE_PRIORITY.__getitem__, reverse=True)
    assert order.index(JobType.STOP) < order.index(JobType.UPDATE_QTY)
    assert order.index(JobType.UPDATE_QTY) < order.index(JobType.UPDATE_PRICE)
    assert order.index(JobType.UPDATE_PRICE) < order.index(JobType.SEND_PRODUCTS)


def sent_at(shop, job_id):
    with shop.rt.db.read() as session:
        return next(
            line.at for line in job_log(session, job_id) if line.message.startswith("createFeed ")
        )


def test_when_quota_is_short_the_stop_goes_out_before_the_price_update(shop_factory):
    # One createFeed a day: whoever gets the token first is the only one sent today.
    shop = shop_factory(limits={"createFeed": {"burst": 1, "rate": 1 / 86_400}})
    (blocker,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(0),))
    ).jobs
    worker = Worker(shop.rt)
    while True:  # spend the only token
        worker.run_once()
        with shop.rt.db.read() as session:
            if get_job(session, blocker.id).status != JobStatus.CREATED:
                break
    price = create_listings_job(
        shop.rt, JobType.UPDATE_PRICE, shop.account_id, Selection(skus=(sku(1),))
    ).jobs[0]
    stop = create_listings_job(
        shop.rt, JobType.STOP, shop.account_id, Selection(skus=(sku(2),))
    ).jobs[0]
    shop.run_worker()
    assert sent_at(shop, stop.id) < sent_at(shop, price.id)
    with shop.rt.db.read() as session:
        waited = get_job(session, price.id)
    assert waited.priority > BASE_PRIORITY[JobType.UPDATE_PRICE]  # aged while it waited
