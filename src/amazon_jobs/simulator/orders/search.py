"""Selecting and paging a seller's orders, shared by getOrders (v0) and searchOrders (2026).

A search is an :class:`OrderQuery` with a fixed window ``[after, before]`` on
one date (purchase or last update). Pages are keyset pages, oldest first, on
``(date, order id)``: a :class:`Cursor` names the last order handed out, so
the next page starts right after it whatever was added or changed meanwhile.
An order updated after *before* leaves the window (it belongs to the next
search), so no order is skipped, and none appears twice unless the page is
asked to *repeat* the order at its cursor (``simulator.orders.page_repeats``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from amazon_jobs.simulator.orders.model import OrderStatus, SimOrder

__all__ = ["Cursor", "DateField", "OrderPage", "OrderQuery", "search"]

#: Every simulated order is fulfilled by the merchant (v0 ``FulfillmentChannel``).
MERCHANT_CHANNEL = "MFN"


class DateField(StrEnum):
    """The date a search window applies to."""

    CREATED = "created"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """A valid search: the window and the filters (an empty filter lets all through)."""

    date_field: DateField
    after: datetime
    before: datetime
    statuses: frozenset[OrderStatus] = frozenset()
    #: ``MFN`` and/or ``AFN``.
    channels: frozenset[str] = frozenset()
    marketplace_ids: frozenset[str] = frozenset()
    order_ids: frozenset[str] = frozenset()
    seller_order_id: str | None = None
    #: A filter no simulated order can pass (e.g. Easy Ship statuses).
    match_none: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last order of a page: its date and id."""

    at: datetime
    order_id: str


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of a search, and where the next one starts (None: last page)."""

    orders: list[SimOrder]
    next_cursor: Cursor | None


def search(
    orders: Sequence[SimOrder],
    query: OrderQuery,
    cursor: Cursor | None,
    page_size: int,
    now: datetime,
    *,
    repeat: bool = False,
) -> OrderPage:
    """The page of *orders* matching *query* that follows *cursor*, oldest first.

    With *repeat* (and room for more than one order) the page starts with the order
    at *cursor* again if it is still there, the last one of the page before.
    """
    keyed = sorted(
        ((_date(order, query, now), order.order_id), order)
        for order in orders
        if matches(order, query, now)
    )
    repeated: list[SimOrder] = []
    if cursor is not None:
        at_cursor = (cursor.at, cursor.order_id)
        if repeat and page_size > 1:
            repeated = [order for key, order in keyed if key == at_cursor]
        keyed = [(key, order) for key, order in keyed if key > at_cursor]
    room = page_size - len(repeated)
    page = keyed[:room]
    found = repeated + [order for _, order in page]
    if len(keyed) <= room:
        return OrderPage(found, None)
    (at, order_id), _ = page[-1]
    return OrderPage(found, Cursor(at, order_id))


def matches(order: SimOrder, query: OrderQuery, now: datetime) -> bool:
    """Whether *order* is in the window and passes every filter at *now*."""
    if query.match_none or not query.after <= _date(order, query, now) <= query.before:
        return False
    if query.statuses and order.status_at(now) not in query.statuses:
        return False
    if query.channels and MERCHANT_CHANNEL not in query.channels:
        return False
    if query.marketplace_ids and order.marketplace_id not in query.marketplace_ids:
        return False
    if query.order_ids and order.order_id not in query.order_ids:
        return False
    return query.seller_order_id is None or order.seller_order_id == query.seller_order_id


def _date(order: SimOrder, query: OrderQuery, now: datetime) -> datetime:
    if query.date_field == DateField.CREATED:
        return order.purchased_at
    return order.updated_at(now)
