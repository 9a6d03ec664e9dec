"""``price[name][param]`` computed fields on products and combinations (facts §3.7)."""

from __future__ import annotations

import pytest

from amazon_jobs.shop_simulator import ShopSimulatorConfig
from tests.shop_simulator.conftest import Shop

TI = {"price[ti][use_tax]": "1", "output_format": "JSON"}


@pytest.fixture
def shop_config() -> ShopSimulatorConfig:
    return ShopSimulatorConfig(products=12, seed=3, combination_share=0.5, tax_rate=20.0)


def _combination(shop: Shop) -> dict[str, str]:
    rows = shop.http.get(
        "/api/combinations", params={"display": "[id,id_product,price]", "limit": "1", **TI}
    ).json()["combinations"]
    return rows[0]


def test_a_listed_combination_shows_its_tax_included_price(shop: Shop) -> None:
    combo = _combination(shop)
    product = shop.http.get(
        f"/api/products/{combo['id_product']}", params={"output_format": "JSON"}
    ).json()["product"]
    listed = shop.http.get(
        "/api/combinations",
        params={"display": "[id,ti]", "filter[id]": f"[{combo['id']}]", **TI},
    ).json()["combinations"][0]
    expected = round((float(product["price"]) + float(combo["price"])) * 1.2, 2)
    assert listed["ti"] == f"{expected:f}"


def test_products_priced_without_tax_and_with_an_explicit_combination(shop: Shop) -> None:
    combo = _combination(shop)
    params = {
        "price[te][use_tax]": "0",
        "price[te][product_attribute]": str(combo["id"]),
        "price[ti][use_tax]": "1",
        "price[ti][product_attribute]": str(combo["id"]),
        "display": "[id,price,te,ti]",
        "output_format": "JSON",
    }
    row = shop.http.get(f"/api/products/{combo['id_product']}", params=params).json()["products"][0]
    base = float(row["price"])
    assert row["te"] == f"{round(base + float(combo['price']), 2):f}"
    assert row["ti"] == f"{round((base + float(combo['price'])) * 1.2, 2):f}"


def test_a_price_field_may_not_take_a_real_field_name(shop: Shop) -> None:
    answer = shop.http.get("/api/products", params={"price[price][use_tax]": "1"})
    assert answer.status_code == 400
    assert "<code><![CDATA[128]]></code>" in answer.text


def test_xml_shows_the_price_field_of_a_full_product(shop: Shop) -> None:
    answer = shop.http.get("/api/products/1", params={"price[ti][use_tax]": "1"})
    assert answer.status_code == 200
    assert '<ti notFilterable="true"><![CDATA[' in answer.text
