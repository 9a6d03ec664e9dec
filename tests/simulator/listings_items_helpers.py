"""Helpers for the Listings Items API tests: requests, bodies and the model's schema."""

from __future__ import annotations

from typing import Any

import httpx

from .helpers import US, SpApi, model_validator
from .offer_helpers import purchasable_offer

LISTINGS = "/listings/2021-08-01/items"
MODEL = "listingsItems_2021-08-01.json"
#: Catalog items the tests make offers on.
ITEMS = [
    {"asin": "B0LISTED01", "item_name": "Kettle", "brand": "Acme", "ean": "4006381333931"},
    {"asin": "B0LISTED02", "item_name": "Teapot", "brand": "Acme", "ean": "4006381333948"},
]


def check(response: httpx.Response, definition: str) -> dict[str, Any]:
    """The body after checking it against the model's *definition* (objects closed) and
    the headers the model declares for its status."""
    assert response.headers["x-amzn-RequestId"]
    rated = response.status_code in (200, 400, 404)
    assert ("x-amzn-RateLimit-Limit" in response.headers) == rated, response.headers
    body = response.json()
    model_validator(MODEL, definition, closed=True).validate(body)
    return dict(body)


def item_path(sp: SpApi, sku: str, seller_id: str | None = None) -> str:
    return f"{LISTINGS}/{seller_id or sp.config.seller_id}/{sku}"


def get_item(sp: SpApi, sku: str, **params: Any) -> httpx.Response:
    return sp.request("GET", item_path(sp, sku), params={"marketplaceIds": US, **params})


def put_item(sp: SpApi, sku: str, body: dict[str, Any], **params: Any) -> httpx.Response:
    return sp.request("PUT", item_path(sp, sku), params={"marketplaceIds": US, **params}, json=body)


def patch_item(sp: SpApi, sku: str, body: dict[str, Any], **params: Any) -> httpx.Response:
    path = item_path(sp, sku)
    return sp.request("PATCH", path, params={"marketplaceIds": US, **params}, json=body)


def delete_item(sp: SpApi, sku: str, **params: Any) -> httpx.Response:
    return sp.request("DELETE", item_path(sp, sku), params={"marketplaceIds": US, **params})


def offer_body(
    asin: str, *, price: Any = 19.99, quantity: int = 5, leave_out: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A putListingsItem body: an offer-only listing on *asin*."""
    attributes: dict[str, Any] = {
        "condition_type": [{"value": "new_new", "marketplace_id": US}],
        "purchasable_offer": purchasable_offer(price),
        "merchant_suggested_asin": [{"value": asin, "marketplace_id": US}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }
    for name in leave_out:
        attributes.pop(name)
    return {
        "productType": "PRODUCT",
        "requirements": "LISTING_OFFER_ONLY",
        "attributes": attributes,
    }


def quantity_patch(quantity: Any) -> dict[str, Any]:
    """A patchListingsItem body that sets the seller-fulfilled quantity."""
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]
    return {
        "productType": "PRODUCT",
        "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability", "value": value}
        ],
    }
