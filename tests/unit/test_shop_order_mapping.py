"""The pure mapping of an Amazon order to PrestaShop objects, and the connector settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from amazon_jobs.shop.order_mapping import (
    CartLine,
    ShopOrderInput,
    address_fields,
    cart_total,
    country_code,
    customer_email,
    customer_fields,
    split_name,
)
from amazon_jobs.shop.settings import SettingsError, change_settings, parse_settings
from amazon_jobs.store.models import Shop

US = "ATVPDKIKX0DER"
# PrestaShop's validators (prestashop-facts.md §3.9), as regexes of what they refuse.
IS_NAME_BAD = re.compile(r"[0-9!<>,;?=+()@#\"°{}_$%:¤|]")
IS_CUSTOMER_NAME_BAD = re.compile(r"[0-9!<>,;?=+()/\\@#\"°*`{}_^$%:¤\[\]|]|\.\S")
IS_ADDRESS_BAD = re.compile(r"[!<>?=+@{}_$%]")
IS_PHONE_BAD = re.compile(r"[^+0-9.()/\- ]")


def order(ship_to=None, buyer=None, marketplace=US):
    return ShopOrderInput("113-1234567-7654321", marketplace, ship_to or {}, buyer or {})


def test_without_pii_the_placeholders_pass_the_validators_and_invent_no_street():
    anonymous = order({"city": "Seattle", "state": "WA", "postal_code": "98101-1234",
                       "country_code": "US"})  # fmt: skip
    customer = customer_fields(anonymous, group_id=3, language_id=1, password="x" * 12)
    assert (customer["firstname"], customer["lastname"]) == ("Amazon", "Customer")
    assert customer["email"] == "113-1234567-7654321@marketplace.amazon.invalid"
    address = address_fields(anonymous, customer_id=5, country_id=21)
    assert address["address1"] == "See Amazon order 113-1234567-7654321"
    assert address["city"] == "Seattle" and address["postcode"] == "98101-1234"
    assert not IS_ADDRESS_BAD.search(address["address1"])
    assert "Amazon order 113-1234567-7654321" in address["other"]


def test_marketplace_names_and_phones_are_cleaned_for_prestashop():
    given = order(
        {"name": "Dr. J.R. O'Neil 3rd", "line1": "Flat 2, 10 Main St. <b>", "line2": "c/o {x}",
         "city": "St. Louis", "phone": "+1 (555) 010-9999 ext. 12", "country_code": "us"},
        {"email": "abc123@marketplace.amazon.com"},
    )  # fmt: skip
    first, last = split_name("Dr. J.R. O'Neil 3rd")
    assert not IS_CUSTOMER_NAME_BAD.search(first) and not IS_CUSTOMER_NAME_BAD.search(last)
    address = address_fields(given, customer_id=1, country_id=21)
    assert not IS_NAME_BAD.search(address["firstname"] + address["lastname"])
    assert not IS_ADDRESS_BAD.search(address["address1"] + address["address2"])
    assert not IS_PHONE_BAD.search(address["phone"]) and address["phone"].startswith("+1 (555)")
    assert "Flat 2, 10 Main St." in address["address1"]  # digits and commas are fine here
    assert customer_email(given) == "abc123@marketplace.amazon.com"
    assert country_code(given) == "US"
    assert country_code(order(marketplace="A1F83G8C2ARO7P")) == "GB"


def test_cart_total_takes_the_shops_tax_included_unit_prices():
    lines = [
        CartLine("A", 1, 0, 3, Decimal("9.99"), Decimal("11.99")),
        CartLine("B", 2, 7, 1, Decimal("4.005"), Decimal("4.005")),
    ]
    # 11.99 x 3 = 35.97; 4.005 -> 4.01 (half up, per unit); + 2.50 shipping
    assert cart_total(lines, 2.5) == Decimal("42.48")


def test_settings_defaults_validation_and_changes():
    defaults = parse_settings({})
    assert (
        defaults.payment_module == "ps_wirepayment" and defaults.new_order_state == "PS_OS_PAYMENT"
    )
    assert defaults.shipped_states is None and defaults.canceled_state == "PS_OS_CANCELED"
    parsed = parse_settings({"shipped_states": "PS_OS_SHIPPING,5", "carriers": {"2": "UPS"},
                             "countries": {"fr": "8"}, "catalog_key": "left alone"})  # fmt: skip
    assert parsed.shipped_states == ("PS_OS_SHIPPING", "5")
    assert parsed.carriers == {"2": {"code": "UPS"}} and parsed.countries == {"FR": 8}
    for bad in ({"payment_module": "Amazon Pay!"}, {"new_order_state": "shipped"},
                {"shipping_cost": -1}, {"carriers": {"x": "UPS"}}):  # fmt: skip
        with pytest.raises(SettingsError, match="shop settings"):
            parse_settings(bad)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    shop = Shop(name="s", kind="prestashop", url="http://x", key_enc="k", settings={"other": 1})
    change_settings(shop, {"payment_label": "Amazon EU", "shipping_cost": "5.5"}, now)
    assert shop.settings == {"other": 1, "payment_label": "Amazon EU", "shipping_cost": 5.5}
    change_settings(shop, {"shipping_cost": None}, now)
    assert shop.settings == {"other": 1, "payment_label": "Amazon EU"}
    with pytest.raises(SettingsError, match="unknown shop setting"):
        change_settings(shop, {"paymnet_module": "x"}, now)
