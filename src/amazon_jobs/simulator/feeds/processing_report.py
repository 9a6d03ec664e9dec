"""The JSON listings feed processing report (listings-feed-processing-report-schema-v2.json).

Top-level ``issues`` hold the ERRORs that refuse messages and the WARNINGs of
accepted ones (``simulator.listings.warnings``); ``summary.errors`` and
``summary.warnings`` count them.

When the feed header asks for ``report.includedData``, ``items`` holds one entry
per SKU of an accepted message that still has a listing, with the data sets
asked for: ``summaries`` (asin, productType, conditionType, status, itemName
from the catalog, dates), ``offers`` (the B2C price), ``fulfillmentAvailability``
(DEFAULT quantity) and ``issues``: the listing's issues after acceptance, as the
Listings Items model's ``Issue`` (the issues Amazon already shows on the listing,
such as a 5002 left by an earlier change that failed downstream, and the
warnings of this feed's messages). ``summary.itemSummary`` counts the items and
the ERRORs and WARNINGs among their issues, as in Amazon's example report. Other
data sets are accepted and left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amazon_jobs.simulator.catalog.items import Catalog
from amazon_jobs.simulator.common.locales import locale_of
from amazon_jobs.simulator.common.timefmt import format_time
from amazon_jobs.simulator.listings.issues import Issue
from amazon_jobs.simulator.models import SimListing

__all__ = [
    "API_VERSION",
    "INCLUDED_DATA",
    "VERSION",
    "ItemView",
    "build_items",
    "build_report",
    "misnumbered",
]

VERSION = "2.0"
API_VERSION = "2021-08-01"
INCLUDED_DATA = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)


def build_report(
    *,
    seller_id: str,
    feed_id: str,
    issues: Sequence[Issue],
    processed: int,
    accepted: int,
    requested: Mapping[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A whole report; *requested* is the feed's valid ``header.report``, echoed back."""
    header: dict[str, Any] = {"sellerId": seller_id, "version": VERSION, "feedId": feed_id}
    if requested is not None:
        header["report"] = dict(requested)
    report: dict[str, Any] = {
        "header": header,
        "issues": [issue.to_json() for issue in issues],
        "summary": _summary(issues, processed, accepted),
    }
    if requested is not None:
        report["summary"]["itemSummary"] = _item_summary_counts(items or [])
        report["items"] = items or []
    return report


def _item_summary_counts(items: list[dict[str, Any]]) -> dict[str, int]:
    severities = [issue["severity"] for item in items for issue in item.get("issues", [])]
    return {
        "items": len(items),
        "errors": severities.count("ERROR"),
        "warnings": severities.count("WARNING"),
    }


def misnumbered(report: dict[str, Any], offset: int) -> dict[str, Any]:
    """*report* with every message issue's ``messageId`` moved up by *offset* (a fault)."""
    issues = [
        {**issue, "messageId": issue["messageId"] + offset} if "messageId" in issue else issue
        for issue in report["issues"]
    ]
    return {**report, "issues": issues}


@dataclass(frozen=True, slots=True)
class ItemView:
    """What the ``items`` section needs besides the listings."""

    marketplace_id: str
    catalog: Catalog
    #: When the feed was processed (None: dates left out).
    now: datetime | None = None


def build_items(
    skus: Iterable[str],
    listing_of: Callable[[str], SimListing | None],
    included: Iterable[str],
    view: ItemView,
    issues_of: Callable[[str], Sequence[Issue]] | None = None,
) -> list[dict[str, Any]]:
    """The ``items`` section: one entry per SKU of an accepted message that still exists;
    *issues_of* gives each SKU's issues (none when None)."""
    wanted = set(included)
    items = []
    for sku in skus:
        listing = listing_of(sku)
        if listing is not None:
            issues = issues_of(sku) if issues_of is not None else ()
            items.append(_item(sku, listing, wanted, view, issues))
    return items


def _item(
    sku: str, listing: SimListing, wanted: set[str], view: ItemView, issues: Sequence[Issue]
) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": sku}
    if "summaries" in wanted:
        item["summaries"] = [_item_summary(listing, view)]
    if "offers" in wanted:
        item["offers"] = _offers(listing, view)
    if "fulfillmentAvailability" in wanted:
        item["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": "DEFAULT", "quantity": listing.quantity}
        ]
    if "issues" in wanted:
        item["issues"] = [issue.to_item_json() for issue in issues]
    return item


def _item_summary(listing: SimListing, view: ItemView) -> dict[str, Any]:
    product = None if listing.asin is None else view.catalog.get(listing.asin)
    summary: dict[str, Any] = {"marketplaceId": view.marketplace_id}
    if listing.asin is not None:
        summary["asin"] = listing.asin
    summary["productType"] = listing.product_type or (
        product.product_type if product else "PRODUCT"
    )
    summary["conditionType"] = listing.condition or "new_new"
    buyable = listing.quantity > 0 and listing.price is not None
    summary["status"] = ["BUYABLE", "DISCOVERABLE"] if buyable else ["DISCOVERABLE"]
    if product is not None:
        summary["itemName"] = product.item_name
    if view.now is not None:
        summary["createdDate"] = format_time(listing.opened_at or view.now)
        summary["lastUpdatedDate"] = format_time(view.now)
    return summary


def _offers(listing: SimListing, view: ItemView) -> list[dict[str, Any]]:
    if listing.price is None:
        return []
    currency = listing.currency or locale_of(view.marketplace_id).currency
    return [
        {
            "marketplaceId": view.marketplace_id,
            "offerType": "B2C",
            "price": {"currencyCode": currency, "amount": str(listing.price)},
            "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
        }
    ]


def _summary(issues: Sequence[Issue], processed: int, accepted: int) -> dict[str, Any]:
    return {
        "errors": sum(1 for issue in issues if issue.severity == "ERROR"),
        "warnings": sum(1 for issue in issues if issue.severity == "WARNING"),
        "messagesProcessed": processed,
        "messagesAccepted": accepted,
        "messagesInvalid": processed - accepted,
    }
