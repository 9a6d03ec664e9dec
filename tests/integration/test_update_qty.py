"""Update Products QTY, end to end over real HTTP against the simulator, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import NotCancelable, SelectionError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import Listing, Product
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(60)


def create(shop, selection):
    return create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, selection)


def statuses_seen(shop, job_id):
    with shop.rt.db.read() as session:
        lines = [line.message for line in job_log(session, job_id)]
    return [line.split(":")[0] for line in lines if "→" in line]


def load(shop, job_id):
    with shop.rt.db.read() as session:
        return get_job(session, job_id), job_items(session, job_id)


def test_full_lifecycle_applies_quantities_and_amazon_errors(shop):
    for n in (0, 1, 3):
        shop.set_quantity(sku(n), 100 + n)
    reservation = create(shop, Selection(changed=True))
    (job,) = reservation.jobs
    assert job.status == JobStatus.RESERVED and job.items_total == 3
    assert shop.listing(sku(0)).locked_by_job_id == job.id

    shop.run_worker()

    job, items = load(shop, job.id)
    assert job.status == JobStatus.DONE
    assert statuses_seen(shop, job.id) == [
        "Reserved → Created",
        "Created → Processing",
        "Processing → Waiting for result",
        "Waiting for result → Done",
    ]
    assert (job.items_total, job.items_ok, job.items_failed) == (3, 2, 1)
    by_sku = {item.ref: item for item in items}
    assert by_sku[sku(0)].outcome == "ok" and by_sku[sku(0)].confirmed == {"quantity": 100}
    assert by_sku[sku(3)].outcome == "error"
    assert by_sku[sku(3)].error_message.startswith("13013: ")
    # Applied to listings, and to the simulated seller.
    assert shop.listing(sku(0)).confirmed_quantity == 100
    assert shop.listing(sku(1)).confirmed_quantity == 101
    failed = shop.listing(sku(3))
    assert failed.confirmed_quantity == 13 and failed.last_error
    assert all(shop.listing(sku(n)).locked_by_job_id is None for n in (0, 1, 3))
    assert shop.sim.listings()[sku(0)].quantity == 100
    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == 1
    assert sum(stats["throttled"].values()) == 0
    # Every Amazon call is in the log with its request id.
    with shop.rt.db.read() as session:
        calls = [line for line in job_log(session, job.id) if line.request_id]
    assert {line.message.split()[0] for line in calls} >= {
        "createFeedDocument",
        "createFeed",
        "getFeed",
        "getFeedDocument",
    }


def test_changes_before_sending_are_coalesced(shop):
    shop.set_quantity(sku(2), 50)
    (job,) = create(shop, Selection(skus=(sku(2),))).jobs
    shop.set_quantity(sku(2), 51)
    shop.set_quantity(sku(2), 52)
    shop.run_worker()
    _, (item,) = load(shop, job.id)
    assert item.requested == {"quantity": 50}
    assert item.sent == {"quantity": 52} and item.outcome == "ok"
    assert shop.listing(sku(2)).confirmed_quantity == 52
    assert shop.sim.stats()["requests"]["createFeed"] == 1


def test_cancel_from_created_restores_every_listing_exactly(shop):
    for n in range(5):
        shop.set_quantity(sku(n), 0)
    before = shop.listing_rows()
    (job,) = create(shop, Selection(all=True)).jobs
    assert shop.listing(sku(0)).locked_by_job_id == job.id
    shop.use_up(Operation.JSON_LISTINGS_FEED)  # the account's feeds of these five minutes are sent
    Worker(shop.rt).run_once()  # reserved -> created, where it waits for quota
    job, _ = load(shop, job.id)
    assert job.status == JobStatus.CREATED
    cancel_job(shop.rt, job.id)
    job, items = load(shop, job.id)
    assert job.status == JobStatus.CANCELED
    assert {item.outcome for item in items} == {"canceled"}
    assert shop.listing_rows() == before
    shop.run_worker()
    assert shop.sim.stats()["requests"].get("createFeed", 0) == 0
    with pytest.raises(NotCancelable):
        cancel_job(shop.rt, job.id)


def test_job_waits_in_created_while_the_bucket_is_empty(shop):
    """More feeds than JSON_LISTINGS_FEED's 5 per 5 minutes: the rest wait, zero 429s."""
    jobs = [create(shop, Selection(skus=(sku(n),))).jobs[0] for n in range(7)]
    start = shop.clock.now()
    worker = Worker(shop.rt)
    for _ in range(40):  # step until the first five have been sent
        worker.run_once()
    waiting = [load(shop, j.id)[0] for j in jobs[5:]]
    assert {j.status for j in waiting} == {JobStatus.CREATED}
    with shop.rt.db.read() as session:
        lines = [line.message for line in job_log(session, jobs[5].id)]
    assert any("Waiting" in line and "quota" in line for line in lines)
    cancel_job(shop.rt, jobs[6].id)  # still cancelable while it waits
    shop.run_worker()
    finished = [load(shop, j.id)[0] for j in jobs]
    assert [j.status for j in finished] == [JobStatus.DONE] * 6 + [JobStatus.CANCELED]
    sent_at = sorted(
        line.at
        for j in jobs[:6]
        for line in _log(shop, j.id)
        if line.message.startswith("createFeed POST")
    )
    assert (sent_at[5] - start).total_seconds() >= 300
    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == 6
    assert sum(stats["throttled"].values()) == 0


def test_listings_held_by_a_job_are_not_reserved_twice(shop):
    (first,) = create(shop, Selection(skus=(sku(0), sku(1)))).jobs
    reservation = create(shop, Selection(skus=(sku(1), sku(2), "NOPE")))
    assert [j.items_total for j in reservation.jobs] == [1]
    assert dict(reservation.skipped) == {
        sku(1): f"held by job {first.id}",
        "NOPE": "no product has this SKU",
    }
    with pytest.raises(SelectionError, match="held by job"):
        create(shop, Selection(skus=(sku(0),)))


def test_stopped_listing_is_not_eligible(shop):
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Listing)
            .where(Listing.id == shop.listing(sku(4)).id)
            .values(state=ListingState.STOPPED.value)
        )
    with pytest.raises(SelectionError, match="listing is stopped"):
        create(shop, Selection(skus=(sku(4),)))


def _log(shop, job_id):
    with shop.rt.db.read() as session:
        return job_log(session, job_id)


def test_item_whose_product_was_deleted_before_sending_fails_alone(shop):
    (job,) = create(shop, Selection(skus=(sku(5), sku(6)))).jobs
    with shop.rt.db.transaction() as session:
        session.execute(delete(Product).where(Product.sku == sku(6)))
    shop.run_worker()
    job, items = load(shop, job.id)
    assert job.status == JobStatus.DONE and (job.items_ok, job.items_failed) == (1, 1)
    gone = next(item for item in items if item.ref == sku(6))
    assert gone.outcome == "error" and "deleted before the feed was built" in gone.error_message
