"""The Orders API 2026-01-01 operations, run by the gateway under the simulator's lock.

searchOrders answers ``{"orders", "pagination"?, "createdBefore"|"lastUpdatedBefore"}``
and getOrder ``{"order"}``; orders are the same as v0's, items always inline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amazon_jobs.simulator.common.gateway import Call, Reply
from amazon_jobs.simulator.common.query import Params
from amazon_jobs.simulator.orders.access import find_order, search_page
from amazon_jobs.simulator.orders.json_2026 import order_json
from amazon_jobs.simulator.orders.json_v0 import v0_time
from amazon_jobs.simulator.orders.query_2026 import included_data, search_request
from amazon_jobs.simulator.orders.window import NAMES_2026

__all__ = ["get_order", "search_orders"]


def search_orders(call: Call, params: Params) -> Reply:
    """GET /orders/2026-01-01/orders -> 200 SearchOrdersResponse, oldest first."""
    ttl = timedelta(seconds=call.simulator.config.pagination_token_ttl_s)
    settling = timedelta(seconds=call.simulator.config.order_settling_s)
    request = search_request(params, call.seller_id, call.now, ttl, settling)
    query = request.query
    orders, next_token = search_page(call, query, request.cursor, request.page_size, request.params)
    body: dict[str, Any] = {
        "orders": [order_json(order, call.now, request.included) for order in orders]
    }
    if next_token is not None:
        body["pagination"] = {"nextToken": next_token}
    body[NAMES_2026.before(query.date_field)] = v0_time(query.before)
    return Reply(200, body)


def get_order(call: Call, order_id: str, params: Params) -> Reply:
    """GET /orders/2026-01-01/orders/{orderId} -> 200 {order}."""
    order = find_order(call, order_id)
    return Reply(200, {"order": order_json(order, call.now, included_data(params))})
