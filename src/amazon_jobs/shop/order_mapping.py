"""An Amazon order as PrestaShop objects: customer, address, cart rows, order (pure).

PrestaShop's validators refuse much of what marketplaces send (``prestashop-facts.md``
§3.9): digits or commas in names, letters in phone numbers, long fields. Each value
is cleaned to what its validator accepts and the original is kept in the address's
``other`` field. What Amazon does not give (without the PII roles it gives no name,
street or phone) is filled with placeholders PrestaShop accepts and that say where
the real value is; a street is never invented:

- customer: first name ``Amazon``, last name ``Customer``; e-mail
  ``<amazon-order-id>@marketplace.amazon.invalid`` (``.invalid`` is reserved: it can
  never reach anybody) unless Amazon gave the buyer's (anonymized) e-mail;
- address: ``address1`` ``See Amazon order <id>``, city ``See Amazon order`` when missing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from amazon_jobs.domain.marketplaces import marketplace

__all__ = [
    "PLACEHOLDER_DOMAIN",
    "CartLine",
    "ShopOrderInput",
    "address_fields",
    "cart_fields",
    "cart_total",
    "country_code",
    "customer_email",
    "customer_fields",
    "order_fields",
    "split_name",
]

PLACEHOLDER_DOMAIN = "marketplace.amazon.invalid"
_NAME_BAD = re.compile(r"[0-9!<>,;?=+()@#\"°{}_$%:¤|]")
_CUSTOMER_NAME_BAD = re.compile(r"[0-9!<>,;?=+()/\\@#\"°*`{}_^$%:¤\[\]|]")
_ADDRESS_BAD = re.compile(r"[!<>?=+@{}_$%]")
_CITY_BAD = re.compile(r"[!<>;?=+@#\"°{}_$%]")
_PHONE_BAD = re.compile(r"[^+0-9.()/\- ]")
_POSTCODE_BAD = re.compile(r"[^A-Za-z0-9 \-]")
_GENERIC_BAD = re.compile(r"[<>={}]")
_MESSAGE_BAD = re.compile(r"[<>{}]")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True, slots=True)
class ShopOrderInput:
    """What Orders to Shop knows of an Amazon order."""

    amazon_order_id: str
    marketplace_id: str | None
    ship_to: Mapping[str, str]
    buyer: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CartLine:
    """One Amazon order line found in the shop, with the shop's unit prices."""

    sku: str
    product_id: int
    combination_id: int
    quantity: int
    #: Tax excluded (the product's price plus the combination's impact).
    unit_price: Decimal
    #: Tax included for the delivery country, as the shop computes it (``price[ti]``).
    unit_price_tax_incl: Decimal


def _clean(pattern: re.Pattern[str], text: str, size: int) -> str:
    return re.sub(r"\s+", " ", pattern.sub(" ", text)).strip()[:size].strip()


def _customer_name(text: str) -> str:
    cleaned = _clean(_CUSTOMER_NAME_BAD, text, 255)
    # isCustomerName: a dot must be followed by a space or end the name.
    return re.sub(r"\.(?=\S)", ". ", cleaned)


def split_name(full: str | None) -> tuple[str, str]:
    """(first name, last name) of a full name; ``Amazon``/``Customer`` where missing."""
    parts = (full or "").split()
    if len(parts) >= 2:
        first, last = " ".join(parts[:-1]), parts[-1]
    else:
        first, last = "", parts[0] if parts else ""
    first, last = _customer_name(first), _customer_name(last)
    return first or "Amazon", last or "Customer"


def customer_email(order: ShopOrderInput) -> str:
    """Amazon's (anonymized) buyer e-mail, or the order's placeholder address."""
    given = (order.buyer.get("email") or "").strip()
    if given and _EMAIL.match(given) and len(given) <= 255:
        return given
    return f"{order.amazon_order_id.lower()}@{PLACEHOLDER_DOMAIN}"


def country_code(order: ShopOrderInput) -> str:
    """The delivery country: Amazon's, or the marketplace's (UK is GB in ISO 3166)."""
    code = (order.ship_to.get("country_code") or "").upper()
    if not code and order.marketplace_id:
        code = marketplace(order.marketplace_id).country
    return "GB" if code == "UK" else code


