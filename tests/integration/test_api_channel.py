"""The Listings Items API channel end to end: real HTTP to the simulator, both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, update

from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.domain.verification import Verification
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_items, job_log, next_due_at
from amazon_jobs.store.models import Account, Product
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def shop(shop_factory):
    """A shop on the installation's default channel: auto."""
    return shop_factory(unknown_on_amazon=(3,), channel="auto")


def load(shop, job_id):
    with shop.rt.db.read() as session:
        return get_job(session, job_id), job_items(session, job_id)


def log_lines(shop, job_id):
    with shop.rt.db.read() as session:
        return [line.message for line in job_log(session, job_id)]


def statuses_seen(shop, job_id):
    return [line.split(":")[0] for line in log_lines(shop, job_id) if "→" in line]


def set_channel(shop, channel):
    with shop.rt.db.transaction() as session:
        session.execute(update(Account).values(channel=channel.value))


def test_quantities_go_one_call_per_item_and_each_answer_is_applied(shop):
    for n in (0, 1, 3):
        shop.set_quantity(sku(n), 100 + n)
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(changed=True), channel=Channel.API
    ).jobs

    shop.run_worker()

    job, items = load(shop, job.id)
    assert job.status == JobStatus.DONE
    assert job.data["channel"] == "listings-api" and job.data["channel_forced"] == "listings-api"
    assert statuses_seen(shop, job.id) == [
        "Reserved → Created",
        "Created → Processing",
        "Processing → Waiting for result",
        "Waiting for result → Done",
    ]
    assert (job.items_ok, job.items_failed, job.items_to_verify) == (2, 1, 2)
    by_sku = {item.ref: item for item in items}
    assert by_sku[sku(0)].outcome == "ok" and by_sku[sku(0)].confirmed["quantity"] == 100
    assert by_sku[sku(3)].outcome == "error"
    assert by_sku[sku(3)].error_message.startswith("13013: ")
    assert shop.listing(sku(1)).confirmed_quantity == 101
    assert shop.listing(sku(3)).last_error and shop.listing(sku(3)).locked_by_job_id is None
    assert shop.sim.listings()[sku(0)].quantity == 100
    stats = shop.sim.stats()
    assert stats["requests"]["patchListingsItem"] == 3
    assert "createFeed" not in stats["requests"]
    assert any(line.startswith("Channel: Listings Items API") for line in log_lines(shop, job.id))


def test_auto_picks_the_api_for_a_few_items_and_the_feed_can_be_forced(shop):
    shop.set_quantity(sku(0), 50)
    (auto,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(0),))
    ).jobs
    shop.run_worker()
    auto, _ = load(shop, auto.id)
    assert auto.data["channel"] == "listings-api"
    estimate = auto.data["channel_estimate"]
    assert estimate["items"] == 1 and estimate["api_s"] < estimate["feed_s"]

    set_channel(shop, Channel.FEED)
    shop.set_quantity(sku(0), 51)
    (fixed,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(0),))
    ).jobs
    shop.run_worker()
    fixed, _ = load(shop, fixed.id)
    assert fixed.status == JobStatus.DONE and fixed.data["channel"] == "feed"
    # Amazon's own processing time is kept for the next estimates (our polls left out)
    assert 0 <= fixed.data["turnaround_s"] <= (fixed.finished_at - fixed.submitted_at).seconds
    assert shop.sim.stats()["requests"]["createFeed"] == 1
    assert shop.sim.listings()[sku(0)].quantity == 51


def test_price_stop_and_stop_remove_use_patch_and_delete(shop):
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Product)
            .where(Product.sku == sku(0))
            .values(price=Decimal("12.50"), updated_at=shop.clock.now())
        )
    create_listings_job(
        shop.rt,
        JobType.UPDATE_PRICE,
        shop.account_id,
        Selection(skus=(sku(0),)),
        channel=Channel.API,
    )
    create_listings_job(
        shop.rt, JobType.STOP, shop.account_id, Selection(skus=(sku(1),)), channel=Channel.API
    )
    create_listings_job(
        shop.rt,
        JobType.STOP_REMOVE,
        shop.account_id,
        Selection(skus=(sku(2),)),
        channel=Channel.API,
    )
    shop.run_worker()
    listings = shop.sim.listings()
    assert listings[sku(0)].price == Decimal("12.50")
    assert listings[sku(1)].quantity == 0
    assert sku(2) not in listings
    assert shop.listing(sku(1)).state == ListingState.STOPPED
    assert shop.listing(sku(2)).state == ListingState.REMOVED
    requests = shop.sim.stats()["requests"]
    assert requests["patchListingsItem"] == 2 and requests["deleteListingsItem"] == 1


