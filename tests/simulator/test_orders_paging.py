"""Paging through hundreds of orders: getOrders NextToken and searchOrders paginationToken."""

from __future__ import annotations

from datetime import timedelta

import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import START
from .order_helpers import (
    LISTINGS,
    ago,
    confirm,
    get_orders,
    iso,
    ok,
    package,
    refused,
    search_orders,
)

MANY = {op: {"burst": 10_000} for op in ("getOrders", "searchOrders")}


@pytest.fixture
def config(request: pytest.FixtureRequest) -> SimulatorConfig:
    return getattr(request, "param", SimulatorConfig.focused(limit_overrides=MANY))


@pytest.fixture
def many(simulator):
    """350 orders, one every 7 minutes, the last placed 3 minutes before START."""
    simulator.seed_listings(LISTINGS)
    rows = [{"purchased_at": ago(3 + 7 * n)} for n in range(350)]
    return sorted(simulator.orders.seed_orders(rows), key=lambda o: o.purchased_at)


def v0_pages(sp, **params):
    pages = [ok(get_orders(sp, **params))["payload"]]
    while "NextToken" in pages[-1]:
        params["NextToken"] = pages[-1]["NextToken"]
        pages.append(ok(get_orders(sp, **params))["payload"])
    return pages


def v2026_pages(sp, **params):
    pages = [ok(search_orders(sp, **params))]
    while "pagination" in pages[-1]:
        params["paginationToken"] = pages[-1]["pagination"]["nextToken"]
        pages.append(ok(search_orders(sp, **params)))
    return pages


def test_get_orders_pages_oldest_first_without_duplicates_or_gaps(sp, many):
    pages = v0_pages(sp, CreatedAfter=iso(ago(3000)), MaxResultsPerPage=40)
    assert [len(page["Orders"]) for page in pages] == [40] * 8 + [30]
    seen = [order["AmazonOrderId"] for page in pages for order in page["Orders"]]
    assert seen == [order.order_id for order in many]
    assert all(page["CreatedBefore"] == iso(START - timedelta(minutes=2)) for page in pages)


def test_search_orders_pages_oldest_first_without_duplicates_or_gaps(sp, many):
    pages = v2026_pages(sp, createdAfter=iso(ago(3000)), maxResultsPerPage=64)
    assert [len(page["orders"]) for page in pages] == [64] * 5 + [30]
    seen = [order["orderId"] for page in pages for order in page["orders"]]
    assert seen == [order.order_id for order in many]
    assert "pagination" not in pages[-1]


def test_pages_default_to_100_orders(sp, many):
    pages = v0_pages(sp, CreatedAfter=iso(ago(3000)))
    assert [len(page["Orders"]) for page in pages] == [100, 100, 100, 50]


def test_updates_between_pages_never_duplicate_an_order(sp, simulator, clock, many):
    first = ok(get_orders(sp, LastUpdatedAfter=iso(ago(3000)), MaxResultsPerPage=100))
    payload = first["payload"]
    bound = payload["LastUpdatedBefore"]
    handed_out = [order["AmazonOrderId"] for order in payload["Orders"]]
    clock.advance(600)
    later = many[-1]
    item = later.items[0]
    assert confirm(sp, later.order_id, package([(item.order_item_id, 1)])).status_code == 204
    rest = v0_pages(sp, LastUpdatedAfter=iso(ago(3000)), NextToken=payload["NextToken"])
    handed_out += [order["AmazonOrderId"] for page in rest for order in page["Orders"]]
    assert len(handed_out) == len(set(handed_out)) == len(many) - 1
    assert later.order_id not in handed_out, "updated after the window: the next import's"
    clock.advance(120)
    following = ok(get_orders(sp, LastUpdatedAfter=bound))["payload"]
    assert [order["AmazonOrderId"] for order in following["Orders"]] == [later.order_id]


STREAM = SimulatorConfig.focused(orders_per_hour=600.0, order_backlog_h=3.0, limit_overrides=MANY)


@pytest.mark.parametrize("config", [STREAM], indirect=True)
def test_the_streams_orders_page_the_same_in_both_apis(sp, simulator):
    simulator.seed_listings(LISTINGS)
    expected = [
        order.order_id
        for order in simulator.orders.orders()
        if order.purchased_at <= START - timedelta(minutes=2)
    ]
    assert len(expected) > 1000
    v0 = v0_pages(sp, CreatedAfter=iso(ago(4 * 60)))
    assert [order["AmazonOrderId"] for page in v0 for order in page["Orders"]] == expected
    v2026 = v2026_pages(sp, createdAfter=iso(ago(4 * 60)), includedData="FULFILLMENT")
    assert [order["orderId"] for page in v2026 for order in page["orders"]] == expected
    v0_status = {o["AmazonOrderId"]: o["OrderStatus"] for page in v0 for o in page["Orders"]}
    statuses = {
        (v0_status[order["orderId"]], order["fulfillment"]["fulfillmentStatus"])
        for page in v2026
        for order in page["orders"]
    }
    assert statuses == {("Unshipped", "UNSHIPPED"), ("Canceled", "CANCELLED")} | (
        {("Pending", "PENDING")} & statuses
    )


def test_a_page_token_belongs_to_its_seller(sp, simulator, many):
    payload = ok(get_orders(sp, CreatedAfter=iso(ago(3000)), MaxResultsPerPage=10))["payload"]
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    sp.token = sp.login("Atzr|other")
    error = refused(get_orders(sp, NextToken=payload["NextToken"]))
    assert "NextToken is invalid" in error["message"]
