"""Authentication, URL forms, headers, formats (XML and JSON quirks) and schemas."""

from __future__ import annotations

import hashlib
import json

import httpx

from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulatorConfig

from .conftest import Shop
from .helpers import errors, field, parse


def test_no_key_is_a_plain_401_with_the_realm(shop: Shop) -> None:
    answer = httpx.get(f"{shop.url}/api/products")
    assert answer.status_code == 401 and answer.text == "401 Unauthorized"
    assert "Welcome to PrestaShop Webservice" in answer.headers["www-authenticate"]
    assert "psws-version" not in answer.headers


def test_bad_keys_answer_their_codes(shop: Shop) -> None:
    short = httpx.get(f"{shop.url}/api/products", auth=("short", ""))
    assert short.status_code == 401 and errors(short) == [(18, "Invalid authentication key format")]
    assert short.headers["psws-version"] == "0"
    unknown = httpx.get(f"{shop.url}/api/products", auth=("X" * 32, ""))
    assert [code for code, _ in errors(unknown)] == [20, 21]
    empty = httpx.get(f"{shop.url}/api/products?ws_key=")
    assert errors(empty)[0][0] == 17


def test_ws_key_and_the_dispatcher_url_work(shop: Shop) -> None:
    by_param = httpx.get(f"{shop.url}/api/products/1?ws_key={DEFAULT_KEY}")
    by_dispatcher = httpx.get(
        f"{shop.url}/webservice/dispatcher.php", params={"url": "products/1", "ws_key": DEFAULT_KEY}
    )
    assert by_param.status_code == by_dispatcher.status_code == 200
    assert field(by_param, "reference") == field(by_dispatcher, "reference")


def test_permissions_per_key_resource_and_method(switch, shop: Shop) -> None:
    from amazon_jobs.clock import VirtualClock
    from amazon_jobs.shop_simulator import ShopSimulator, create_app

    limited = "L" * 32
    config = ShopSimulatorConfig(limited_keys={limited: {"products": ("GET", "HEAD")}})
    switch[0].app = create_app(ShopSimulator(config, VirtualClock()))
    client = httpx.Client(base_url=shop.url, auth=(limited, ""))
    assert client.get("/api/products").status_code == 200
    denied = client.get("/api/orders")
    assert denied.status_code == 401 and errors(denied)[0][0] == 26
    refused = client.delete("/api/products/1")
    assert refused.status_code == 405 and errors(refused)[0][0] == 25
    index = client.get("/api/")
    assert parse(index).find("api/products") is not None and parse(index).find("api/orders") is None
    client.close()


def test_method_rules(shop: Shop) -> None:
    post = shop.http.post("/api/stock_availables", content="<prestashop/>")
    assert post.status_code == 405 and errors(post)[0][0] == 101
    odd = shop.http.request("TRACE", "/api/products")
    assert odd.status_code == 405 and errors(odd)[0][0] == 23
    unknown = shop.http.get("/api/prodcts")
    assert unknown.status_code == 400 and errors(unknown)[0][0] == 27
    assert 'Did you mean: "products"' in errors(unknown)[0][1]


def test_xml_envelope_cdata_links_and_empty_list(shop: Shop) -> None:
    answer = shop.http.get("/api/products/1")
    assert answer.headers["content-type"] == "text/xml;charset=utf-8"
    assert answer.text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink='
    )
    assert "<reference><![CDATA[PS000001]]></reference>" in answer.text
    assert f'xlink:href="{shop.url}/api/categories/2"' in answer.text
    assert '<manufacturer_name notFilterable="true">' in answer.text
    assert "<id_manufacturer><![CDATA[0]]></id_manufacturer>" in answer.text  # 0: no link
    assert answer.headers["content-sha1"] == hashlib.sha1(answer.content).hexdigest()
    listed = shop.http.get("/api/products?limit=2")
    assert f'<product id="1" xlink:href="{shop.url}/api/products/1"/>' in listed.text
    empty = shop.http.get("/api/products?filter[id]=[99999]")
    assert "<products>\n</products>" in empty.text


def test_json_quirks(shop: Shop) -> None:
    single = shop.http.get("/api/products/1?output_format=JSON").json()["product"]
    assert single["id"] == 1 and isinstance(single["price"], str)
    assert "id_manufacturer" not in single and "supplier_reference" not in single  # falsy dropped
    assert single["name"].startswith(
        ("Blue", "Classic", "Vintage", "Organic", "Handmade", "Large", "Mini", "Bold")
    )
    shown = shop.http.get("/api/products/1?output_format=JSON&display=[id,reference]").json()
    assert list(shown) == ["products"] and shown["products"][0]["reference"] == "PS000001"
    listed = shop.http.get("/api/products?output_format=JSON&limit=2").json()
    assert listed == {"products": [{"id": 1}, {"id": 2}]}
    empty = shop.http.get("/api/products?output_format=JSON&filter[id]=[99999]")
    assert empty.text == "[]"
    header = shop.http.get("/api/products?limit=1", headers={"Output-Format": "JSON"})
    assert header.headers["content-type"] == "application/json"
    lower = shop.http.get("/api/products?limit=1&output_format=json")
    assert lower.text.startswith("<?xml")
    error = shop.http.get("/api/products?output_format=JSON&filter[x]=1").json()
    assert error["errors"][0]["code"] == 32
    assert shop.http.get("/api/?output_format=JSON").status_code == 500


def test_schemas(shop: Shop) -> None:
    blank = shop.http.get("/api/products?schema=blank")
    entity = parse(blank).find("product")
    assert (
        entity is not None and entity.find("quantity") is None and entity.find("price") is not None
    )
    synopsis = parse(shop.http.get("/api/products?schema=synopsis")).find("product")
    assert synopsis is not None and synopsis.find("id") is None
    price = synopsis.find("price")
    assert (
        price is not None and price.get("required") == "true" and price.get("format") == "isPrice"
    )
    quantity = synopsis.find("quantity")
    assert quantity is not None and quantity.get("readOnly") == "true"
    bad = shop.http.get("/api/products?schema=full")
    assert bad.status_code == 400 and errors(bad)[0][0] == 28


def test_conditional_get_and_head(shop: Shop) -> None:
    first = shop.http.get("/api/products/1")
    again = shop.http.get(
        "/api/products/1", headers={"Local-Content-Sha1": first.headers["content-sha1"]}
    )
    assert again.status_code == 304 and again.content == b""
    head = shop.http.head("/api/products/1")
    assert (
        head.status_code == 200 and head.content == b"" and head.headers["psws-version"] == "8.2.0"
    )


def test_unknown_id_is_404_without_body(shop: Shop) -> None:
    answer = shop.http.get("/api/products/424242")
    assert answer.status_code == 404 and answer.content == b""
    assert json.loads(shop.http.get("/_sim/faults").text)["error_rate"] == 0.0
