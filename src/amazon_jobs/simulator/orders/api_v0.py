"""The Orders API v0 operations, run by the gateway under the simulator's lock.

getOrders, getOrder and getOrderItems answer ``{"payload": ...}``;
confirmShipment answers 204 with no body. An order id that is not in the 3-7-7
form is a 400, an order the caller's seller does not have a 404
(``simulator.orders.access``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.gateway import Call, Reply
from amazon_jobs.simulator.common.query import Params, decode_token, encode_token, last
from amazon_jobs.simulator.orders.access import find_order, search_page
from amazon_jobs.simulator.orders.json_v0 import order_item_json, order_json, v0_time
from amazon_jobs.simulator.orders.markets import marketplace
from amazon_jobs.simulator.orders.model import SimOrder
from amazon_jobs.simulator.orders.query_v0 import orders_request
from amazon_jobs.simulator.orders.shipment import confirm, package_spec
from amazon_jobs.simulator.orders.window import NAMES_V0

__all__ = ["confirm_shipment", "get_order", "get_order_items", "get_orders"]

#: Order items per getOrderItems page.
ITEMS_PER_PAGE = 100


def get_orders(call: Call, params: Params) -> Reply:
    """GET /orders/v0/orders -> 200 {payload: {Orders, NextToken?, CreatedBefore?, ...}}."""
    settling = timedelta(seconds=call.simulator.config.order_settling_s)
    request = orders_request(params, call.seller_id, call.now, settling)
    query = request.query
    orders, next_token = search_page(call, query, request.cursor, request.page_size)
    payload: dict[str, Any] = {"Orders": [order_json(o, call.now) for o in orders]}
    if next_token is not None:
        payload["NextToken"] = next_token
    payload[NAMES_V0.before(query.date_field)] = v0_time(query.before)
    return Reply(200, {"payload": payload})


def get_order(call: Call, order_id: str) -> Reply:
    """GET /orders/v0/orders/{orderId} -> 200 {payload: Order}."""
    return Reply(200, {"payload": order_json(find_order(call, order_id), call.now)})


def get_order_items(call: Call, order_id: str, params: Params) -> Reply:
    """GET /orders/v0/orders/{orderId}/orderItems -> 200 {payload: {AmazonOrderId, OrderItems}}."""
    order = find_order(call, order_id)
    start = _items_start(last(params, "NextToken"), order)
    market, paid, shipped = (
        marketplace(order.marketplace_id),
        order.is_paid(call.now),
        order.shipped(),
    )
    items = order.items[start : start + ITEMS_PER_PAGE]
    payload: dict[str, Any] = {
        "AmazonOrderId": order.order_id,
        "OrderItems": [
            order_item_json(item, shipped[item.order_item_id], market, paid) for item in items
        ],
    }
    if start + ITEMS_PER_PAGE < len(order.items):
        payload["NextToken"] = _items_token(order.order_id, start + ITEMS_PER_PAGE)
    return Reply(200, {"payload": payload})


def confirm_shipment(call: Call, order_id: str, body: bytes) -> Reply:
    """POST /orders/v0/orders/{orderId}/shipmentConfirmation -> 204, no body."""
    order = find_order(call, order_id)
    confirm(order, package_spec(body), call.now)
    return Reply(204)


def _items_token(order_id: str, start: int) -> str:
    return encode_token({"o": order_id, "n": start})


def _items_start(token: str | None, order: SimOrder) -> int:
    if token is None:
        return 0
    data = decode_token(token) or {}
    start = data.get("n")
    if data.get("o") == order.order_id and isinstance(start, int) and 0 < start < len(order.items):
        return start
    raise invalid_input("The NextToken is invalid: send one from this order's getOrderItems.")
