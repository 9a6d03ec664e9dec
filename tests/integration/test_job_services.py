"""What the dashboard offers around a job: check now, retry failed items, documents,
the estimate of when a queued job is sent, hourly use, testing an account."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from amazon_jobs.domain.amazon_errors import explain
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError, SelectionError
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.insight import estimate_send, hourly_use
from amazon_jobs.service import (
    check_job,
    create_listings_job,
    retry_failed_items,
)
from amazon_jobs.service import test_connection as probe_account
from amazon_jobs.store.documents import get_document
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Account
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def create(shop, job_type, *skus):
    selection = Selection(skus=skus) if skus else Selection(all=True)
    return create_listings_job(shop.rt, job_type, shop.account_id, selection).jobs[0]


def test_documents_are_kept_and_failed_items_retried_in_a_child_job(shop):
    job = create(shop, JobType.UPDATE_QTY, sku(2), sku(3))
    shop.run_worker()
    with shop.rt.db.read() as session:
        feed = get_document(session, job.id, "feed")
        result = get_document(session, job.id, "result")
    assert feed and json.loads(feed.content)["messages"][0]["operationType"] == "PATCH"
    assert feed.filename == f"job-{job.id}-feed.json"
    assert result and json.loads(result.content)["summary"]["messagesInvalid"] == 1
    # Amazon said SKU-003 does not exist: the same update would fail again.
    unfixable = f"no failed items a retry can fix .*{sku(3)}: Amazon does not know this SKU"
    with pytest.raises(SelectionError, match=unfixable):
        retry_failed_items(shop.rt, job.id)
    # A feed Amazon aborted as a whole: every item can be sent again.
    shop.sim.faults.abort_next_feeds(1)
    fatal = create(shop, JobType.UPDATE_QTY, sku(1), sku(2))
    shop.run_worker()
    (child,), left_out = retry_failed_items(shop.rt, fatal.id)
    assert child.parent_id == fatal.id and child.items_total == 2 and left_out == []
    with pytest.raises(SelectionError, match="no failed items"):
        retry_failed_items(shop.rt, create_and_finish(shop))


@pytest.mark.parametrize(
    "job_type",
    [JobType.UPDATE_QTY, JobType.UPDATE_PRICE, JobType.UPDATE_QTY_PRICE, JobType.STOP],
)
def test_the_feed_sent_is_the_feed_its_items_record(shop, job_type):
    """The step that builds a feed uploads it without reading its items back: the feed it
    sent (kept as the job's document) is the feed built from the values on its items."""
    job = create(shop, job_type, sku(1), sku(2), sku(4))
    shop.run_worker()
    with shop.rt.db.read() as session:
        feed = get_document(session, job.id, "feed")
        account = session.get(Account, shop.account_id)
    assert feed is not None and account is not None
    assert len(json.loads(feed.content)["messages"]) == 3
    assert feed.content == handler_for(job_type).feed_document(shop.rt, job.id, account)


def create_and_finish(shop):
    job = create(shop, JobType.UPDATE_QTY, sku(5))
    shop.run_worker()
    return job.id


def test_check_now_makes_a_waiting_job_due(shop):
    job = create(shop, JobType.UPDATE_QTY, sku(1))
    worker = Worker(shop.rt)
    while True:
        worker.run_once()
        with shop.rt.db.read() as session:
            current = get_job(session, job.id)
        if current.status == JobStatus.WAITING_FOR_RESULT:
            break
    assert current.next_run_at > shop.clock.now()
    check_job(shop.rt, job.id)
    with shop.rt.db.read() as session:
        assert get_job(session, job.id).next_run_at <= shop.clock.now()
    shop.run_worker()
    with pytest.raises(AmazonJobsError, match="nothing left to check"):
        check_job(shop.rt, job.id)


def test_estimate_of_when_a_queued_job_is_sent(shop_factory):
    shop = shop_factory(limits={"createFeed": {"burst": 1, "rate": 1 / 120}})
    first = create(shop, JobType.UPDATE_QTY, sku(0))
    second = create(shop, JobType.UPDATE_QTY, sku(1))
    third = create(shop, JobType.UPDATE_QTY, sku(2))
    now = shop.clock.now()
    assert estimate_send(shop.rt, first.id) == now
    assert estimate_send(shop.rt, second.id) == now + timedelta(seconds=120)
    assert estimate_send(shop.rt, third.id) == now + timedelta(seconds=240)
    shop.run_worker()
    assert estimate_send(shop.rt, third.id) is None  # sent
    assert hourly_use(shop.rt, shop.account_id)["createFeed"] == 3


def test_test_connection_says_what_is_wrong(shop):
    ok, message = probe_account(shop.rt, shop.account_id)
    assert (ok, message) == (True, "OK: Amazon accepted the credentials")
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Account).values(refresh_token_enc=shop.rt.cipher.encrypt("Atzr|revoked"))
        )
    shop.rt.gateway._auth.clear()  # a new process would not have the cached token
    ok, message = probe_account(shop.rt, shop.account_id)
    assert (ok, message) == (False, "Amazon refused the credentials")  # not LWA's own words


def test_common_amazon_codes_come_with_advice():
    for code in ("8572", "8541", "8542", "8560", "5002", "6024", "90000900", "90004114", "99022"):
        assert explain(code, None)
    assert explain(None, "13013: This SKU does not exist in the Amazon.com catalog.") is not None
    assert explain("12345", "something new") is None
