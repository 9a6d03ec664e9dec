"""What a cart costs, as ``Cart::getOrderTotal`` computes it for this shop's setup.

Unit price = product ``price`` (tax excluded) + the combination's price impact;
tax = the configured rate for products in a tax rules group (0 for group 0),
rounded per item (``PS_ROUND_TYPE`` 1); shipping = the carrier's cost, taxed at
the same rate; the carrier is the cart's ``delivery_option`` one when valid,
else ``PS_CARRIER_DEFAULT``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from amazon_jobs.shop_simulator.reference_data import CARRIER_SHIPPING
from amazon_jobs.shop_simulator.store import Row, Store

__all__ = ["CartLine", "CartTotal", "cart_carrier", "price_cart"]


@dataclass(frozen=True, slots=True)
class CartLine:
    """One cart row priced."""

    product_id: int
    attribute_id: int
    quantity: int
    unit_te: float
    unit_ti: float


@dataclass(frozen=True, slots=True)
class CartTotal:
    """A cart's lines and totals."""

    lines: list[CartLine]
    carrier_id: int
    products_te: float
    products_ti: float
    shipping_te: float
    shipping_ti: float
    tax_rate: float

    @property
    def paid_ti(self) -> float:
        """What the customer owes, tax included."""
        return round(self.products_ti + self.shipping_ti, 2)

    @property
    def paid_te(self) -> float:
        """The same, tax excluded."""
        return round(self.products_te + self.shipping_te, 2)


def cart_carrier(store: Store, cart: Row, default: int) -> int:
    """The carrier ``delivery_option`` names, if it exists and is active; else *default*."""
    carts, carriers = store["carts"], store["carriers"]
    try:
        option = json.loads(carts.value(cart, "delivery_option") or "{}")
        first = str(next(iter(option.values()))).split(",")[0] if option else ""
    except (ValueError, AttributeError):
        first = ""
    carrier = carriers.rows.get(int(first)) if first.isdigit() else None
    if (
        carrier
        and carriers.value(carrier, "active") == "1"
        and carriers.value(carrier, "deleted") == "0"
    ):
        return int(carrier["id"])
    return default


def price_cart(store: Store, cart: Row, tax_rate: float, default_carrier: int) -> CartTotal:
    """Price every row of *cart*."""
    products, combinations = store["products"], store["combinations"]
    lines = []
    for entry in cart.get("@cart_rows", []):
        product = products.rows.get(int(entry.get("id_product") or 0))
        attribute_id = int(entry.get("id_product_attribute") or 0)
        combination = combinations.rows.get(attribute_id)
        unit = float(products.value(product, "price")) if product else 0.0
        if combination:
            unit += float(combinations.value(combination, "price"))
        rate = tax_rate if product and products.value(product, "id_tax_rules_group") != "0" else 0.0
        lines.append(
            CartLine(
                product_id=int(entry.get("id_product") or 0),
                attribute_id=attribute_id,
                quantity=int(entry.get("quantity") or 0),
                unit_te=round(unit, 6),
                unit_ti=round(unit * (1 + rate / 100), 2),
            )
        )
    carrier_id = cart_carrier(store, cart, default_carrier)
    shipping_te = CARRIER_SHIPPING.get(carrier_id, 0.0) if lines else 0.0
    return CartTotal(
        lines=lines,
        carrier_id=carrier_id,
        products_te=round(sum(round(line.unit_te, 2) * line.quantity for line in lines), 2),
        products_ti=round(sum(line.unit_ti * line.quantity for line in lines), 2),
        shipping_te=shipping_te,
        shipping_ti=round(shipping_te * (1 + tax_rate / 100), 2),
        tax_rate=tax_rate,
    )
