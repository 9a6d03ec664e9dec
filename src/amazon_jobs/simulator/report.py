"""The JSON listings feed processing report (listings-feed-processing-report-schema-v2.json)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from amazon_jobs.simulator.issues import Issue

__all__ = ["API_VERSION", "INCLUDED_DATA", "VERSION", "build_items", "build_report"]

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
        report["summary"]["itemSummary"] = {"items": len(items or []), "errors": 0, "warnings": 0}
        report["items"] = items or []
    return report


def build_items(
    skus: Iterable[str], quantities: Mapping[str, int], included: Iterable[str]
) -> list[dict[str, Any]]:
    """The ``items`` section: one entry per SKU of an accepted message."""
    wanted = set(included)
    items = []
    for sku in skus:
        item: dict[str, Any] = {"sku": sku}
        if "fulfillmentAvailability" in wanted:
            item["fulfillmentAvailability"] = [
                {"fulfillmentChannelCode": "DEFAULT", "quantity": quantities[sku]}
            ]
        if "issues" in wanted:
            item["issues"] = []
        items.append(item)
    return items


def _summary(issues: Sequence[Issue], processed: int, accepted: int) -> dict[str, Any]:
    return {
        "errors": sum(1 for issue in issues if issue.severity == "ERROR"),
        "warnings": sum(1 for issue in issues if issue.severity == "WARNING"),
        "messagesProcessed": processed,
        "messagesAccepted": accepted,
        "messagesInvalid": processed - accepted,
    }
