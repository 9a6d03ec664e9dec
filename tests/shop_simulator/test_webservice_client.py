"""Our Webservice client (``amazon_jobs.shop.webservice``) against the shop simulator,
over real HTTP: JSON reads with PrestaShop's quirks smoothed, XML writes, errors that
name the request and never the key."""

from __future__ import annotations

import pytest

from amazon_jobs.shop.webservice import ShopError, ShopUnavailable, WebserviceClient, to_xml
from amazon_jobs.shop_simulator import DEFAULT_KEY


@pytest.fixture
def client(shop):
    with WebserviceClient(shop.url, DEFAULT_KEY, timeout_s=10) as ws:
        yield ws


def test_lists_filters_and_gets_rows(client):
    products = client.list("products", display=["id", "reference", "date_upd"], sort="[id_ASC]")
    assert len(products) == 20 and products[0]["id"] == 1
    first = products[0]
    one = client.list("products", filters={"reference": f"[{first['reference']}]"})
    assert [p["id"] for p in one] == [1]
    assert client.list("products", filters={"reference": "[no-such-sku]"}) == []  # bare []
    full = client.get("products", 1)
    assert full is not None and full["reference"] == first["reference"]
    assert "associations" in full  # display=full keeps falsy fields and associations
    assert client.get("products", 999999) is None
    page = client.list("products", display="", limit=(5, 5))
    assert [p["id"] for p in page] == [6, 7, 8, 9, 10]


def test_writes_xml_and_reads_the_echo(client):
    customer = client.create(
        "customers",
        "customer",
        {
            "lastname": "Doe",
            "firstname": "Jane",
            "email": "jane@example.com",
            "passwd": "a-long-password-1",
            "id_default_group": 3,
            "id_lang": 1,
            "active": True,
        },
    )
    assert int(customer["id"]) > 0
    patched = client.patch("customers", "customer", int(customer["id"]), {"firstname": "Janet"})
    assert patched["firstname"] == "Janet"
    assert client.get("customers", int(customer["id"]))["lastname"] == "Doe"


def test_refusals_name_the_request_and_the_shops_reason(client, shop):
    with pytest.raises(ShopError, match=r"POST customers: the shop answered HTTP 400 \(code 41\)"):
        client.create("customers", "customer", {"firstname": "No last name"})
    wrong = WebserviceClient(shop.url, "X" * 32, timeout_s=10)
    with pytest.raises(ShopError, match="refused the Webservice key") as refused:
        wrong.list("products")
    assert "X" * 32 not in str(refused.value)
    wrong.close()
    gone = WebserviceClient("http://127.0.0.1:1", DEFAULT_KEY, timeout_s=2)
    with pytest.raises(ShopUnavailable, match="cannot be reached"):
        gone.list("products")
    gone.close()


def test_to_xml_builds_attributes_lists_and_associations():
    body = to_xml(
        "cart",
        {
            "id_customer": 4,
            "name": {"language": [{"@id": "1", "#text": "Mug"}]},
            "associations": {"cart_rows": {"cart_row": [{"id_product": 1}, {"id_product": 2}]}},
            "gift": False,
            "note": None,
        },
    ).decode()
    assert '<language id="1">Mug</language>' in body
    assert body.count("<cart_row>") == 2 and "<gift>0</gift>" in body and "<note />" in body
