"""Accepted is not live: an accepted change shows in reports and listings only after its
delay, some never show and leave an issue, and per SKU the newest change wins."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from amazon_jobs.clock import VirtualClock
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator.listings import visibility
from amazon_jobs.simulator.models import SellerData, SimListing

from .helpers import START, listings_feed, patch_message, quantity_message
from .offer_helpers import create_report, download_report, offer_message, price_patch

SELLER = "A1SIMULATORSELLER"
#: Changes show 10 to 20 minutes after their feed ends (the first draw of seed 0 is
#: above the median, so it is capped at the maximum).
LATE = SimulatorConfig.focused(visibility_delay_s=600.0, visibility_delay_max_s=1200.0)
FAILING = SimulatorConfig.focused(downstream_failure_rate=1.0)
FEED_DONE_S = 90


def report_quantities(sp, clock) -> dict[str, str]:
    """The quantity per SKU of a listings report requested now."""
    report_id = create_report(sp)
    clock.advance(FEED_DONE_S)
    content, _ = download_report(sp, report_id)
    header, *lines = content.decode().splitlines()
    columns = header.split("\t")
    rows = [dict(zip(columns, line.split("\t"), strict=True)) for line in lines]
    return {row["seller-sku"]: row["quantity"] for row in rows}


def submit_done(sp, clock, *messages) -> str:
    feed_id = sp.submit(listings_feed(SELLER, list(messages)))
    clock.advance(FEED_DONE_S)
    assert sp.status(feed_id) == "DONE"
    return feed_id


@pytest.mark.parametrize("config", [LATE])
def test_a_done_change_is_not_in_a_report_until_its_delay_has_passed(sp, clock, simulator):
    feed_id = submit_done(sp, clock, quantity_message(1, "SKU-A", 9))
    assert sp.report(feed_id)["summary"]["messagesAccepted"] == 1
    assert simulator.listings()["SKU-A"].quantity == 5
    assert simulator.accepted_listing(SELLER, "SKU-A").quantity == 9
    assert report_quantities(sp, clock)["SKU-A"] == "5"
    assert simulator.stats()["changes_pending"] == 1
    clock.advance(LATE.visibility_delay_max_s)
    assert report_quantities(sp, clock)["SKU-A"] == "9"
    assert simulator.listings()["SKU-A"].quantity == 9
    assert simulator.stats()["changes_pending"] == 0


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(visibility_delay_s=1e6, visibility_delay_max_s=300.0)]
)
def test_no_change_waits_longer_than_the_longest_delay(sp, clock, simulator):
    submit_done(sp, clock, quantity_message(1, "SKU-A", 9))
    clock.advance(299)
    assert simulator.listings()["SKU-A"].quantity == 5
    clock.advance(1)
    assert simulator.listings()["SKU-A"].quantity == 9


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(visibility_delay_s=600.0, silent_unknown_skus=False)]
)
def test_a_patch_right_after_an_update_is_judged_against_the_accepted_listing(sp, clock, simulator):
    simulator.seed_catalog([{"asin": "B0MUG00001", "item_name": "Mug", "brand": "Acme"}])
    submit_done(sp, clock, offer_message(1, "NEW", "B0MUG00001", price=10, quantity=1))
    assert "NEW" not in simulator.listings()
    feed_id = submit_done(sp, clock, quantity_message(1, "NEW", 4))
    assert sp.report(feed_id)["issues"] == []
    clock.advance(3600)
    listing = simulator.listings()["NEW"]
    assert (listing.quantity, listing.price) == (4, Decimal("10"))


@pytest.mark.parametrize("config", [FAILING])
def test_a_change_failing_downstream_never_applies_and_leaves_5002(sp, clock, simulator):
    feed_id = submit_done(sp, clock, quantity_message(1, "SKU-A", 9))
    assert sp.report(feed_id)["issues"] == []
    clock.advance(86_400)
    assert simulator.listings()["SKU-A"].quantity == 5
    [issue] = simulator.listing_issues(SELLER, "SKU-A")
    assert (issue.code, issue.severity) == ("5002", "ERROR")
    assert issue.message == "An internal error occurred. Please resubmit your data."
    assert simulator.stats()["changes_failed"] == 1
    assert simulator.accepted_listing(SELLER, "SKU-A").quantity == 5


@pytest.mark.parametrize("config", [LATE])
def test_a_price_change_keeps_the_units_orders_took_before_it_shows(sp, clock, simulator):
    submit_done(sp, clock, patch_message(1, "SKU-A", price_patch(12)))
    simulator.orders.add_order([{"sku": "SKU-A", "quantity": 2}])
    clock.advance(LATE.visibility_delay_max_s)
    listing = simulator.listings()["SKU-A"]
    assert (listing.price, listing.quantity) == (Decimal("12"), 3)


@pytest.mark.parametrize("config", [LATE])
def test_a_sent_quantity_replaces_what_orders_took_before_it_shows(sp, clock, simulator):
    submit_done(sp, clock, quantity_message(1, "SKU-A", 9))
    simulator.orders.add_order([{"sku": "SKU-A", "quantity": 2}])
    assert simulator.listings()["SKU-A"].quantity == 3
    clock.advance(LATE.visibility_delay_max_s)
    listing = simulator.listings()["SKU-A"]
    assert (listing.quantity, listing.sent_quantity) == (9, 9)
    simulator.orders.add_order([{"sku": "SKU-A", "quantity": 1}])
    assert simulator.listings()["SKU-A"].quantity == 8


def test_the_delays_follow_the_seed():
    def delays(seed: int) -> list[float]:
        config = SimulatorConfig.focused(visibility_delay_s=60.0, visibility_seed=seed)
        simulator = Simulator(config, VirtualClock(START))
        changes = {f"S-{i}": SimListing(None, i, None) for i in range(5)}
        simulator.accept_changes(SELLER, changes, START)
        seller = simulator.seller(SELLER)
        return [(at - START).total_seconds() for at, _, _ in sorted(seller.due)]

    assert delays(3) == delays(3)
    assert delays(3) != delays(4)
    assert all(0 < delay <= 1800 for delay in delays(3))


# -- the visibility rules on one seller's data, with chosen delays -----------------


def at(seconds: int):
    return START + timedelta(seconds=seconds)


def seller_with(**listings: SimListing) -> SellerData:
    seller = SellerData(SELLER)
    seller.listings.update(listings)
    return seller


def reveal_until(seller: SellerData, seconds: int) -> None:
    while visibility.next_due(seller, at(seconds)) is not None:
        visibility.reveal_next(seller)


def listing(quantity: int, price: str | None = None) -> SimListing:
    return SimListing("B000000001", quantity, Decimal(price) if price else None)


def test_an_older_change_that_comes_due_later_never_overwrites_a_newer_one():
    seller = seller_with(A=listing(1))
    visibility.schedule(seller, "A", listing(2), sequence=1, visible_at=at(100), sets_quantity=True)
    visibility.schedule(seller, "A", listing(3), sequence=2, visible_at=at(10), sets_quantity=True)
    assert visibility.accepted(seller, "A") == listing(3)
    reveal_until(seller, 10)
    assert seller.listings["A"] == listing(3)
    reveal_until(seller, 100)
    assert seller.listings["A"] == listing(3)
    assert visibility.pending_count(seller) == 0


def test_changes_of_one_sku_in_order_apply_one_after_the_other():
    seller = seller_with(A=listing(1))
    visibility.schedule(seller, "A", listing(2), sequence=1, visible_at=at(10), sets_quantity=True)
    visibility.schedule(seller, "A", None, sequence=2, visible_at=at(20), sets_quantity=False)
    reveal_until(seller, 10)
    assert seller.listings["A"] == listing(2)
    assert visibility.accepted(seller, "A") is None
    reveal_until(seller, 20)
    assert "A" not in seller.listings


def test_a_visible_change_clears_the_failure_of_an_earlier_one():
    seller = seller_with(A=listing(1))
    visibility.schedule(
        seller, "A", listing(2), sequence=1, visible_at=at(10), sets_quantity=True, fails=True
    )
    reveal_until(seller, 10)
    assert [issue.code for issue in seller.issues["A"]] == ["5002"]
    assert seller.listings["A"] == listing(1)
    visibility.schedule(seller, "A", listing(3), sequence=2, visible_at=at(20), sets_quantity=True)
    reveal_until(seller, 20)
    assert seller.listings["A"] == listing(3)
    assert "A" not in seller.issues


def test_a_newer_change_brings_the_quantity_an_older_hidden_one_set():
    """A price patch accepted after a quantity patch carries its quantity: when the
    price patch shows first, the older quantity patch is dropped, not lost."""
    seller = seller_with(A=listing(1, "5"))
    visibility.schedule(
        seller, "A", listing(7, "5"), sequence=1, visible_at=at(90), sets_quantity=True
    )
    visibility.schedule(
        seller, "A", listing(7, "6"), sequence=2, visible_at=at(10), sets_quantity=False
    )
    reveal_until(seller, 100)
    assert seller.listings["A"] == listing(7, "6")
