"""POST, PUT, PATCH and DELETE: field rules, validators, per-class behaviour, date_upd."""

from __future__ import annotations

from .conftest import Shop
from .helpers import errors, field, new_id, post, xml_body


def _customer(shop: Shop, email: str = "jo@example.com") -> int:
    return new_id(
        post(
            shop.http,
            "customers",
            "customer",
            lastname="Smith",
            firstname="Jo",
            email=email,
            passwd="secret123",
            id_default_group="3",
            active="1",
        )
    )


def test_post_customer_sets_key_hash_and_dates(shop: Shop) -> None:
    answer = shop.http.get(f"/api/customers/{_customer(shop)}")
    assert len(field(answer, "secure_key")) == 32 and field(answer, "passwd") != "secret123"
    assert field(answer, "date_add") == field(answer, "date_upd") == "2026-03-02 10:00:00"  # Paris
    assert field(answer, "newsletter") == "0"


def test_duplicate_email_is_500_140_and_46(shop: Shop) -> None:
    _customer(shop)
    again = post(
        shop.http,
        "customers",
        "customer",
        lastname="Smith",
        firstname="Jo",
        email="JO@example.com",
        passwd="x",
        id_default_group="3",
    )
    assert again.status_code == 500 and [c for c, _ in errors(again)] == [140, 46]


def test_required_read_only_id_and_validation_errors(shop: Shop) -> None:
    missing = post(shop.http, "addresses", "address", id_country="8", alias="a", lastname="Doe")
    assert missing.status_code == 400 and errors(missing)[0] == (
        41,
        'parameter "firstname" required',
    )
    with_id = post(
        shop.http,
        "customers",
        "customer",
        id="5",
        lastname="A",
        firstname="B",
        email="a@b.example",
        passwd="x",
    )
    assert errors(with_id)[0][0] == 91
    read_only = post(shop.http, "products", "product", price="1", quantity="5")
    assert read_only.status_code == 400 and errors(read_only)[0][0] == 93
    digits = post(
        shop.http,
        "addresses",
        "address",
        id_country="8",
        alias="a",
        lastname="Doe",
        firstname="Flat 2",
        address1="x",
        city="Paris",
    )
    assert errors(digits)[0] == (85, 'Validation error: "Property Address->firstname is not valid"')
    bad_xml = shop.http.post("/api/customers", content="<prestashop><customer>")
    assert bad_xml.status_code == 500 and errors(bad_xml)[0][0] == 127
    no_id = shop.http.put("/api/customers", content=xml_body("customer", lastname="X"))
    assert errors(no_id)[0][0] == 90
    unknown = shop.http.patch("/api/customers", content=xml_body("customer", id="999", note="x"))
    assert unknown.status_code == 404 and errors(unknown)[0][0] == 92


def test_put_replaces_patch_changes_and_date_upd_moves(shop: Shop) -> None:
    customer = _customer(shop)
    shop.clock.advance(60)
    patched = shop.http.patch(
        "/api/customers", content=xml_body("customer", id=str(customer), note="VIP")
    )
    assert patched.status_code == 200 and field(patched, "note") == "VIP"
    assert field(patched, "date_upd") == "2026-03-02 10:01:00" and field(patched, "active") == "1"
    put = shop.http.put(
        f"/api/customers/{customer}",
        content=xml_body(
            "customer",
            id=str(customer),
            lastname="Smith",
            firstname="Jo",
            email="jo@example.com",
            passwd="again",
        ),
    )
    assert put.status_code == 200 and field(put, "note") == "" and field(put, "active") == "0"


def test_xml_prefix_and_cdata_bodies(shop: Shop) -> None:
    body = (
        'xml=<prestashop xmlns:xlink="http://www.w3.org/1999/xlink"><customer>'
        "<lastname><![CDATA[Lee]]></lastname><firstname>Ann</firstname>"
        "<email>ann@example.com</email><passwd>pw</passwd></customer></prestashop>"
    )
    answer = shop.http.post(
        "/api/customers",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 201 and field(answer, "lastname") == "Lee"


def test_stock_write_sums_the_product_row_and_keeps_date_upd(shop: Shop) -> None:
    combos = shop.http.get("/api/combinations?display=[id,id_product]&limit=1")
    product = field(combos, "id_product")
    before = field(shop.http.get(f"/api/products/{product}"), "date_upd")
    rows = shop.http.get(f"/api/stock_availables?display=full&filter[id_product]=[{product}]")
    from .helpers import parse

    entries = list(parse(rows).iter("stock_available"))
    combo_row = next(e for e in entries if e.findtext("id_product_attribute") != "0")
    combo_id = combo_row.findtext("id") or ""
    shop.http.patch(
        "/api/stock_availables", content=xml_body("stock_available", id=combo_id, quantity="100")
    )
    after = shop.http.get(f"/api/stock_availables?display=full&filter[id_product]=[{product}]")
    quantities = {
        e.findtext("id_product_attribute"): int(e.findtext("quantity") or 0)
        for e in parse(after).iter("stock_available")
    }
    assert quantities.pop("0") == sum(quantities.values())
    assert field(shop.http.get(f"/api/products/{product}"), "date_upd") == before


def test_delete_one_and_many(shop: Shop) -> None:
    assert shop.http.delete("/api/products/1").status_code == 200
    assert shop.http.get("/api/products/1").status_code == 404
    assert (
        shop.http.get("/api/stock_availables?filter[id_product]=[1]").text.count(
            "<stock_available "
        )
        == 0
    )
    many = shop.http.delete("/api/products/?id=[2,3]")
    assert many.status_code == 200 and many.content == b""
    gone = shop.http.delete("/api/products/2")
    assert gone.status_code == 404 and errors(gone)[0][0] == 87


def test_new_product_and_combination_get_stock_rows(shop: Shop) -> None:
    product = new_id(post(shop.http, "products", "product", price="10", reference="NEW-1"))
    assert field(shop.http.get(f"/api/products/{product}"), "active") == "0"  # not sent → null
    combination = new_id(
        post(
            shop.http,
            "combinations",
            "combination",
            id_product=str(product),
            minimal_quantity="1",
            reference="NEW-1-A",
        )
    )
    rows = shop.http.get(
        f"/api/stock_availables?display=[id_product_attribute]&filter[id_product]=[{product}]"
    )
    assert rows.text.count("<id_product_attribute>") == 2 and f"[{combination}]" in rows.text
