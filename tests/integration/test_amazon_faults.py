"""A QTY job when Amazon misbehaves: aborted feeds, 5xx, a 429 our bucket did not expect."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import Account
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(60)


def one_job(shop, *skus):
    selection = Selection(skus=tuple(skus)) if skus else Selection(all=True)
    (job,) = create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, selection).jobs
    return job.id


def state(shop, job_id):
    with shop.rt.db.read() as session:
        return get_job(session, job_id), job_items(session, job_id), job_log(session, job_id)


def test_fatal_feed_ends_the_job_in_error_and_frees_its_listings(shop_factory):
    shop = shop_factory()
    before = shop.listing(sku(0)).confirmed_quantity
    shop.set_quantity(sku(0), 77)
    shop.sim.faults.abort_next_feeds(1)
    job_id = one_job(shop, sku(0), sku(1))
    shop.run_worker()
    job, items, log = state(shop, job_id)
    assert job.status == JobStatus.ERROR
    assert job.error.startswith("Amazon aborted the feed (FATAL): 4002003")
    assert {i.outcome for i in items} == {"error"} and job.items_failed == 2
    listing = shop.listing(sku(0))
    assert listing.locked_by_job_id is None and listing.confirmed_quantity == before
    assert log[-1].level == "error" and "FATAL" in log[-1].message


def test_server_errors_until_retries_run_out(shop_factory):
    shop = shop_factory()
    shop.sim.faults.fail_next("createFeedDocument", 500, times=1000)
    job_id = one_job(shop, sku(2))
    shop.run_worker()
    job, items, log = state(shop, job_id)
    attempts = shop.rt.settings.max_attempts
    assert job.status == JobStatus.ERROR
    assert f"gave up after {attempts} attempts" in job.error
    assert "HTTP 500 InternalFailure" in job.error
    assert items[0].outcome == "error" and shop.listing(sku(2)).locked_by_job_id is None
    retries = [line for line in log if "retrying in" in line.message]
    assert len(retries) == attempts - 1
    assert shop.sim.stats()["requests"]["createFeedDocument"] == attempts * 4
    assert shop.sim.stats()["requests"].get("createFeed", 0) == 0


def test_transient_server_errors_are_retried_and_the_job_completes(shop_factory):
    shop = shop_factory()
    shop.sim.faults.fail_next("getFeed", 503, times=2)
    shop.sim.faults.fail_next("getFeedDocument", 500, times=1)
    job_id = one_job(shop, sku(0))
    shop.run_worker()
    job, _, log = state(shop, job_id)
    assert job.status == JobStatus.DONE and job.items_ok == 1
    assert sum(1 for line in log if "HTTP 503" in line.message) == 2


def test_a_429_our_bucket_did_not_expect_empties_it_and_waits(shop_factory):
    """Another app spent the seller's createFeed quota: Amazon allows one feed, we think 15."""
    shop = shop_factory(SimulatorConfig.focused(limit_overrides={"createFeed": {"burst": 1}}))
    first, second = one_job(shop, sku(0)), one_job(shop, sku(1))
    shop.run_worker()
    (job1, _, _), (job2, _, log2) = state(shop, first), state(shop, second)
    assert job1.status == job2.status == JobStatus.DONE
    throttled = [line for line in log2 if "throttled createFeed (429)" in line.message]
    assert len(throttled) == 1 and throttled[0].request_id
    stats = shop.sim.stats()
    assert stats["throttled"] == {"createFeed": 1}
    assert stats["feeds_created"] == 2
    with shop.rt.db.read() as session:
        views = shop.rt.throttle.views(session, shop.account_id, shop.clock.now())
    assert {v.operation: v.throttled for v in views}["createFeed"] == 1


def test_refused_credentials_fail_the_job_with_an_actionable_message(shop_factory):
    shop = shop_factory()
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Account).values(refresh_token_enc=shop.rt.cipher.encrypt("Atzr|wrong-token"))
        )
    job_id = one_job(shop, sku(0))
    shop.run_worker()
    job, _, log = state(shop, job_id)
    assert job.status == JobStatus.ERROR
    assert "invalid_grant" in job.error and "refresh token" in job.error
    text = " ".join(line.message for line in log) + job.error
    assert "Atzr|wrong-token" not in text