def customer_fields(
    order: ShopOrderInput, *, group_id: int, language_id: int, password: str | None = None
) -> dict[str, Any]:
    first, last = split_name(order.buyer.get("name") or order.ship_to.get("name"))
    return {
        "id_default_group": group_id,
        "id_lang": language_id,
        "passwd": password or secrets.token_urlsafe(18),
        "lastname": last,
        "firstname": first,
        "email": customer_email(order),
        "newsletter": 0,
        "optin": 0,
        "active": 1,
        "associations": {"groups": {"group": [{"id": group_id}]}},
    }


def address_fields(order: ShopOrderInput, *, customer_id: int, country_id: int) -> dict[str, Any]:
    ship = order.ship_to
    first, last = split_name(ship.get("name") or order.buyer.get("name"))
    first, last = _clean(_NAME_BAD, first, 255) or "Amazon", _clean(_NAME_BAD, last, 255)
    line1 = _clean(_ADDRESS_BAD, ship.get("line1", ""), 128)
    extra = " ".join(ship.get(k, "") for k in ("line2", "line3")).strip()
    fields: dict[str, Any] = {
        "id_customer": customer_id,
        "id_country": country_id,
        "alias": "Amazon",
        "company": _clean(_GENERIC_BAD, ship.get("company", ""), 255),
        "lastname": last or "Customer",
        "firstname": first,
        "address1": line1 or f"See Amazon order {order.amazon_order_id}",
        "address2": _clean(_ADDRESS_BAD, extra, 128),
        "postcode": _clean(_POSTCODE_BAD, ship.get("postal_code", ""), 12),
        "city": _clean(_CITY_BAD, ship.get("city", ""), 64) or "See Amazon order",
        "phone": _clean(_PHONE_BAD, ship.get("phone", ""), 32),
        "other": _other(order),
    }
    return fields


def _other(order: ShopOrderInput) -> str:
    """The Amazon order id and the address exactly as Amazon gave it (``isMessage``)."""
    given = ", ".join(f"{k}: {v}" for k, v in order.ship_to.items())
    text = f"Amazon order {order.amazon_order_id}" + (f". Amazon address: {given}" if given else "")
    return _MESSAGE_BAD.sub(" ", text)


def cart_fields(
    *,
    customer_id: int,
    address_id: int,
    currency_id: int,
    language_id: int,
    carrier_id: int,
    lines: Sequence[CartLine],
) -> dict[str, Any]:
    return {
        "id_address_delivery": address_id,
        "id_address_invoice": address_id,
        "id_currency": currency_id,
        "id_customer": customer_id,
        "id_lang": language_id,
        "id_carrier": carrier_id,
        # What really decides the order's carrier (§3.1): {"<address>":"<carrier>,"}.
        "delivery_option": f'{{"{address_id}":"{carrier_id},"}}',
        "associations": {
            "cart_rows": {
                "cart_row": [
                    {
                        "id_product": line.product_id,
                        "id_product_attribute": line.combination_id,
                        "id_address_delivery": address_id,
                        "quantity": line.quantity,
                    }
                    for line in lines
                ]
            }
        },
    }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cart_total(lines: Sequence[CartLine], shipping_cost: float) -> Decimal:
    """The cart total tax included, as the shop computes it: each unit at the shop's
    tax-included price (already rounded per item, ``PS_ROUND_TYPE`` 1), times its
    quantity, plus shipping."""
    total = sum((_cents(line.unit_price_tax_incl) * line.quantity for line in lines), Decimal(0))
    return _cents(total + Decimal(str(shipping_cost)))


def order_fields(
    *,
    cart: Mapping[str, int],
    carrier_id: int,
    currency_id: int,
    language_id: int,
    module: str,
    label: str,
    total: Decimal,
) -> dict[str, Any]:
    """The posted order: PrestaShop builds it from the cart and uses only module,
    payment and total_paid, but checks every required field (§3.1 step 1)."""
    paid = f"{total:.2f}"
    return {
        "id_address_delivery": cart["address"],
        "id_address_invoice": cart["address"],
        "id_cart": cart["cart"],
        "id_currency": currency_id,
        "id_lang": language_id,
        "id_customer": cart["customer"],
        "id_carrier": carrier_id,
        "module": module,
        "payment": label,
        "total_paid": paid,
        "total_paid_real": paid,
        "total_products": paid,
        "total_products_wt": paid,
        "conversion_rate": 1,
    }
