"""Helpers for the Orders API tests: paths, placed orders, request builders and checks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from amazon_jobs.simulator import Simulator

from .helpers import START, US, SpApi, model_validator

V0 = "/orders/v0/orders"
V2026 = "/orders/2026-01-01/orders"
LISTINGS = [
    {"sku": "SKU-A", "asin": "B000000001", "quantity": 5, "price": "10.00"},
    {"sku": "SKU-C", "asin": "B000000003", "quantity": 9, "price": "7.25"},
    {"sku": "SKU-D", "asin": "B000000004", "quantity": 3, "price": "99.99"},
]


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(minutes: float) -> datetime:
    return START - timedelta(minutes=minutes)


def place_three_orders(simulator: Simulator) -> list[Any]:
    """Unshipped (60 min ago), Pending (40 min ago) and Canceled (20 min ago) orders."""
    simulator.seed_listings(LISTINGS)
    return simulator.orders.seed_orders(
        [
            {
                "items": [{"sku": "SKU-A", "quantity": 2}, {"sku": "SKU-C"}],
                "purchased_at": ago(60),
                "updated_at": ago(55),
                "seller_order_id": "SHOP-1",
                "is_prime": True,
            },
            {"items": [{"sku": "SKU-D"}], "purchased_at": ago(40), "status": "Pending"},
            {"purchased_at": ago(20), "status": "Canceled", "updated_at": ago(10)},
        ]
    )


def window_refusals(
    created_after: str, created_before: str, updated_after: str, updated_before: str
) -> list[tuple[dict[str, str], str]]:
    """``(params, words of the message)`` of bad search windows, in one version's names."""
    late = iso(START - timedelta(seconds=90))
    return [
        ({}, f"Either {created_after} or {updated_after} is required"),
        ({created_after: iso(ago(60)), updated_after: iso(ago(60))}, "cannot both"),
        (
            {created_after: iso(ago(60)), updated_before: iso(ago(30))},
            f"{updated_before} cannot be set when {created_after} is set",
        ),
        (
            {updated_after: iso(ago(60)), created_before: iso(ago(30))},
            f"{created_before} cannot be set when {updated_after} is set",
        ),
        ({created_after: "yesterday"}, f"{created_after} must be an ISO 8601 date-time"),
        ({updated_after: "27/11/2026"}, f"{updated_after} must be an ISO 8601 date-time"),
        (
            {created_after: iso(ago(30)), created_before: iso(ago(60))},
            f"{created_before} must be equal to or after {created_after}",
        ),
        (
            {created_after: iso(ago(30)), created_before: late},
            f"{created_before} must be at least two minutes before",
        ),
        (
            {updated_after: iso(ago(30)), updated_before: late},
            f"{updated_before} must be at least two minutes before",
        ),
        ({created_after: late}, f"{created_after} must be at least two minutes before"),
        ({updated_after: late}, f"{updated_after} must be at least two minutes before"),
    ]


def get_orders(sp: SpApi, **params: Any) -> httpx.Response:
    params.setdefault("MarketplaceIds", US)
    return sp.request("GET", V0, params=params)


def search_orders(sp: SpApi, **params: Any) -> httpx.Response:
    return sp.request("GET", V2026, params=params)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["x-amzn-RequestId"]
    return dict(response.json())


def refused(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    """The single error of a refusal, after checking the ErrorList shape and headers."""
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-RequestId"]
    assert "x-amzn-RateLimit-Limit" in response.headers
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert set(errors[0]) <= {"code", "message", "details"}
    return dict(errors[0])


def package(items: list[tuple[str, int]], reference_id: str = "1", **detail: Any) -> dict[str, Any]:
    """A ConfirmShipmentRequest body."""
    body_detail = {
        "packageReferenceId": reference_id,
        "carrierCode": "UPS",
        "carrierName": "UPS",
        "shippingMethod": "UPS Ground",
        "trackingNumber": "1Z999AA10123456784",
        "shipDate": "2026-11-27T09:00:00Z",
        "orderItems": [{"orderItemId": item_id, "quantity": qty} for item_id, qty in items],
    }
    body_detail.update(detail)
    return {"marketplaceId": US, "packageDetail": body_detail}


def confirm(sp: SpApi, order_id: str, body: dict[str, Any] | bytes) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return sp.request(
        "POST",
        f"{V0}/{order_id}/shipmentConfirmation",
        content=content,
        headers={"Content-Type": "application/json"},
    )


def check_schema(model: str, definition: str, instance: Any) -> None:
    """Validate *instance* against the model's *definition*, objects closed."""
    model_validator(model, definition, closed=True).validate(instance)
