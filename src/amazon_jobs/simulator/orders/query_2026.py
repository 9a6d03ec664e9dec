"""The searchOrders (2026-01-01) query string as a search, or a 400 that says what to fix.

A ``paginationToken`` must come back with the same parameters as the request
that produced it; only ``maxResultsPerPage`` and ``includedData`` may change.
Tokens expire ``pagination_token_ttl_s`` after they were issued (24 h).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.query import (
    Params,
    at_most,
    enum_values,
    last,
    page_size,
    time_param,
    values,
)
from amazon_jobs.simulator.orders.json_2026 import INCLUDED_DATA
from amazon_jobs.simulator.orders.model import OrderStatus
from amazon_jobs.simulator.orders.search import Cursor, OrderQuery
from amazon_jobs.simulator.orders.tokens import PageToken, read_page_token
from amazon_jobs.simulator.orders.window import NAMES_2026, SETTLING, window

__all__ = ["SearchRequest", "included_data", "search_request"]

_MAX_MARKETPLACES = 50
_STATUSES = tuple(dict.fromkeys(status.fulfillment_status for status in OrderStatus))
_FULFILLED_BY = {"MERCHANT": "MFN", "AMAZON": "AFN"}
_WINDOW_NAMES = (
    NAMES_2026.created_after,
    NAMES_2026.created_before,
    NAMES_2026.updated_after,
    NAMES_2026.updated_before,
)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A valid searchOrders request."""

    query: OrderQuery
    page_size: int
    included: frozenset[str]
    #: The normalized filter parameters, carried by the next paginationToken.
    params: dict[str, Any]
    cursor: Cursor | None = None


def included_data(params: Params) -> frozenset[str]:
    """The ``includedData`` datasets asked for."""
    return frozenset(enum_values(params, "includedData", INCLUDED_DATA))


def search_request(
    params: Params,
    seller_id: str,
    now: datetime,
    token_ttl: timedelta,
    settling: timedelta = SETTLING,
) -> SearchRequest:
    """The searchOrders request in *params* for *seller_id* at *now*."""
    size = page_size(params, "maxResultsPerPage", default=100, maximum=100, echo=True)
    included, signature = included_data(params), _signature(params)
    text = last(params, "paginationToken")
    if text is None:
        return SearchRequest(_query(params, now, settling), size, included, signature)
    token = _token(text, seller_id, now, token_ttl)
    if token.params != signature:
        raise invalid_input(
            "The paginationToken belongs to a search with other parameters: send the same "
            "parameters as the first request (only maxResultsPerPage and includedData may change)."
        )
    return SearchRequest(token.query, size, included, signature, token.cursor)


def _token(text: str, seller_id: str, now: datetime, ttl: timedelta) -> PageToken:
    token = read_page_token(text)
    if token is None or token.seller_id != seller_id or not token.params:
        raise invalid_input("The paginationToken is invalid: send pagination.nextToken as it came.")
    if now - token.issued_at > ttl:
        raise invalid_input(
            "The paginationToken has expired: tokens are valid for 24 hours. "
            "Start the search again without it."
        )
    return token


def _signature(params: Params) -> dict[str, Any]:
    """The filter parameters, normalized, so two requests can be compared."""
    signature: dict[str, Any] = {}
    for name in _WINDOW_NAMES:
        value = time_param(params, name, echo=True)
        if value is not None:
            signature[name] = value.isoformat()
    lists = {
        "fulfillmentStatuses": enum_values(params, "fulfillmentStatuses", _STATUSES),
        "fulfilledBy": enum_values(params, "fulfilledBy", tuple(_FULFILLED_BY)),
        "marketplaceIds": at_most(
            values(params, "marketplaceIds"), "marketplaceIds", _MAX_MARKETPLACES, echo=True
        ),
    }
    signature.update({name: sorted(set(found)) for name, found in lists.items() if found})
    return signature


def _query(params: Params, now: datetime, settling: timedelta) -> OrderQuery:
    span = window(params, NAMES_2026, now, settling)
    statuses = values(params, "fulfillmentStatuses")
    return OrderQuery(
        date_field=span.date_field,
        after=span.after,
        before=span.before,
        statuses=frozenset(_v0_statuses(statuses)),
        channels=frozenset(_FULFILLED_BY[name] for name in values(params, "fulfilledBy")),
        marketplace_ids=frozenset(values(params, "marketplaceIds")),
    )


def _v0_statuses(names: list[str]) -> list[OrderStatus]:
    return [status for status in OrderStatus if status.fulfillment_status in names]
