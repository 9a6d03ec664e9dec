"""Mapping PrestaShop rows to SKUs, shop dates, and where a shop key may go: pure code."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from amazon_jobs.domain.shop_urls import shop_url_problem
from amazon_jobs.shop.prestashop_catalog import (
    ItemError,
    ShopItem,
    map_page,
    shop_datetime,
    shop_time_text,
)

EAN_P, EAN_C, UPC = "3700000000105", "3700000000112", "600000000309"


def product(pid: int, **fields: str) -> dict[str, object]:
    row: dict[str, object] = {
        "id": pid,
        "reference": f"P{pid}",
        "ean13": "",
        "upc": "",
        "price": "10.000000",
        "active": "1",
        "name": "Blue Mug",
        "ti": "12.000000",
    }
    return {**row, **fields}


def combo(cid: int, pid: int, **fields: str) -> dict[str, object]:
    row: dict[str, object] = {
        "id": cid,
        "id_product": str(pid),
        "reference": f"P{pid}-{cid}",
        "ean13": "",
        "upc": "",
        "price": "2.500000",
        "ti": "15.000000",
    }
    return {**row, **fields}


def stock(pid: int, attribute: int, quantity: int) -> dict[str, object]:
    return {
        "id": pid * 100 + attribute,
        "id_product": str(pid),
        "id_product_attribute": str(attribute),
        "quantity": str(quantity),
    }


def test_a_product_without_combinations_is_one_sku() -> None:
    items, errors = map_page([product(1, ean13=EAN_P)], [], [stock(1, 0, 7)])
    assert errors == []
    assert items == [
        ShopItem("P1", 1, 0, EAN_P, "Blue Mug", 7, Decimal("10.00"), Decimal("12.00"), True)
    ]


def test_each_combination_is_a_sku_with_the_product_price_plus_its_impact() -> None:
    items, _ = map_page(
        [product(1, ean13=EAN_P, upc=UPC)],
        [combo(5, 1, ean13=EAN_C), combo(6, 1, price="-1.000000")],
        [stock(1, 0, 9), stock(1, 5, 4), stock(1, 6, 5)],
    )
    assert [(i.sku, i.combination_id, i.quantity, i.price) for i in items] == [
        ("P1-5", 5, 4, Decimal("12.50")),
        ("P1-6", 6, 5, Decimal("9.00")),
    ]
    # A combination's empty EAN13 takes the product's (facts §3.6).
    assert [i.ean for i in items] == [EAN_C, EAN_P]
    assert items[0].price_tax_incl == Decimal("15.00")


def test_the_upc_is_used_when_no_ean13_is_set_and_invalid_codes_are_ignored() -> None:
    items, _ = map_page([product(1, ean13="1234567890123", upc=UPC)], [], [])
    assert items[0].ean == UPC


def test_a_disabled_product_sells_nothing_and_negative_stock_is_zero() -> None:
    items, _ = map_page([product(1, active="0"), product(2)], [], [stock(1, 0, 8), stock(2, 0, -3)])
    assert [(i.sku, i.quantity, i.active) for i in items] == [("P1", 0, False), ("P2", 0, True)]


@pytest.mark.parametrize(
    ("fields", "ref", "message"),
    [
        ({"reference": ""}, "product 1", "no reference (SKU) in the shop: set one"),
        ({"reference": "X" * 41}, "X" * 41, "longer than 40 characters"),
        ({"price": "0.000000"}, "P1", "price 0.00 in the shop: it must be above 0"),
        ({"price": "abc"}, "P1", "price none in the shop"),
    ],
)
def test_items_that_cannot_be_skus_are_refused_by_name(
    fields: dict[str, str], ref: str, message: str
) -> None:
    items, errors = map_page([product(1, **fields)], [], [])
    assert items == []
    assert len(errors) == 1 and errors[0].ref == ref and message in errors[0].message


def test_a_combination_without_reference_is_named_by_its_ids() -> None:
    _, errors = map_page([product(1)], [combo(5, 1, reference="")], [])
    assert errors == [
        ItemError("product 1 combination 5", 1, 5, "no reference (SKU) in the shop: set one")
    ]


def test_duplicate_references_are_all_refused() -> None:
    items, errors = map_page(
        [product(1, reference="DUP"), product(2, reference="DUP"), product(3)], [], []
    )
    assert [i.sku for i in items] == ["P3"]
    assert [(e.ref, e.product_id) for e in errors] == [("DUP", 1), ("DUP", 2)]
    assert "used by 2 items" in errors[0].message


def test_a_name_in_several_languages_takes_the_first() -> None:
    name = [{"id": "1", "value": "Mug"}, {"id": "2", "value": "Tasse"}]
    items, _ = map_page([product(1, name=name)], [], [])  # type: ignore[arg-type]
    assert items[0].title == "Mug"


def test_shop_dates_are_shop_local_time() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert shop_datetime("2026-07-01 12:00:00", paris) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert shop_datetime("0000-00-00 00:00:00", paris) is None
    assert shop_time_text(datetime(2026, 1, 1, 10, 0, tzinfo=UTC), paris) == "2026-01-01 11:00:00"


@pytest.mark.parametrize(
    ("url", "allow_custom", "ok"),
    [
        ("https://shop.example", False, True),
        ("http://127.0.0.1:8200", False, True),
        ("http://127.9.9.9", False, True),
        ("http://shop.example", False, False),
        ("http://localhost:8200", False, False),
        ("http://shop.example", True, True),
        ("https://user:pw@shop.example", True, False),
        ("https://shop.example/?a=1", False, False),
        ("ftp://shop.example", True, False),
        ("shop.example", False, False),
    ],
)
def test_where_a_shop_key_may_go(url: str, allow_custom: bool, ok: bool) -> None:
    assert (shop_url_problem(url, allow_custom=allow_custom) is None) is ok
