"""Faults on demand over ``/_sim/faults``: 5xx, slow answers, refused orders."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Shop
from .helpers import errors, new_id, parse, place_order


def _faults(shop: Shop, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{shop.url}/_sim/faults", json=body)


def test_fail_next_answers_empty_5xx_then_recovers(shop: Shop) -> None:
    assert (
        _faults(
            shop, {"fail_next": {"times": 2, "status": 503, "resource": "products"}}
        ).status_code
        == 200
    )
    assert shop.http.get("/api/products").status_code == 503
    assert shop.http.get("/api/orders").status_code == 200  # another resource
    second = shop.http.get("/api/products")
    assert second.status_code == 503 and second.content == b""
    assert shop.http.get("/api/products").status_code == 200


def test_error_rate_is_seeded(shop: Shop) -> None:
    def run() -> list[int]:
        _faults(shop, {"error_rate": {"rate": 0.5, "seed": 11}})
        return [shop.http.get("/api/products?limit=1").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second and 200 in first and {500, 503} & set(first)
    _faults(shop, {"clear": True})
    assert all(shop.http.get("/api/products?limit=1").status_code == 200 for _ in range(5))


def test_slow_answer_times_a_client_out_but_takes_effect(shop: Shop) -> None:
    _faults(
        shop, {"delay": {"seconds": 0.5, "resource": "customers", "method": "POST", "times": 1}}
    )
    body = (
        "<prestashop><customer><lastname>Slow</lastname><firstname>Sam</firstname>"
        "<email>slow@example.com</email><passwd>x</passwd></customer></prestashop>"
    )
    with pytest.raises(httpx.ReadTimeout):
        shop.http.post("/api/customers", content=body, timeout=0.1)
    found = shop.http.get("/api/customers?filter[email]=[slow@example.com]")
    assert parse(found).find("customers/customer") is not None
    # The one delay was the POST's: nothing else is held back.
    assert httpx.get(f"{shop.url}/_sim/faults").json()["delays"] == []
    assert shop.http.get("/api/customers").status_code == 200


def test_refused_orders(shop: Shop) -> None:
    product = int(
        parse(shop.http.get("/api/products?filter[product_type]=[standard]&limit=1"))
        .find("products/product")
        .get("id")
    )  # type: ignore[union-attr]
    _faults(shop, {"refuse_next_orders": 1})
    refused = place_order(shop.http, [(product, 0, 1)])
    assert refused.status_code == 500 and [c for c, _ in errors(refused)] == [85, 46]
    assert shop.http.get("/api/orders").text.count("<order ") == 0
    new_id(place_order(shop.http, [(product, 0, 1)]))
    _faults(shop, {"refuse_orders_for_products": [product]})
    blocked = place_order(shop.http, [(product, 0, 1)])
    assert blocked.status_code == 500 and f"Product {product}" in errors(blocked)[0][1]


def test_bad_fault_bodies_change_nothing(shop: Shop) -> None:
    bad = _faults(shop, {"error_rate": {"rate": 2}, "refuse_next_orders": 3})
    assert bad.status_code == 400
    assert httpx.get(f"{shop.url}/_sim/faults").json()["refuse_next_orders"] == 0
    assert _faults(shop, {"nope": 1}).status_code == 400
