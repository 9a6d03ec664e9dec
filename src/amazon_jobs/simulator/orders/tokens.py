"""Opaque page tokens of the order searches: NextToken (v0) and paginationToken (2026).

A token carries the whole search (window and filters), where the next page
starts, the seller it was issued to, when it was issued, and for 2026 the
request parameters it must be sent back with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from amazon_jobs.simulator.common.query import decode_token, encode_token
from amazon_jobs.simulator.common.timefmt import parse_time
from amazon_jobs.simulator.orders.model import OrderStatus
from amazon_jobs.simulator.orders.search import Cursor, DateField, OrderQuery

__all__ = ["PageToken", "read_page_token", "write_page_token"]


@dataclass(frozen=True, slots=True)
class PageToken:
    """What a page token stands for."""

    seller_id: str
    query: OrderQuery
    cursor: Cursor
    issued_at: datetime
    #: The normalized request parameters the next request must repeat (2026 only).
    params: dict[str, Any] = field(default_factory=dict)


def write_page_token(token: PageToken) -> str:
    """The token as an opaque URL-safe string."""
    return encode_token(
        {
            "s": token.seller_id,
            "q": _query_json(token.query),
            "c": [token.cursor.at.isoformat(), token.cursor.order_id],
            "i": token.issued_at.isoformat(),
            "p": token.params,
        }
    )


def read_page_token(text: str) -> PageToken | None:
    """The token *text* stands for, or None if it is not one of ours."""
    data = decode_token(text)
    if data is None:
        return None
    try:
        at, order_id = data["c"]
        return PageToken(
            seller_id=str(data["s"]),
            query=_query(data["q"]),
            cursor=Cursor(parse_time(at), str(order_id)),
            issued_at=parse_time(data["i"]),
            params=dict(data["p"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _query_json(query: OrderQuery) -> dict[str, Any]:
    return {
        "date_field": str(query.date_field),
        "after": query.after.isoformat(),
        "before": query.before.isoformat(),
        "statuses": sorted(str(status) for status in query.statuses),
        "channels": sorted(query.channels),
        "marketplace_ids": sorted(query.marketplace_ids),
        "order_ids": sorted(query.order_ids),
        "seller_order_id": query.seller_order_id,
        "match_none": query.match_none,
    }


def _query(data: dict[str, Any]) -> OrderQuery:
    seller_order_id = data["seller_order_id"]
    return OrderQuery(
        date_field=DateField(data["date_field"]),
        after=parse_time(data["after"]),
        before=parse_time(data["before"]),
        statuses=frozenset(OrderStatus(status) for status in data["statuses"]),
        channels=frozenset(data["channels"]),
        marketplace_ids=frozenset(data["marketplace_ids"]),
        order_ids=frozenset(data["order_ids"]),
        seller_order_id=None if seller_order_id is None else str(seller_order_id),
        match_none=bool(data["match_none"]),
    )
