"""prestapyt 0.11.1, unmodified, against the simulator over real HTTP, with each resource
the shop connector uses. prestapyt is XML-only (it refuses ``output_format``), so JSON is
covered by the simulator's own format tests."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from prestapyt import (
    PrestaShopAuthenticationError,
    PrestaShopWebService,
    PrestaShopWebServiceDict,
    PrestaShopWebServiceError,
)

from amazon_jobs.shop_simulator import DEFAULT_KEY

from .conftest import Shop

# prestapyt warns that 8.2.0 is newer than the versions it knows (it always does on 8.x).
pytestmark = pytest.mark.filterwarnings("ignore:This library may not be compatible:UserWarning")


@pytest.fixture
def client(shop: Shop) -> Iterator[PrestaShopWebServiceDict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ps = PrestaShopWebServiceDict(shop.url, DEFAULT_KEY)
    yield ps
    ps.client.close()


def _new_order(client: PrestaShopWebServiceDict, sku_product: int, sku_combination: int) -> int:
    customer = client.add(
        "customers",
        {
            "customer": {
                "lastname": "Martin",
                "firstname": "Anna",
                "email": "anna@example.com",
                "passwd": "amazon-buyer",
                "id_default_group": "3",
                "active": "1",
            }
        },
    )["prestashop"]["customer"]
    country = client.search("countries", options={"filter[iso_code]": "[FR]"})[0]
    address = client.add(
        "addresses",
        {
            "address": {
                "id_customer": customer["id"],
                "id_country": country,
                "alias": "Amazon",
                "lastname": "Martin",
                "firstname": "Anna",
                "address1": "3 rue Oberkampf",
                "postcode": "75011",
                "city": "Paris",
                "phone": "+33 1 23 45 67 89",
            }
        },
    )["prestashop"]["address"]
    cart = client.add(
        "carts",
        {
            "cart": {
                "id_customer": customer["id"],
                "id_address_delivery": address["id"],
                "id_address_invoice": address["id"],
                "id_currency": "1",
                "id_lang": "1",
                "delivery_option": f'{{"{address["id"]}":"1,"}}',
                "associations": {
                    "cart_rows": {
                        "cart_row": {
                            "id_product": str(sku_product),
                            "id_product_attribute": str(sku_combination),
                            "id_address_delivery": address["id"],
                            "quantity": "2",
                        }
                    }
                },
            }
        },
    )["prestashop"]["cart"]
    product = client.get("products", sku_product)["product"]
    combination = client.get("combinations", sku_combination)["combination"]
    unit = round((float(product["price"]) + float(combination["price"])) * 1.2, 2)
    order = client.add(
        "orders",
        {
            "order": {
                "id_address_delivery": address["id"],
                "id_address_invoice": address["id"],
                "id_cart": cart["id"],
                "id_currency": "1",
                "id_lang": "1",
                "id_customer": customer["id"],
                "id_carrier": "1",
                "module": "ps_wirepayment",
                "payment": "Amazon",
                "total_paid": f"{unit * 2:.2f}",
                "total_paid_real": "0",
                "total_products": "0",
                "total_products_wt": "0",
                "conversion_rate": "1",
                "note": "amazon:111-2222222-3333333",
            }
        },
    )["prestashop"]["order"]
    return int(order["id"])


def _combined_product(client: PrestaShopWebServiceDict) -> tuple[int, int]:
    combos = client.get(
        "combinations", options={"display": "[id,id_product,reference]", "limit": "1"}
    )
    combo: dict[str, Any] = combos["combinations"]["combination"]
    return int(combo["id_product"]), int(combo["id"])


def test_catalog_reads_with_display_filter_sort_limit(client: PrestaShopWebServiceDict) -> None:
    ids = client.search("products", options={"sort": "[id_DESC]", "limit": "0,5"})
    assert ids == sorted(ids, reverse=True) and len(ids) == 5
    page = client.get(
        "products",
        options={
            "display": "[id,reference,ean13,price,active,date_upd]",
            "filter[active]": "[1]",
            "sort": "[id_ASC]",
            "limit": "2,3",
        },
    )["products"]["product"]
    assert len(page) == 3 and all(p["active"] == "1" for p in page)
    assert [int(p["id"]) for p in page] == sorted(int(p["id"]) for p in page)
    product = client.get("products", int(page[0]["id"]))["product"]
    assert product["reference"] == page[0]["reference"]
    assert product["name"]["language"]["attrs"]["id"] == "1"
    product_id, combination_id = _combined_product(client)
    reference = client.get("combinations", combination_id)["combination"]["reference"]
    by_sku = client.get(
        "combinations",
        options={
            "filter[reference]": f"[{reference}]",
            "display": "full",
        },
    )["combinations"]["combination"]
    assert by_sku["id"] == str(combination_id) and len(by_sku["ean13"]) == 13
    stock = client.get(
        "stock_availables",
        options={
            "filter[id_product]": f"[{product_id}]",
            "display": "[id,id_product_attribute,quantity]",
        },
    )
    rows = stock["stock_availables"]["stock_available"]
    assert {r["id_product_attribute"] for r in rows} >= {"0", str(combination_id)}
    recent = client.get(
        "products",
        options={
            "date": "1",
            "filter[date_upd]": "[2000-01-01 00:00:00,2999-12-31 23:59:59]",
            "sort": "[date_upd_ASC]",
            "display": "[id,date_upd]",
        },
    )["products"]["product"]
    assert [p["date_upd"] for p in recent] == sorted(p["date_upd"] for p in recent)


def test_order_flow_history_and_tracking_number(client: PrestaShopWebServiceDict) -> None:
    product_id, combination_id = _combined_product(client)
    before = client.get(
        "stock_availables",
        options={
            "filter[id_product]": f"[{product_id}]",
            "display": "[id_product_attribute,quantity]",
        },
    )
    before_qty = {
        r["id_product_attribute"]: int(r["quantity"])
        for r in before["stock_availables"]["stock_available"]
    }
    order_id = _new_order(client, product_id, combination_id)
    order = client.get("orders", order_id)["order"]
    assert order["current_state"] == "11" and order["payment"] == "Amazon"
    assert order["associations"]["order_rows"]["order_row"]["product_attribute_id"] == str(
        combination_id
    )
    assert client.search("orders", options={"filter[id_cart]": f"[{order['id_cart']}]"}) == [
        order_id
    ]
    after = client.get(
        "stock_availables",
        options={
            "filter[id_product]": f"[{product_id}]",
            "display": "[id_product_attribute,quantity]",
        },
    )
    after_qty = {
        r["id_product_attribute"]: int(r["quantity"])
        for r in after["stock_availables"]["stock_available"]
    }
    assert after_qty[str(combination_id)] == before_qty[str(combination_id)] - 2
    assert after_qty["0"] == before_qty["0"] - 2

    history = client.add(
        "order_histories", {"order_history": {"id_order": str(order_id), "id_order_state": "4"}}
    )
    assert history["prestashop"]["order_history"]["id_order_state"] == "4"
    assert client.get("orders", order_id)["order"]["current_state"] == "4"

    carrier = client.get(
        "order_carriers", options={"filter[id_order]": f"[{order_id}]", "display": "full"}
    )
    entity = carrier["order_carriers"]["order_carrier"]
    entity["tracking_number"] = "1Z999AA10123456784"
    client.edit("order_carriers", {"order_carrier": entity})
    shipped = client.get(
        "orders", options={"filter[current_state]": "[4]", "display": "[id,shipping_number]"}
    )
    # shipping_number is computed: notFilterable="true" makes prestapyt keep it as attrs + value.
    assert shipped["orders"]["order"]["shipping_number"]["value"] == "1Z999AA10123456784"
    assert client.get("carriers", int(entity["id_carrier"]))["carrier"]["name"]


def test_stock_edit_and_head(client: PrestaShopWebServiceDict) -> None:
    row = client.get("stock_availables", 1)["stock_available"]
    row["quantity"] = "42"
    client.edit("stock_availables", {"stock_available": row})
    assert client.get("stock_availables", 1)["stock_available"]["quantity"] == "42"
    assert client.head("products").get("psws-version") == "8.2.0"


def test_errors_reach_the_client(client: PrestaShopWebServiceDict, shop: Shop) -> None:
    with pytest.raises(PrestaShopWebServiceError) as missing:
        client.get("products", 999_999)
    assert str(missing.value.msg) == "HTTP response is empty"
    with pytest.raises(PrestaShopWebServiceError) as bad:
        client.get("products", options={"filter[nope]": "[1]"})
    assert bad.value.error_code == 400 and bad.value.ps_error_code == "32"
    with pytest.raises(PrestaShopWebServiceError) as required:
        client.add("customers", {"customer": {"lastname": "X"}})
    assert required.value.ps_error_code == "41"
    wrong = PrestaShopWebService(shop.url, "WRONGKEYWRONGKEYWRONGKEYWRONGKEY")
    with pytest.raises(PrestaShopAuthenticationError):
        wrong.get("products")
    wrong.client.close()
