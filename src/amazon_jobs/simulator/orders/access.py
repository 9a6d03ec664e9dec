"""How the Orders operations of both versions reach the caller's orders.

One order by id (400 if the id is malformed, 404 if the caller's seller has
no such order), or one page of a search with the token of the next page; a
share of the pages repeats an order of the page before
(``simulator.orders.page_repeats``).
"""

from __future__ import annotations

from typing import Any

from amazon_jobs.simulator.common.errors import invalid_input, not_found
from amazon_jobs.simulator.common.gateway import Call
from amazon_jobs.simulator.orders.model import SimOrder, is_order_id
from amazon_jobs.simulator.orders.page_repeats import repeats_previous
from amazon_jobs.simulator.orders.search import Cursor, OrderQuery, search
from amazon_jobs.simulator.orders.tokens import PageToken, write_page_token

__all__ = ["find_order", "search_page"]


def find_order(call: Call, order_id: str) -> SimOrder:
    """The caller's order *order_id*: 400 if malformed, 404 if the seller has none."""
    if not is_order_id(order_id):
        raise invalid_input(
            f"Invalid AmazonOrderId {order_id!r}: it has the 3-7-7 form, e.g. 902-1845936-5435065."
        )
    order = call.simulator.orders.find(call.seller_id, order_id, call.now)
    if order is None:
        raise not_found(f"Order {order_id} was not found.")
    return order


def search_page(
    call: Call,
    query: OrderQuery,
    cursor: Cursor | None,
    page_size: int,
    token_params: dict[str, Any] | None = None,
) -> tuple[list[SimOrder], str | None]:
    """The caller's orders of *query* after *cursor*, and the next page's token (None: last).

    The token carries *token_params*, the parameters the next request must repeat.
    """
    orders = call.simulator.orders.orders_of(call.seller_id, call.now)
    repeat = repeats_previous(call.simulator.config, call.seller_id, cursor)
    page = search(orders, query, cursor, page_size, call.now, repeat=repeat)
    if page.next_cursor is None:
        return page.orders, None
    token = PageToken(call.seller_id, query, page.next_cursor, call.now, token_params or {})
    return page.orders, write_page_token(token)
