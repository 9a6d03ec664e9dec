"""Order creation from the cart, state changes, and their effect on stock."""

from __future__ import annotations

from .conftest import Shop
from .helpers import errors, field, new_id, parse, place_order, post, xml_body


def _stock(shop: Shop, product: int, attribute: int) -> int:
    rows = shop.http.get(f"/api/stock_availables?display=full&filter[id_product]=[{product}]")
    for row in parse(rows).iter("stock_available"):
        if row.findtext("id_product_attribute") == str(attribute):
            return int(row.findtext("quantity") or 0)
    raise AssertionError("no stock row")


def _simple_product(shop: Shop) -> int:
    answer = shop.http.get(
        "/api/products?filter[product_type]=[standard]&filter[active]=[1]&limit=1"
    )
    return int(parse(answer).find("products/product").get("id"))  # type: ignore[union-attr]


def _set_stock(shop: Shop, product: int, quantity: int) -> None:
    rows = shop.http.get(f"/api/stock_availables?filter[id_product]=[{product}]")
    row_id = parse(rows).find("stock_availables/stock_available").get("id")  # type: ignore[union-attr]
    shop.http.patch(
        "/api/stock_availables",
        content=xml_body("stock_available", id=str(row_id), quantity=str(quantity)),
    )


def test_order_is_built_from_the_cart(shop: Shop) -> None:
    product = _simple_product(shop)
    _set_stock(shop, product, 10)
    answer = place_order(shop.http, [(product, 0, 3)])
    order_id = new_id(answer)
    order = shop.http.get(f"/api/orders/{order_id}")
    assert field(order, "current_state") == "11" and field(order, "valid") == "1"
    assert len(field(order, "reference")) == 9 and field(order, "reference").isupper()
    assert field(order, "module") == "ps_wirepayment" and field(order, "payment") == "Amazon"
    assert field(order, "total_paid_real") == field(order, "total_paid")
    assert field(order, "invoice_number") == "1"
    rows = parse(order).findall("order/associations/order_rows/order_row")
    assert len(rows) == 1 and rows[0].findtext("product_quantity") == "3"
    assert rows[0].findtext("product_reference") == f"PS{product:06d}"
    assert _stock(shop, product, 0) == 7
    histories = shop.http.get(f"/api/order_histories?filter[id_order]=[{order_id}]&display=full")
    assert [h.findtext("id_order_state") for h in parse(histories).iter("order_history")] == ["11"]
    carriers = shop.http.get(f"/api/order_carriers?filter[id_order]=[{order_id}]&display=full")
    assert parse(carriers).findtext(".//tracking_number") == ""


def test_wrong_total_is_payment_error_without_stock_move(shop: Shop) -> None:
    product = _simple_product(shop)
    _set_stock(shop, product, 10)
    order_id = new_id(place_order(shop.http, [(product, 0, 1)], total_paid="0.01"))
    order = shop.http.get(f"/api/orders/{order_id}")
    assert field(order, "current_state") == "8" and field(order, "total_paid_real") == "0.010000"
    assert _stock(shop, product, 0) == 10


def test_cancel_restocks_and_going_back_takes_again(shop: Shop) -> None:
    combo = parse(shop.http.get("/api/combinations?display=[id,id_product]&limit=1")).find(
        ".//combination"
    )
    product, attribute = int(combo.findtext("id_product") or 0), int(combo.findtext("id") or 0)  # type: ignore[union-attr]
    before = _stock(shop, product, attribute)
    total_before = _stock(shop, product, 0)
    order_id = new_id(place_order(shop.http, [(product, attribute, 2)]))
    assert _stock(shop, product, attribute) == before - 2
    assert _stock(shop, product, 0) == total_before - 2
    shop.clock.advance(3600)
    shipped = post(
        shop.http, "order_histories", "order_history", id_order=str(order_id), id_order_state="4"
    )
    assert shipped.status_code == 201 and _stock(shop, product, attribute) == before - 2
    order = shop.http.get(f"/api/orders/{order_id}")
    assert (
        field(order, "current_state") == "4" and field(order, "date_upd") == "2026-03-02 11:00:00"
    )
    post(shop.http, "order_histories", "order_history", id_order=str(order_id), id_order_state="6")
    assert _stock(shop, product, attribute) == before
    assert field(shop.http.get(f"/api/orders/{order_id}"), "valid") == "0"
    post(shop.http, "order_histories", "order_history", id_order=str(order_id), id_order_state="2")
    assert _stock(shop, product, attribute) == before - 2


def test_out_of_stock_goes_negative_and_backorder(shop: Shop) -> None:
    product = _simple_product(shop)
    _set_stock(shop, product, 1)
    order_id = new_id(place_order(shop.http, [(product, 0, 3)]))
    assert _stock(shop, product, 0) == -2
    assert field(shop.http.get(f"/api/orders/{order_id}"), "current_state") == "9"


def test_cart_used_twice_unknown_module_and_put_current_state(shop: Shop) -> None:
    product = _simple_product(shop)
    order_id = new_id(place_order(shop.http, [(product, 0, 1)]))
    order = shop.http.get(f"/api/orders/{order_id}")
    fields = {
        k: field(order, k)
        for k in (
            "id_address_delivery",
            "id_address_invoice",
            "id_cart",
            "id_currency",
            "id_lang",
            "id_customer",
            "id_carrier",
            "total_paid",
            "total_paid_real",
            "total_products",
            "total_products_wt",
            "conversion_rate",
        )
    }
    again = post(shop.http, "orders", "order", module="ps_wirepayment", payment="Amazon", **fields)
    assert again.status_code == 200 and "already been placed using this cart" in again.text
    unknown = post(shop.http, "orders", "order", module="amazon", payment="Amazon", **fields)
    assert unknown.status_code == 500 and unknown.content == b""
    bad_name = post(shop.http, "orders", "order", module="not a module", payment="Amazon", **fields)
    assert bad_name.status_code == 400 and errors(bad_name)[0][0] == 85
    patched = shop.http.patch(
        "/api/orders",
        content=xml_body("order", id=str(order_id), current_state="4", shipping_number="TRK-1"),
    )
    assert patched.status_code == 200 and field(patched, "current_state") == "4"
    assert field(patched, "shipping_number") == "TRK-1"


def test_secure_key_mismatch_dies(shop: Shop) -> None:
    product = _simple_product(shop)
    order_id = new_id(place_order(shop.http, [(product, 0, 1)]))
    other = new_id(
        post(
            shop.http,
            "customers",
            "customer",
            lastname="Other",
            firstname="One",
            email="other@example.com",
            passwd="x",
            id_default_group="3",
        )
    )
    order = shop.http.get(f"/api/orders/{order_id}")
    cart = shop.http.get(f"/api/carts/{field(order, 'id_cart')}").text
    body = cart.replace(f"<id><![CDATA[{field(order, 'id_cart')}]]></id>", "")
    new_cart = new_id(
        shop.http.post(
            "/api/carts", content=body.split("<associations>")[0] + "</cart></prestashop>"
        )
    )
    answer = post(
        shop.http,
        "orders",
        "order",
        id_address_delivery="1",
        id_address_invoice="1",
        id_cart=str(new_cart),
        id_currency="1",
        id_lang="1",
        id_customer=str(other),
        id_carrier="1",
        module="ps_wirepayment",
        payment="Amazon",
        total_paid="1",
        total_paid_real="0",
        total_products="0",
        total_products_wt="0",
        conversion_rate="1",
    )
    assert (
        answer.status_code == 200
        and answer.text == "Error processing order. Secure key does not match."
    )
