"""Orders change as Amazon's do: LastUpdateDate moves on any change, not only on a status
change, and pages after the first may repeat an order of the page before (issue 15, 1.5)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from amazon_jobs.clock import VirtualClock
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator.orders.model import OrderStatus, SimOrder

from .helpers import START
from .order_helpers import (
    LISTINGS,
    ago,
    check_schema,
    confirm,
    get_orders,
    iso,
    ok,
    package,
    search_orders,
)

MANY = {op: {"burst": 10_000} for op in ("getOrders", "searchOrders")}
#: The harsh default share of orders changed after placing.
UPDATE_RATE = SimulatorConfig().order_update_rate


@pytest.fixture
def config(request: pytest.FixtureRequest) -> SimulatorConfig:
    return getattr(request, "param", SimulatorConfig.focused(limit_overrides=MANY))


def v0_order(sp, order_id, **params):
    found = ok(get_orders(sp, **params))["payload"]["Orders"]
    return next((order for order in found if order["AmazonOrderId"] == order_id), None)


def v2026_order(sp, order_id, **params):
    body = ok(search_orders(sp, includedData="FULFILLMENT,RECIPIENT", **params))
    check_schema("orders_2026-01-01.json", "SearchOrdersResponse", body)
    return next((order for order in body["orders"] if order["orderId"] == order_id), None)


def status_changed_at(order: SimOrder, now) -> object:
    return max(t.at for t in order.transitions if t.at <= now)


# LastUpdateDate moves on any change


STREAM = SimulatorConfig.focused(
    orders_per_hour=40.0, order_seed=5, order_update_rate=UPDATE_RATE, limit_overrides=MANY
)


@pytest.mark.parametrize("config", [STREAM], indirect=True)
def test_streamed_orders_change_without_a_status_change_and_searches_find_them(
    sp, simulator, clock
):
    simulator.seed_listings({**row, "quantity": 10_000} for row in LISTINGS)
    clock.advance(30 * 3600)
    sp.token = sp.login(sp.config.refresh_token)
    now = clock.now()
    orders = simulator.orders.orders_of(simulator.config.seller_id, now)
    paid = [o for o in orders if o.status_at(now) == OrderStatus.UNSHIPPED]
    changed = [o for o in paid if o.updated_at(now) > status_changed_at(o, now)]
    settled = now - timedelta(minutes=2)
    assert 0.1 * len(paid) < len(changed) < 0.35 * len(paid), "the default share is changed"
    changed = [o for o in changed if o.updated_at(now) <= settled]
    moved = next(o for o in changed if o.updates[-1].ship_days)
    readdressed = next(o for o in changed if o.updates[-1].address is not None)
    for order in (moved, readdressed):
        last_status = status_changed_at(order, now)
        after = iso(order.updated_at(now) - timedelta(seconds=1))
        assert order.updated_at(now) > last_status
        old = v0_order(sp, order.order_id, LastUpdatedAfter=after)
        new = v2026_order(sp, order.order_id, lastUpdatedAfter=after)
        assert old is not None and new is not None, "LastUpdatedAfter finds the changed order"
        assert (old["OrderStatus"], new["fulfillment"]["fulfillmentStatus"]) == (
            "Unshipped",
            "UNSHIPPED",
        )
        assert old["LastUpdateDate"] == new["lastUpdatedTime"] == iso(order.updated_at(now))
        # Both versions show the same changed order.
        shipped_by = order.purchased_at + timedelta(days=2) + order.ship_delay(now)
        assert old["LatestShipDate"] == iso(shipped_by)
        assert new["fulfillment"]["shipByWindow"]["latestDateTime"] == iso(shipped_by)
        delivered_by = order.purchased_at + timedelta(days=7) + order.ship_delay(now)
        assert old["LatestDeliveryDate"] == iso(delivered_by)
        assert new["fulfillment"]["deliverByWindow"]["latestDateTime"] == iso(delivered_by)
        address = order.address_at(now)
        assert old["ShippingAddress"]["City"] == new["recipient"]["deliveryAddress"]["city"]
        assert old["ShippingAddress"]["City"] == address.city
        assert old["ShippingAddress"]["PostalCode"] == address.postal_code
        assert "postalCode" not in new["recipient"]["deliveryAddress"], "PII without the role"
    assert moved.ship_delay(now) >= timedelta(days=1)
    assert readdressed.address_at(now) != readdressed.address


def test_the_stream_draws_the_same_orders_whatever_the_update_rate():
    def stream(rate: float) -> list[tuple[object, ...]]:
        clock = VirtualClock(START)
        config = SimulatorConfig.focused(orders_per_hour=60.0, order_update_rate=rate)
        simulator = Simulator(config, clock)
        simulator.seed_listings({**row, "quantity": 10_000} for row in LISTINGS)
        clock.advance(12 * 3600)
        return [(o.order_id, o.status, o.items, o.purchased_at) for o in simulator.orders.orders()]

    assert stream(0.0) == stream(UPDATE_RATE)


def test_an_update_moves_last_update_date_and_both_versions_show_it(sp, simulator, clock):
    simulator.seed_listings(LISTINGS)
    placed = simulator.orders.add_order(purchased_at=ago(60))
    clock.advance(600)
    updated = simulator.orders.update_order(
        placed.order_id,
        address={"city": "Portland", "state": "OR", "postal_code": "97205"},
        ship_days=1,
    )
    assert updated.status == OrderStatus.UNSHIPPED
    assert updated.last_updated_at == clock.now()
    clock.advance(180)  # searches end two minutes before the request
    old = v0_order(sp, placed.order_id, LastUpdatedAfter=iso(ago(30)))
    new = v2026_order(sp, placed.order_id, lastUpdatedAfter=iso(ago(30)))
    assert old is not None and new is not None
    assert old["LastUpdateDate"] == new["lastUpdatedTime"] == iso(START + timedelta(seconds=600))
    assert old["ShippingAddress"] == {
        "City": "Portland",
        "StateOrRegion": "OR",
        "PostalCode": "97205",
        "CountryCode": "US",
    }
    assert new["recipient"] == {
        "deliveryAddress": {"city": "Portland", "stateOrRegion": "OR", "countryCode": "US"}
    }
    assert old["LatestShipDate"] == iso(ago(60) + timedelta(days=3))
    assert new["fulfillment"]["shipByWindow"]["latestDateTime"] == iso(ago(60) + timedelta(days=3))
    assert old["EarliestShipDate"] == iso(ago(60)), "only the end of the window moves"


def test_an_order_without_payment_shows_no_address(sp, simulator):
    simulator.seed_listings(LISTINGS)
    pending = simulator.orders.add_order(purchased_at=ago(30), status="Pending")
    old = v0_order(sp, pending.order_id, CreatedAfter=iso(ago(60)))
    new = v2026_order(sp, pending.order_id, createdAfter=iso(ago(60)))
    assert "ShippingAddress" not in old and "recipient" not in new
    assert pending.address is not None, "it has one; Amazon shows it once paid"


def test_a_seller_action_moves_last_update_date_even_when_the_status_stays(sp, simulator, clock):
    simulator.seed_listings(LISTINGS)
    placed = simulator.orders.add_order([{"sku": "SKU-A"}], purchased_at=ago(60))
    item = placed.items[0].order_item_id
    assert confirm(sp, placed.order_id, package([(item, 1)])).status_code == 204
    shipped_at = clock.now()
    clock.advance(900)
    edited = package([(item, 1)], trackingNumber="1Z999AA10123456785")  # the same package
    assert confirm(sp, placed.order_id, edited).status_code == 204
    assert simulator.orders.order(placed.order_id).status == OrderStatus.SHIPPED
    clock.advance(180)
    after = iso(shipped_at + timedelta(seconds=1))
    old = v0_order(sp, placed.order_id, LastUpdatedAfter=after)
    new = v2026_order(sp, placed.order_id, lastUpdatedAfter=after)
    assert old is not None and new is not None, "the edit is a change Amazon dates"
    assert old["LastUpdateDate"] == iso(shipped_at + timedelta(seconds=900))
    with pytest.raises(ValueError, match="no longer changes"):
        simulator.orders.update_order(placed.order_id, ship_days=1)


def test_a_cancellation_drops_the_updates_still_to_come(clock):
    config = SimulatorConfig.focused(orders_per_hour=40.0, order_seed=5, order_update_rate=1.0)
    simulator = Simulator(config, clock)
    simulator.seed_listings({**row, "quantity": 10_000} for row in LISTINGS)
    clock.advance(3600)
    now = clock.now()
    orders = simulator.orders.orders_of(config.seller_id, now)
    waiting = next(o for o in orders if o.updates and o.updates[0].at > now)
    simulator.orders.cancel_order(waiting.order_id)
    clock.advance(2 * 24 * 3600)
    state = simulator.orders.order(waiting.order_id)
    assert state.status == OrderStatus.CANCELED
    assert state.last_updated_at == now, "no change after the cancellation"


# Pages that repeat an order


REPEATS = SimulatorConfig.focused(order_page_duplicates=0.5, order_seed=2, limit_overrides=MANY)


@pytest.fixture
def many(simulator):
    simulator.seed_listings(LISTINGS)
    rows = [{"purchased_at": ago(3 + 7 * n)} for n in range(120)]
    return sorted(simulator.orders.seed_orders(rows), key=lambda o: o.purchased_at)


def v0_pages(sp, **params):
    pages = [ok(get_orders(sp, **params))["payload"]]
    while "NextToken" in pages[-1]:
        params["NextToken"] = pages[-1]["NextToken"]
        pages.append(ok(get_orders(sp, **params))["payload"])
    return [[order["AmazonOrderId"] for order in page["Orders"]] for page in pages]


def v2026_pages(sp, **params):
    pages = [ok(search_orders(sp, **params))]
    while "pagination" in pages[-1]:
        params["paginationToken"] = pages[-1]["pagination"]["nextToken"]
        pages.append(ok(search_orders(sp, **params)))
    return [[order["orderId"] for order in page["orders"]] for page in pages]


def repeats(pages: list[list[str]]) -> list[str]:
    """Orders a page starts with that ended the page before."""
    return [page[0] for before, page in itertools.pairwise(pages) if page[0] in before]


@pytest.mark.parametrize("config", [REPEATS], indirect=True)
@pytest.mark.parametrize(
    ("pages", "window"),
    [(v0_pages, "CreatedAfter"), (v0_pages, "LastUpdatedAfter"), (v2026_pages, "createdAfter")],
)
def test_pages_after_the_first_repeat_an_order_of_the_page_before(sp, many, pages, window):
    size = "MaxResultsPerPage" if pages is v0_pages else "maxResultsPerPage"
    found = pages(sp, **{window: iso(ago(3000)), size: 10})
    assert all(len(page) <= 10 for page in found)
    repeated = repeats(found)
    assert 1 <= len(repeated) < len(found) - 1, "a share of the pages, not all"
    for before, page in itertools.pairwise(found):
        if page[0] in before:
            assert page[0] == before[-1], "the repeat is the last order of the page before"
            assert len(set(page)) == len(page)
    seen = [order_id for page in found for order_id in page]
    assert len(seen) == len(many) + len(repeated)
    assert list(dict.fromkeys(seen)) == [order.order_id for order in many], "no gap, in order"


@pytest.mark.parametrize("config", [REPEATS], indirect=True)
def test_asking_for_a_page_again_gives_the_same_page(sp, many):
    payload = ok(get_orders(sp, CreatedAfter=iso(ago(3000)), MaxResultsPerPage=10))["payload"]
    pages = [payload]
    while "NextToken" in payload:
        asked = [
            ok(get_orders(sp, NextToken=payload["NextToken"], MaxResultsPerPage=10))["payload"]
            for _ in range(2)
        ]
        assert asked[0] == asked[1]
        payload = asked[0]
        pages.append(payload)
    assert repeats([[o["AmazonOrderId"] for o in page["Orders"]] for page in pages])


def test_stable_pages_never_repeat_an_order(sp, many):
    found = v0_pages(sp, CreatedAfter=iso(ago(3000)), MaxResultsPerPage=10)
    assert repeats(found) == []
    assert [order_id for page in found for order_id in page] == [o.order_id for o in many]
