"""XML bodies and reads shared by the shop simulator tests."""

from __future__ import annotations

import itertools
from xml.etree import ElementTree

import httpx

_EMAILS = itertools.count(1)


def xml_body(entity: str, **fields: str) -> str:
    """A ``<prestashop><entity>…`` body with plain-text values, as most clients send."""
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f"{head}<prestashop><{entity}>{inner}</{entity}></prestashop>"


def parse(response: httpx.Response) -> ElementTree.Element:
    """The ``<prestashop>`` root of an XML answer."""
    return ElementTree.fromstring(response.content)


def field(response: httpx.Response, name: str) -> str:
    """The text of the first *name* element of an XML answer."""
    found = parse(response).find(f".//{name}")
    assert found is not None, response.text
    return found.text or ""


def errors(response: httpx.Response) -> list[tuple[int, str]]:
    """The (code, message) pairs of an ``<errors>`` answer."""
    return [
        (int(e.findtext("code") or 0), e.findtext("message") or "")
        for e in parse(response).iter("error")
    ]


def post(http: httpx.Client, resource: str, entity: str, **fields: str) -> httpx.Response:
    """POST one entity."""
    return http.post(f"/api/{resource}", content=xml_body(entity, **fields))


def new_id(response: httpx.Response) -> int:
    """The id of the entity a POST created."""
    assert response.status_code == 201, response.text
    return int(field(response, "id"))


def place_order(
    http: httpx.Client, rows: list[tuple[int, int, int]], total_paid: str | None = None
) -> httpx.Response:
    """Customer, address, cart and order for *rows* (product, combination, quantity).

    With *total_paid* None the cart's total is computed from the prices the
    webservice shows (tax rules group 1 at 20 %, the free default carrier)."""
    customer = new_id(
        post(
            http,
            "customers",
            "customer",
            lastname="Doe",
            firstname="Jane",
            email=f"jane{next(_EMAILS)}@example.com",
            passwd="secret123",
            id_default_group="3",
            active="1",
        )
    )
    address = new_id(
        post(
            http,
            "addresses",
            "address",
            id_customer=str(customer),
            id_country="8",
            alias="Amazon",
            lastname="Doe",
            firstname="Jane",
            address1="1 rue de la Paix",
            postcode="75002",
            city="Paris",
        )
    )
    cart_rows = "".join(
        f"<cart_row><id_product>{p}</id_product><id_product_attribute>{a}</id_product_attribute>"
        f"<id_address_delivery>{address}</id_address_delivery><quantity>{q}</quantity></cart_row>"
        for p, a, q in rows
    )
    cart_xml = (
        "<prestashop><cart>"
        f"<id_customer>{customer}</id_customer><id_address_delivery>{address}</id_address_delivery>"
        f"<id_address_invoice>{address}</id_address_invoice><id_currency>1</id_currency>"
        f"<id_lang>1</id_lang><associations><cart_rows>{cart_rows}</cart_rows></associations>"
        "</cart></prestashop>"
    )
    cart = new_id(http.post("/api/carts", content=cart_xml))
    return post(
        http,
        "orders",
        "order",
        id_address_delivery=str(address),
        id_address_invoice=str(address),
        id_cart=str(cart),
        id_currency="1",
        id_lang="1",
        id_customer=str(customer),
        id_carrier="1",
        module="ps_wirepayment",
        payment="Amazon",
        total_paid=total_paid or cart_total(http, rows),
        total_paid_real="0",
        total_products="0",
        total_products_wt="0",
        conversion_rate="1",
    )


def unit_price_ti(http: httpx.Client, product: int, combination: int) -> float:
    """Tax-included unit price of (product, combination), from the webservice's prices."""
    price = float(field(http.get(f"/api/products/{product}"), "price"))
    if combination:
        price += float(field(http.get(f"/api/combinations/{combination}"), "price"))
    return round(price * 1.2, 2)


def cart_total(http: httpx.Client, rows: list[tuple[int, int, int]]) -> str:
    """What the customer pays for *rows* with the free carrier."""
    return f"{sum(unit_price_ti(http, p, a) * q for p, a, q in rows):.2f}"
