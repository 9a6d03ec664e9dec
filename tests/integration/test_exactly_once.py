"""A feed or report created at Amazon whose answer was lost is adopted, never sent again;
a waiting job is canceled with cancelFeed while Amazon still queues the feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import NotCancelable
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import cancel_job, create_inventory_job, create_listings_job
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.store.models import Job
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def job_state(shop, job_id):
    with shop.rt.db.read() as session:
        return get_job(session, job_id), [line.message for line in job_log(session, job_id)]


def test_create_feed_whose_answer_is_lost_is_adopted_not_resent(shop_factory):
    shop = shop_factory(http_timeout_s=0.3)
    shop.sim.faults.delay_answers(1.0, "createFeed", times=1)  # Amazon acts, the answer is late
    shop.set_quantity(sku(0), 321)
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(0),))
    ).jobs
    shop.run_worker()
    job, log = job_state(shop, job.id)
    assert job.status == JobStatus.DONE and job.items_ok == 1
    assert any("timed out" in line for line in log)
    assert any("did reach Amazon: adopting" in line for line in log)
    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == 1 and stats["feeds_created"] == 1
    assert shop.sim.listings()[sku(0)].quantity == 321


def test_create_feed_that_never_reached_amazon_is_sent_again(shop_factory):
    shop = shop_factory()
    shop.sim.faults.fail_next("createFeed", 503, times=1)  # refused before doing anything
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),))
    ).jobs
    shop.run_worker()
    job, log = job_state(shop, job.id)
    assert job.status == JobStatus.DONE
    assert any("did not reach Amazon: sending it now" in line for line in log)
    assert shop.sim.stats()["feeds_created"] == 1


def test_create_report_whose_answer_is_lost_is_adopted(shop_factory):
    shop = shop_factory(http_timeout_s=0.3)
    shop.sim.faults.delay_answers(1.0, "createReport", times=1)
    job = create_inventory_job(shop.rt, shop.account_id)
    shop.run_worker()
    job, log = job_state(shop, job.id)
    assert job.status == JobStatus.DONE, job.error
    assert any("adopting" in line for line in log)
    assert shop.sim.stats()["reports_created"] == 1


def test_cancel_while_amazon_still_queues_the_feed(shop_factory):
    shop = shop_factory()
    before = shop.listing_rows()
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(all=True)
    ).jobs
    worker = Worker(shop.rt)
    while job_state(shop, job.id)[0].status != JobStatus.WAITING_FOR_RESULT:
        worker.run_once()
    assert cancel_job(shop.rt, job.id) is False  # requested; Amazon decides
    worker.run_once()
    job, _log = job_state(shop, job.id)
    assert job.status == JobStatus.CANCELED and job.amazon_status == "CANCELLED"
    assert shop.listing_rows() == before
    assert shop.sim.stats()["feeds"][0]["status"] == "CANCELLED"


def test_cancel_is_refused_by_amazon_once_processing_started(shop_factory):
    shop = shop_factory()
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(2),))
    ).jobs
    worker = Worker(shop.rt)
    while job_state(shop, job.id)[0].status != JobStatus.WAITING_FOR_RESULT:
        worker.run_once()
    assert cancel_job(shop.rt, job.id) is False
    shop.clock.advance(45)  # Amazon starts processing (queue time is 30 s)
    shop.run_worker()
    job, log = job_state(shop, job.id)
    assert job.status == JobStatus.DONE
    assert any("Too late to cancel" in line for line in log)
    with pytest.raises(NotCancelable):
        cancel_job(shop.rt, job.id)


def _concurrent_takeover(shop, monkeypatch, point):
    """Worker A runs the job's step; at *point* its lease runs out (a late heartbeat on
    a busy machine) and worker B takes the job over and steps it, while A is alive
    and goes on with its own step afterwards."""
    shop.set_quantity(sku(0), 77)
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(0),))
    ).jobs
    first, second = Worker(shop.rt, worker_id="A"), Worker(shop.rt, worker_id="B")
    taken = []

    def hook(name):
        if name != point or taken:
            return
        taken.append(0)
        with shop.rt.db.transaction() as session:
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(lease_expires_at=shop.clock.now() - timedelta(seconds=1))
            )
        taken[0] = second.run_once()

    monkeypatch.setattr("amazon_jobs.handlers.feed_job.checkpoint", hook)
    first.run_once()
    assert taken == [1]  # B did claim the job in the middle of A's step
    monkeypatch.undo()
    shop.run_worker()
    return job_state(shop, job.id)


def test_a_takeover_while_create_feed_is_in_flight_waits_instead_of_sending_again(
    shop_factory, monkeypatch
):
    """Issue 11: B looked at getFeeds while A's createFeed was still on its way, found
    nothing and sent the feed a second time."""
    shop = shop_factory()
    job, log = _concurrent_takeover(shop, monkeypatch, "feed:intent")
    assert job.status == JobStatus.DONE and job.items_ok == 1, log
    assert any("may still be on its way to Amazon" in line for line in log), log
    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == 1 and stats["feeds_created"] == 1
    assert shop.sim.listings()[sku(0)].quantity == 77


def test_a_step_that_lost_its_lease_does_not_send_what_the_new_holder_sent(
    shop_factory, monkeypatch
):
    """Issue 11: A, whose lease had passed to B, recorded a second intent on the job
    once B's was closed, and sent the feed again (two createFeed, then an error)."""
    shop = shop_factory()
    job, log = _concurrent_takeover(shop, monkeypatch, "feed:uploaded")
    assert job.status == JobStatus.DONE and job.items_ok == 1, log
    assert any("Taken over by worker B" in line for line in log), log
    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == 1 and stats["feeds_created"] == 1
    assert shop.sim.listings()[sku(0)].quantity == 77
