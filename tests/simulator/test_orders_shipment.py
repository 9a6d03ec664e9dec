"""confirmShipment (Orders v0): packages, partial shipments, edits and refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from amazon_jobs.simulator.orders.model import OrderStatus

from .helpers import START
from .order_helpers import LISTINGS, V0, ago, check_schema, confirm, iso, ok, package, refused


@pytest.fixture
def order(simulator):
    """An Unshipped order of 2 x SKU-A and 1 x SKU-C, placed an hour ago."""
    simulator.seed_listings(LISTINGS)
    return simulator.orders.add_order(
        [{"sku": "SKU-A", "quantity": 2}, {"sku": "SKU-C"}], purchased_at=ago(60)
    )


def item_ids(order):
    return [item.order_item_id for item in order.items]


def test_shipping_everything_answers_204_and_ships_the_order(sp, simulator, clock, order):
    a, c = item_ids(order)
    clock.advance(30)
    response = confirm(sp, order.order_id, package([(a, 2), (c, 1)]))
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["x-amzn-RequestId"]
    assert response.headers["x-amzn-RateLimit-Limit"] == "2.0"
    state = simulator.orders.order(order.order_id)
    assert state.status == OrderStatus.SHIPPED
    assert state.last_updated_at == START + timedelta(seconds=30)
    assert [item.quantity_shipped for item in state.items] == [2, 1]
    [confirmed] = state.packages
    assert (confirmed.reference_id, confirmed.carrier_code, confirmed.tracking_number) == (
        "1",
        "UPS",
        "1Z999AA10123456784",
    )
    payload = ok(sp.request("GET", f"{V0}/{order.order_id}"))["payload"]
    assert payload["OrderStatus"] == "Shipped"
    assert payload["LastUpdateDate"] == iso(START + timedelta(seconds=30))
    assert (payload["NumberOfItemsShipped"], payload["NumberOfItemsUnshipped"]) == (3, 0)
    items = ok(sp.request("GET", f"{V0}/{order.order_id}/orderItems"))
    check_schema("ordersV0.json", "GetOrderItemsResponse", items)
    assert [i["QuantityShipped"] for i in items["payload"]["OrderItems"]] == [2, 1]


def test_a_partial_shipment_then_the_rest(sp, simulator, clock, order):
    a, c = item_ids(order)
    assert confirm(sp, order.order_id, package([(a, 1)])).status_code == 204
    assert simulator.orders.order(order.order_id).status == OrderStatus.PARTIALLY_SHIPPED
    clock.advance(60)
    second = package([(a, 1), (c, 1)], reference_id="2", trackingNumber="1Z2")
    assert confirm(sp, order.order_id, second).status_code == 204
    state = simulator.orders.order(order.order_id)
    assert state.status == OrderStatus.SHIPPED
    assert [p.reference_id for p in state.packages] == ["1", "2"]
    assert state.last_updated_at == START + timedelta(seconds=60)


def test_resending_a_package_edits_it(sp, simulator, clock, order):
    a, c = item_ids(order)
    assert confirm(sp, order.order_id, package([(a, 2), (c, 1)])).status_code == 204
    clock.advance(60)
    edited = package([(a, 2), (c, 1)], trackingNumber="CORRECTED", carrierCode="FedEx")
    assert confirm(sp, order.order_id, edited).status_code == 204, "not counted twice"
    state = simulator.orders.order(order.order_id)
    [only] = state.packages
    assert (only.carrier_code, only.tracking_number) == ("FedEx", "CORRECTED")
    assert only.created_at == START and only.updated_at == START + timedelta(seconds=60)
    assert [item.quantity_shipped for item in state.items] == [2, 1]
    assert state.status == OrderStatus.SHIPPED
    assert state.last_updated_at == START + timedelta(seconds=60)
    smaller = package([(a, 1)])
    assert confirm(sp, order.order_id, smaller).status_code == 204
    state = simulator.orders.order(order.order_id)
    assert state.status == OrderStatus.PARTIALLY_SHIPPED
    assert [item.quantity_shipped for item in state.items] == [1, 0]


def test_shipping_stops_a_later_buyer_cancellation(sp, simulator, clock):
    state = simulator.orders.add_order(purchased_at=ago(10), canceled_at=START + timedelta(hours=1))
    [item_id] = item_ids(state)
    assert confirm(sp, state.order_id, package([(item_id, 1)])).status_code == 204
    clock.advance(2 * 3600)
    assert simulator.orders.order(state.order_id).status == OrderStatus.SHIPPED


def test_an_order_canceled_meanwhile_cannot_ship(sp, simulator, clock):
    cancel = START + timedelta(minutes=30)
    state = simulator.orders.add_order(purchased_at=ago(10), canceled_at=cancel)
    clock.advance(1800)
    error = refused(confirm(sp, state.order_id, package([(item_ids(state)[0], 1)])))
    assert "is Canceled" in error["message"]


def bad_detail(**changes):
    def build(items):
        body = package(items)
        for key, value in changes.items():
            if value is None:
                del body["packageDetail"][key]
            else:
                body["packageDetail"][key] = value
        return body

    return build


@pytest.mark.parametrize(
    ("build", "code", "needle"),
    [
        (lambda items: {**package(items), "marketplaceId": None}, "InvalidInput", "marketplaceId"),
        (lambda items: {"marketplaceId": "ATVPDKIKX0DER"}, "InvalidInput", "packageDetail is"),
        (
            lambda items: {**package(items), "marketplaceId": "A1PA6795UKMFR9"},
            "InvalidInput",
            "not the marketplace of order",
        ),
        (
            bad_detail(packageReferenceId=1),
            "InvalidInput",
            "invalid type [packageDetail.packageReferenceId]",
        ),
        (bad_detail(packageReferenceId="PKG-1"), "InvalidInput", "positive numeric value"),
        (bad_detail(packageReferenceId="0"), "InvalidInput", "positive numeric value"),
        (bad_detail(packageReferenceId=None), "InvalidInput", "packageReferenceId is required"),
        (bad_detail(carrierCode=None), "InvalidInput", "carrierCode is required"),
        (
            bad_detail(carrierCode="Other", carrierName=None),
            "InvalidInput",
            'carrierName is required when carrierCode is "Other"',
        ),
        (bad_detail(trackingNumber=None), "InvalidInput", "trackingNumber is required"),
        (bad_detail(shipDate="02/21/2022"), "Invalid Input", "Invalid Input"),
        (bad_detail(shipDate="2026-11-27"), "Invalid Input", "Invalid Input"),
        (bad_detail(shipDate=None), "InvalidInput", "shipDate is required"),
        (bad_detail(orderItems=None), "InvalidInput", "orderItems is required"),
        (bad_detail(orderItems=[]), "InvalidInput", "orderItems is required"),
        (
            bad_detail(orderItems=[{"orderItemId": "12345678901234", "quantity": 1}]),
            "InvalidInput",
            "OrderItemId 12345678901234 is invalid, please obtain the value through the "
            "getOrderItems API",
        ),
        (
            lambda items: package([(items[0][0], 3)]),
            "InvalidInput",
            "is more than the 2 unit(s)",
        ),
        (lambda items: package([(items[0][0], 0)]), "InvalidInput", "must be at least 1"),
        (
            lambda items: package([(items[0][0], "1")]),  # type: ignore[list-item]
            "InvalidInput",
            "invalid type [packageDetail.orderItems[0].quantity]",
        ),
        (
            lambda items: package([items[0], items[0]]),
            "InvalidInput",
            "appears more than once",
        ),
    ],
)
def test_bad_confirmations_are_refused(sp, simulator, order, build, code, needle):
    a, c = item_ids(order)
    body = build([(a, 2), (c, 1)])
    if body.get("marketplaceId", "") is None:
        del body["marketplaceId"]
    error = refused(confirm(sp, order.order_id, body))
    assert error["code"] == code
    assert needle in error["message"] + error.get("details", "")
    state = simulator.orders.order(order.order_id)
    assert state.status == OrderStatus.UNSHIPPED
    assert state.packages == ()


def test_a_body_that_is_not_json_is_refused(sp, order):
    error = refused(confirm(sp, order.order_id, b"{not json"))
    assert error["code"] == "InvalidInput"
    assert error["message"] == "Request has missing or invalid parameters and cannot be parsed."
    assert refused(confirm(sp, order.order_id, json.dumps([1]).encode()))


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ({"status": "Canceled"}, "is Canceled: a canceled order cannot be shipped"),
        ({"status": "Pending"}, "is Pending: payment is not authorized yet"),
    ],
)
def test_canceled_and_pending_orders_cannot_ship(sp, simulator, row, needle):
    state = simulator.orders.add_order(purchased_at=ago(30), **row)
    error = refused(confirm(sp, state.order_id, package([(item_ids(state)[0], 1)])))
    assert error["code"] == "InvalidInput"
    assert needle in error["message"]


def test_a_new_package_for_a_shipped_order_is_refused(sp, order):
    a, c = item_ids(order)
    assert confirm(sp, order.order_id, package([(a, 2), (c, 1)])).status_code == 204
    error = refused(confirm(sp, order.order_id, package([(a, 1)], reference_id="2")))
    assert "order already fulfilled" in error["message"]


def test_unknown_orders_are_404(sp, simulator):
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    simulator.seed_listings(LISTINGS, seller_id="A2OTHERSELLER")
    theirs = simulator.orders.add_order(seller_id="A2OTHERSELLER")
    body = package([(item_ids(theirs)[0], 1)])
    assert refused(confirm(sp, theirs.order_id, body), 404)["code"] == "NotFound"
    assert refused(confirm(sp, "111-0000000-0000000", body), 404)["code"] == "NotFound"
    assert refused(confirm(sp, "bad-id", body))["code"] == "InvalidInput"
