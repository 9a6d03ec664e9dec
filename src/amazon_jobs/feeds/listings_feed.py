"""JSON_LISTINGS_FEED documents (listings-feed-schema-v2), built message by message.

The document is written as bytes as the messages come, so a 25 000-message
feed never exists as one big Python structure.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

__all__ = [
    "CONTENT_TYPE",
    "FEED_TYPE",
    "REPORT_REQUEST",
    "build_feed",
    "offer_message",
    "patch_message",
    "price_patch",
    "quantity_patch",
]

#: Messages encoded per ``json.dumps`` call.
DUMP_BATCH = 1000

FEED_TYPE = "JSON_LISTINGS_FEED"
#: What the processing report is to include besides the refused messages: the issues
#: Amazon finds after accepting a message appear only in its ``items[].issues``, and
#: only when the header asks for them (listings-feed-schema-v2.json ``header.report``;
#: listings-feed-processing-report-schema-v2.json ``items``).
REPORT_REQUEST = {"includedData": ["issues"], "apiVersion": "2021-08-01"}
CONTENT_TYPE = "application/json; charset=UTF-8"
#: productType for PATCH messages that change only offer attributes.
OFFER_PRODUCT_TYPE = "PRODUCT"


def quantity_patch(quantity: int) -> dict[str, Any]:
    """Set the seller-fulfilled (DEFAULT channel) quantity."""
    return {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }


def price_patch(price: Decimal, currency: str, marketplace_id: str) -> dict[str, Any]:
    """Set the offer's price (tax included, as Amazon's marketplaces show it)."""
    return {
        "op": "replace",
        "path": "/attributes/purchasable_offer",
        "value": [_offer(price, currency, marketplace_id)],
    }


def offer_message(
    message_id: int,
    sku: str,
    *,
    asin: str,
    quantity: int,
    price: Decimal,
    currency: str,
    marketplace_id: str,
    condition: str = "new_new",
) -> dict[str, Any]:
    """Create the seller's offer on an existing catalog item (offer-only requirements)."""
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "UPDATE",
        "productType": OFFER_PRODUCT_TYPE,
        "requirements": "LISTING_OFFER_ONLY",
        "attributes": {
            "merchant_suggested_asin": [{"value": asin, "marketplace_id": marketplace_id}],
            "condition_type": [{"value": condition, "marketplace_id": marketplace_id}],
            "purchasable_offer": [_offer(price, currency, marketplace_id)],
            "fulfillment_availability": [
                {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
            ],
        },
    }


def _offer(price: Decimal, currency: str, marketplace_id: str) -> dict[str, Any]:
    return {
        "marketplace_id": marketplace_id,
        "currency": currency,
        "audience": "ALL",
        "our_price": [{"schedule": [{"value_with_tax": float(price)}]}],
    }


def patch_message(message_id: int, sku: str, patches: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": OFFER_PRODUCT_TYPE,
        "patches": patches,
    }


def build_feed(
    seller_id: str, messages: Iterable[dict[str, Any]], issue_locale: str = "en_US"
) -> bytes:
    """The feed document: header (asking for the items' issues in the processing
    report, :data:`REPORT_REQUEST`), then every message, as UTF-8 JSON.

    Messages are encoded :data:`DUMP_BATCH` at a time (one ``json.dumps`` of a
    list is several times faster than one per message, and memory stays flat).
    """
    header = {
        "sellerId": seller_id,
        "version": "2.0",
        "issueLocale": issue_locale,
        "report": REPORT_REQUEST,
    }
    out = io.BytesIO()
    out.write(b'{"header":')
    out.write(_dump(header))
    out.write(b',"messages":[')
    first = True
    for batch in _batches(messages, DUMP_BATCH):
        if not first:
            out.write(b",")
        out.write(_dump(batch)[1:-1])  # the list's items, without its brackets
        first = False
    out.write(b"]}")
    return out.getvalue()


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
