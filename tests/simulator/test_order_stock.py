"""Orders move the seller's quantity on Amazon: placed, they take their units;
canceled, they give them back; a quantity the seller sends replaces the number.
Read through the listings report, the inspection endpoint and the order book."""

from __future__ import annotations

from datetime import timedelta

from amazon_jobs.clock import VirtualClock
from amazon_jobs.simulator import Simulator, SimulatorConfig

from .helpers import START, listings_feed, quantity_message
from .offer_helpers import create_report, download_report
from .order_helpers import confirm, package
from .test_reports import rows


def quantities(http, sku: str = "SKU-A") -> int:
    listings = http.get("/_sim/listings").json()["listings"]
    return {row["sku"]: row["quantity"] for row in listings}[sku]


def test_an_order_takes_its_units_and_a_cancellation_gives_them_back(simulator, http, clock):
    assert quantities(http) == 5
    order = simulator.orders.add_order([{"sku": "SKU-A", "quantity": 2}])
    assert quantities(http) == 3
    clock.advance(60)
    simulator.orders.cancel_order(order.order_id)
    assert quantities(http) == 5


def test_the_listings_report_shows_the_quantity_left(sp, simulator, clock):
    simulator.orders.add_order([{"sku": "SKU-A", "quantity": 4}])
    report_id = create_report(sp)
    clock.advance(90)
    content, _ = download_report(sp, report_id)
    assert {row["seller-sku"]: row["quantity"] for row in rows(content)}["SKU-A"] == "1"


def test_an_order_never_takes_more_than_is_left(simulator, http):
    simulator.orders.add_order([{"sku": "SKU-A", "quantity": 7}])
    assert quantities(http) == 0


def test_an_order_placed_later_takes_its_units_at_its_placement(simulator, http, clock):
    simulator.orders.add_order(
        [{"sku": "SKU-A", "quantity": 2}], purchased_at=START + timedelta(minutes=10)
    )
    assert quantities(http) == 5
    clock.advance(600)
    assert quantities(http) == 3


def test_a_sent_quantity_replaces_the_number_and_a_later_cancellation_adds_back(
    sp, simulator, http, clock
):
    order = simulator.orders.add_order([{"sku": "SKU-A", "quantity": 2}])
    assert quantities(http) == 3
    sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 10)]))
    clock.advance(3600)
    assert quantities(http) == 10
    simulator.orders.cancel_order(order.order_id)
    assert quantities(http) == 12


def test_a_shipped_order_keeps_its_units_when_its_cancellation_is_dropped(
    sp, simulator, http, clock
):
    order = simulator.orders.add_order(
        [{"sku": "SKU-A", "quantity": 1, "order_item_id": "11111111111111"}],
        canceled_at=START + timedelta(hours=2),
    )
    assert quantities(http) == 4
    clock.advance(60)
    assert confirm(sp, order.order_id, package([("11111111111111", 1)])).status_code == 204
    clock.advance(3 * 3600)
    assert quantities(http) == 4


def test_streamed_orders_take_stock_as_they_are_placed():
    """Amazon's quantity at any time is the stock less the units of the orders placed
    by then and not canceled; buyers never get more than is left."""
    clock = VirtualClock(START)
    simulator = Simulator(
        SimulatorConfig.focused(orders_per_hour=120.0, order_cancel_rate=0.3), clock
    )
    simulator.seed_listings(
        [
            {"sku": f"SKU-{n}", "asin": f"B00000000{n}", "quantity": 20, "price": "5.00"}
            for n in range(3)
        ]
    )
    for _ in range(12):
        clock.advance(600)
        listings = simulator.listings()
        now = clock.now()
        for sku, listing in listings.items():
            units = sum(
                item.quantity_ordered
                for order in simulator.orders.orders()
                if order.status != "Canceled" and order.purchased_at <= now
                for item in order.items
                if item.sku == sku
            )
            assert listing.quantity == 20 - units >= 0
    assert sum(listing.quantity for listing in simulator.listings().values()) < 60