def test_cancel_while_calling_stops_before_the_next_item_and_restores_the_rest(shop, monkeypatch):
    for n in range(6):
        shop.set_quantity(sku(n), 200 + n)
    before = shop.listing_rows()
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(changed=True), channel=Channel.API
    ).jobs
    answered: list[int] = []

    def cancel_after_two(stage: str) -> None:
        if stage == "api:answered":
            answered.append(1)
            if len(answered) == 2:
                assert cancel_job(shop.rt, job.id) is False

    monkeypatch.setattr("amazon_jobs.handlers.api_channel.checkpoint", cancel_after_two)
    shop.run_worker()
    job, items = load(shop, job.id)
    assert job.status == JobStatus.CANCELED, "\n".join(log_lines(shop, job.id))
    outcomes = sorted(item.outcome for item in items)
    assert outcomes.count("ok") == 2 and outcomes.count("canceled") == 4
    for item in items:
        if item.outcome == "canceled":
            assert shop.listing_rows()[item.ref] == before[item.ref]
    assert shop.sim.stats()["requests"]["patchListingsItem"] == 2


def test_an_item_whose_product_was_deleted_before_sending_fails_alone(shop):
    (job,) = create_listings_job(
        shop.rt,
        JobType.UPDATE_QTY,
        shop.account_id,
        Selection(skus=(sku(5), sku(6))),
        channel=Channel.API,
    ).jobs
    with shop.rt.db.transaction() as session:
        session.execute(delete(Product).where(Product.sku == sku(6)))
    shop.run_worker()
    job, items = load(shop, job.id)
    assert job.status == JobStatus.DONE and (job.items_ok, job.items_failed) == (1, 1)
    gone = next(item for item in items if item.ref == sku(6))
    assert gone.outcome == "error" and "deleted before the job read its values" in (
        gone.error_message
    )
    assert shop.sim.stats()["requests"]["patchListingsItem"] == 1


def test_accepted_is_not_live_api_items_are_verified_once_amazon_shows_them(shop_factory):
    """Amazon shows an accepted patch late: the Done job's items are pending, then
    verified by getListingsItem, as a feed's are."""
    quiet = {"auto_sync": False, "orders_import_every_s": 0, "inventory_report_every_s": 0}
    config = SimulatorConfig.focused(visibility_delay_s=400, visibility_seed=7)
    shop = shop_factory(config, channel="listings-api", **quiet)
    for n in range(4):
        shop.set_quantity(sku(n), 70 + n)
    (job,) = create_listings_job(
        shop.rt,
        JobType.UPDATE_QTY,
        shop.account_id,
        Selection(skus=tuple(sku(n) for n in range(4))),
    ).jobs
    shop.run_worker()
    job, items = load(shop, job.id)
    assert job.status == JobStatus.DONE and job.data["channel"] == "listings-api"
    assert job.data["channel_why"] == "setting" and job.items_to_verify == 4
    assert {item.verification for item in items} == {Verification.PENDING}
    assert shop.sim.listings()[sku(0)].quantity == 10  # accepted, not visible yet

    scheduler = Scheduler(shop.rt, "test")
    for _ in range(30):
        shop.run_worker()
        report = scheduler.tick()
        with shop.rt.db.read() as session:
            due = next_due_at(session)
        if not report.created and due is None:
            break
    job, items = load(shop, job.id)
    assert job.items_to_verify == 0
    assert {item.verification for item in items} == {Verification.VERIFIED}
    assert shop.sim.stats()["requests"]["patchListingsItem"] == 4
