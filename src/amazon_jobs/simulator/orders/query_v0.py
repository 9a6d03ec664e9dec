"""The getOrders (v0) query string as a search, or a 400 that says what to fix.

With ``NextToken`` the token alone decides the search ("NextToken, when
provided, overrides other criteria"); only ``MaxResultsPerPage`` still counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.query import Params, at_most, enum_values, last, page_size, values
from amazon_jobs.simulator.orders.model import OrderStatus
from amazon_jobs.simulator.orders.search import Cursor, OrderQuery
from amazon_jobs.simulator.orders.tokens import read_page_token
from amazon_jobs.simulator.orders.window import NAMES_V0, SETTLING, window

__all__ = ["OrdersRequest", "orders_request"]

_MAX_IDS = 50
_CHANNELS = ("AFN", "MFN")
_PAYMENT_METHODS = ("COD", "CVS", "Other")
#: Filters that cannot be combined with SellerOrderId.
_NOT_WITH_SELLER_ORDER_ID = (
    "FulfillmentChannels",
    "OrderStatuses",
    "PaymentMethods",
    "LastUpdatedAfter",
    "LastUpdatedBefore",
    "BuyerEmail",
)


@dataclass(frozen=True, slots=True)
class OrdersRequest:
    """A valid getOrders request: the search, the page size and where the page starts."""

    query: OrderQuery
    page_size: int
    cursor: Cursor | None = None


def orders_request(
    params: Params, seller_id: str, now: datetime, settling: timedelta = SETTLING
) -> OrdersRequest:
    """The getOrders request in *params* for *seller_id* at *now*."""
    size = page_size(params, "MaxResultsPerPage", default=100, maximum=100, echo=True)
    text = last(params, "NextToken")
    if text is not None:
        token = read_page_token(text)
        if token is None or token.seller_id != seller_id or token.params:
            raise invalid_input("The NextToken is invalid: send one from a getOrders response.")
        return OrdersRequest(token.query, size, token.cursor)
    return OrdersRequest(_query(params, now, settling), size)


def _query(params: Params, now: datetime, settling: timedelta) -> OrderQuery:
    marketplace_ids = _marketplace_ids(params)
    statuses = enum_values(params, "OrderStatuses", [str(s) for s in OrderStatus])
    seller_order_id = last(params, "SellerOrderId")
    if seller_order_id is not None:
        _alone(params)
    span = window(params, NAMES_V0, now, settling)
    return OrderQuery(
        date_field=span.date_field,
        after=span.after,
        before=span.before,
        statuses=frozenset(OrderStatus(status) for status in statuses),
        channels=frozenset(enum_values(params, "FulfillmentChannels", _CHANNELS)),
        marketplace_ids=frozenset(marketplace_ids),
        order_ids=frozenset(
            at_most(values(params, "AmazonOrderIds"), "AmazonOrderIds", _MAX_IDS, echo=True)
        ),
        seller_order_id=seller_order_id,
        match_none=_none_can_match(params),
    )


def _marketplace_ids(params: Params) -> list[str]:
    found = values(params, "MarketplaceIds")
    if not found:
        raise invalid_input("MarketplaceIds is required: give 1 to 50 marketplace ids.")
    return at_most(found, "MarketplaceIds", _MAX_IDS, echo=True)


def _alone(params: Params) -> None:
    given = [name for name in _NOT_WITH_SELLER_ORDER_ID if last(params, name) is not None]
    if given:
        raise invalid_input(f"{', '.join(given)} cannot be set when SellerOrderId is set.")


def _none_can_match(params: Params) -> bool:
    """Filters no simulated order passes: they are all non-Easy Ship, MFN, paid "Other"."""
    payments = enum_values(params, "PaymentMethods", _PAYMENT_METHODS)
    easy_ship = values(params, "EasyShipShipmentStatuses")
    in_store = (last(params, "IsISPU") or "").lower() == "true"
    return bool(easy_ship) or in_store or (bool(payments) and "Other" not in payments)
