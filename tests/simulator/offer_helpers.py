"""Helpers for the catalog, offer-feed and reports tests: message builders and requests."""

from __future__ import annotations

import json
from typing import Any

import httpx

from amazon_jobs.clock import VirtualClock

from .helpers import MODELS, US, SpApi

CATALOG = "/catalog/2022-04-01"
REPORTS = "/reports/2021-06-30"
PRICE_PATH = "/attributes/purchasable_offer"
DE = "A1PA6795UKMFR9"


def report_schema() -> dict[str, Any]:
    path = MODELS / "listings-feed-processing-report-schema-v2.json"
    return dict(json.loads(path.read_text()))


def purchasable_offer(price: Any = 19.99, currency: str | None = "USD") -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "marketplace_id": US,
        "audience": "ALL",
        "our_price": [{"schedule": [{"value_with_tax": price}]}],
    }
    if currency is not None:
        entry["currency"] = currency
    return [entry]


def offer_message(
    message_id: int,
    sku: str,
    asin: str | None = None,
    *,
    price: Any = 19.99,
    quantity: int | None = 5,
    ean: str | None = None,
    leave_out: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An offer-only UPDATE on *asin* (or on the product with *ean*)."""
    attributes: dict[str, Any] = {
        "condition_type": [{"value": "new_new", "marketplace_id": US}],
        "purchasable_offer": purchasable_offer(price),
    }
    if asin is not None:
        attributes["merchant_suggested_asin"] = [{"value": asin, "marketplace_id": US}]
    if ean is not None:
        attributes["externally_assigned_product_identifier"] = [
            {"type": "ean", "value": ean, "marketplace_id": US}
        ]
    if quantity is not None:
        attributes["fulfillment_availability"] = [
            {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
        ]
    for name in leave_out:
        attributes.pop(name, None)
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "UPDATE",
        "productType": "PRODUCT",
        "requirements": "LISTING_OFFER_ONLY",
        "attributes": attributes,
    }


def price_patch(price: Any, op: str = "replace", currency: str | None = "USD") -> dict[str, Any]:
    return {"op": op, "path": PRICE_PATH, "value": purchasable_offer(price, currency)}


def search(sp: SpApi, clock: VirtualClock, **params: Any) -> httpx.Response:
    """searchCatalogItems one second after the previous call, so the bucket is never empty."""
    clock.advance(1)
    params.setdefault("marketplaceIds", US)
    return sp.request("GET", f"{CATALOG}/items", params=params)


def create_report(
    sp: SpApi, report_type: str = "GET_MERCHANT_LISTINGS_ALL_DATA", **body: Any
) -> str:
    body = {"reportType": report_type, "marketplaceIds": [sp.config.marketplace_id], **body}
    response = sp.request("POST", f"{REPORTS}/reports", json=body)
    assert response.status_code == 202, response.text
    return str(response.json()["reportId"])


def get_report(sp: SpApi, report_id: str) -> dict[str, Any]:
    response = sp.request("GET", f"{REPORTS}/reports/{report_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def download_report(sp: SpApi, report_id: str) -> tuple[bytes, str]:
    """The bytes (gunzipped when the document says GZIP) and Content-Type of a DONE report."""
    document_id = get_report(sp, report_id)["reportDocumentId"]
    return sp.download(f"{REPORTS}/documents/{document_id}")
