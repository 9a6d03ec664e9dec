"""The Listings Items API's answers as JSON (listingsItems_2021-08-01.json).

- :func:`item_json`: the ``Item`` of getListingsItem, with the sections
  ``includedData`` asks for. ``summaries``, ``offers``,
  ``fulfillmentAvailability`` and ``issues`` are built as in a processing
  report's ``items`` (``feeds.processing_report.build_items``: the report's
  items are this API's Item, its ``apiVersion`` 2021-08-01); ``attributes``
  holds the offer attributes the simulator keeps, in the shapes a listings
  message sends them [sp-api-facts.md §4]; ``productTypes`` and
  ``relationships`` one entry for the marketplace (no relationships);
  ``procurement`` is vendor data and left out, as for any seller.
- :func:`submission_json`: the ``ListingsItemSubmissionResponse`` of
  putListingsItem, patchListingsItem and deleteListingsItem.

Issues are the model's ``Issue`` (code, message, severity, attributeNames,
categories): :meth:`.Issue.to_item_json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from amazon_jobs.simulator.common.locales import locale_of
from amazon_jobs.simulator.feeds.processing_report import ItemView, build_items
from amazon_jobs.simulator.listings.issues import Issue
from amazon_jobs.simulator.listings.offer_values import (
    ASIN_ATTRIBUTE,
    CONDITION_ATTRIBUTE,
    PRICE_ATTRIBUTE,
    QUANTITY_ATTRIBUTE,
)
from amazon_jobs.simulator.models import SimListing

__all__ = ["ITEM_DATA", "SUBMISSION_DATA", "item_json", "listing_attributes", "submission_json"]

#: getListingsItem's ``includedData`` values, in the model's order.
ITEM_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
#: put/patchListingsItem's ``includedData`` values.
SUBMISSION_DATA = ("identifiers", "issues")


def submission_json(
    sku: str,
    status: str,
    submission_id: str,
    issues: Sequence[Issue],
    included: Iterable[str],
    identifiers: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A ``ListingsItemSubmissionResponse``; *identifiers* only where the caller may
    have them (a validation preview that asked for them)."""
    wanted = set(included)
    body: dict[str, Any] = {"sku": sku, "status": status, "submissionId": submission_id}
    if "issues" in wanted:
        body["issues"] = [issue.to_item_json() for issue in issues]
    if identifiers is not None:
        body["identifiers"] = identifiers
    return body


def item_json(
    sku: str,
    listing: SimListing,
    issues: Sequence[Issue],
    included: Iterable[str],
    view: ItemView,
) -> dict[str, Any]:
    """The ``Item`` of *listing* with the sections in *included*."""
    wanted = set(included)
    (item,) = build_items([sku], {sku: listing}.get, wanted, view, lambda _: issues)
    if "attributes" in wanted:
        item["attributes"] = listing_attributes(listing, view.marketplace_id)
    if "relationships" in wanted:
        item["relationships"] = [{"marketplaceId": view.marketplace_id, "relationships": []}]
    if "productTypes" in wanted:
        summary_type = listing.product_type or _catalog_type(listing, view)
        item["productTypes"] = [{"marketplaceId": view.marketplace_id, "productType": summary_type}]
    return item


def listing_attributes(listing: SimListing, marketplace_id: str) -> dict[str, Any]:
    """The offer attributes of *listing*, as a listings message would set them."""
    attributes: dict[str, Any] = {
        CONDITION_ATTRIBUTE: [
            {"value": listing.condition or "new_new", "marketplace_id": marketplace_id}
        ],
        QUANTITY_ATTRIBUTE: [{"fulfillment_channel_code": "DEFAULT", "quantity": listing.quantity}],
    }
    if listing.asin is not None:
        attributes[ASIN_ATTRIBUTE] = [{"value": listing.asin, "marketplace_id": marketplace_id}]
    if listing.price is not None:
        attributes[PRICE_ATTRIBUTE] = [_offer(listing.price, listing.currency, marketplace_id)]
    return attributes


def _offer(price: Decimal, currency: str | None, marketplace_id: str) -> dict[str, Any]:
    return {
        "marketplace_id": marketplace_id,
        "currency": currency or locale_of(marketplace_id).currency,
        "audience": "ALL",
        "our_price": [{"schedule": [{"value_with_tax": float(price)}]}],
    }


def _catalog_type(listing: SimListing, view: ItemView) -> str:
    product = None if listing.asin is None else view.catalog.get(listing.asin)
    return product.product_type if product is not None else "PRODUCT"
