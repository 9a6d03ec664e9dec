"""``display``, ``filter``, ``sort``, ``limit`` and ``date`` with PrestaShop's error codes."""

from __future__ import annotations

import pytest

from .conftest import Shop
from .helpers import errors, parse


def _ids(shop: Shop, query: str, resource: str = "products") -> list[int]:
    answer = shop.http.get(f"/api/{resource}?{query}")
    assert answer.status_code == 200, answer.text
    return [int(e.get("id") or 0) for e in parse(answer).find(resource) or []]


def test_filter_operators(shop: Shop) -> None:
    assert _ids(shop, "filter[id]=[3]") == [3]
    assert _ids(shop, "filter[id]=3") == [3]
    assert _ids(shop, "filter[id]=[2|5|7]") == [2, 5, 7]
    assert _ids(shop, "filter[id]=[4,6]") == [4, 5, 6]  # inclusive both ends
    assert _ids(shop, "filter[id]=[6,4]") == [4, 5, 6]
    assert _ids(shop, "filter[id]=>[18]") == [19, 20]
    assert _ids(shop, "filter[id]=<[3]") == [1, 2]
    assert 3 not in _ids(shop, "filter[id]=![3]")
    assert _ids(shop, "filter[reference]=[ps000004]") == [4]  # case-insensitive
    assert _ids(shop, "filter[reference]=[PS00001]%") == list(range(10, 20))
    assert _ids(shop, "filter[reference]=%[0020]") == [20]
    assert _ids(shop, "filter[reference]=%[S00002]%") == [20]
    named = shop.http.get("/api/products/7?display=[name]")
    name = parse(named).findtext(".//language") or ""
    assert 7 in _ids(shop, f"filter[name]=[{name}]")


def test_filters_combine_with_and(shop: Shop) -> None:
    both = _ids(shop, "filter[id]=[1,10]&filter[active]=[1]")
    active = set(_ids(shop, "filter[active]=[1]"))
    assert both == [i for i in range(1, 11) if i in active]


def test_sort_and_limit(shop: Shop) -> None:
    assert _ids(shop, "sort=[id_DESC]&limit=3") == [20, 19, 18]
    assert _ids(shop, "sort=id_desc&limit=2,2") == [18, 17]
    priced = shop.http.get("/api/products?display=[id,price]&sort=[price_ASC,id_DESC]")
    prices = [float(e.findtext("price") or 0) for e in parse(priced).iter("product")]
    assert prices == sorted(prices)
    assert _ids(shop, "limit=18,5") == [19, 20]


def test_dates_need_date_1(shop: Shop) -> None:
    no_date = shop.http.get("/api/products?filter[date_upd]=[2000-01-01,2999-01-01]")
    assert no_date.status_code == 400 and errors(no_date)[0][0] == 32
    no_sort = shop.http.get("/api/products?sort=[date_upd_ASC]")
    assert no_sort.status_code == 400 and errors(no_sort)[0][0] == 38
    dated = shop.http.get("/api/products?date=1&display=[id,date_upd]&sort=[date_upd_DESC]&limit=5")
    stamps = [e.findtext("date_upd") or "" for e in parse(dated).iter("product")]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 5
    cut = stamps[2]
    newer = shop.http.get(
        f"/api/products?date=1&display=[id,date_upd]&filter[date_upd]=[{cut},2999-12-31 23:59:59]"
    )
    assert sorted(e.findtext("date_upd") or "" for e in parse(newer).iter("product")) == sorted(
        stamps[:3]
    )


def test_display_fields_associations_and_order(shop: Shop) -> None:
    shown = shop.http.get("/api/products?display=[price,id,reference]&limit=1")
    product = parse(shown).find("products/product")
    assert product is not None and [c.tag for c in product] == ["id", "reference", "price"]
    with_stock = shop.http.get(
        "/api/products?display=[id,stock_availables[id,id_product_attribute]]&limit=1"
    )
    items = parse(with_stock).findall(
        "products/product/associations/stock_availables/stock_available"
    )
    assert items and {c.tag for c in items[0]} == {"id", "id_product_attribute"}
    full = parse(shop.http.get("/api/products?display=full&limit=1")).find("products/product")
    assert full is not None and full.get("id") is None and full.find("associations") is not None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("filter[nope]=[1]", 32),
        ("filter[reference]=", 33),
        ("filter[manufacturer_name]=[x]", 34),
        ("display=[id,nope]", 35),
        ("display=id,name", 36),
        ("sort=[id_UP]", 37),
        ("sort=[nope_ASC]", 38),
        ("limit=1,2,3", 39),
    ],
)
def test_bad_options_are_400_with_prestashop_codes(shop: Shop, query: str, code: int) -> None:
    answer = shop.http.get(f"/api/products?{query}")
    assert answer.status_code == 400 and errors(answer)[0][0] == code


def test_shipping_number_is_not_filterable(shop: Shop) -> None:
    answer = shop.http.get("/api/orders?filter[shipping_number]=[X]")
    assert answer.status_code == 400 and errors(answer)[0][0] == 34
