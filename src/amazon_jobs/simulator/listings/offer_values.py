"""Reading the offer attributes of a feed message: quantity, price, condition, product.

Each reader takes the attribute's value (an array of objects, as in every
listings attribute) and returns what it says, or raises :class:`Refused`
naming the issue code and the attribute: Amazon's 90000900 "The attributes are
invalid." for a value of the wrong shape or type, 90004114 for a quantity below
0 or a price below 0.01 (the minimum Amazon documents for a price), 99022 for a
required price that is absent, and SIMULATOR_UNSUPPORTED for a channel other
than DEFAULT (Amazon's fulfillment channels are not modelled). Shapes
[sp-api-facts.md §4]::

    fulfillment_availability  [{"fulfillment_channel_code": "DEFAULT", "quantity": 10}]
    purchasable_offer         [{"currency": "EUR", "audience": "ALL",
                                "our_price": [{"schedule": [{"value_with_tax": 19.99}]}]}]
    condition_type            [{"value": "new_new"}]
    merchant_suggested_asin   [{"value": "B0XXXXXXXX"}]
    externally_assigned_product_identifier  [{"type": "ean", "value": "4006381333931"}]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amazon_jobs.simulator.feeds.messages import integer
from amazon_jobs.simulator.listings.issues import (
    ATTRIBUTES_INVALID,
    ATTRIBUTES_INVALID_MESSAGE,
    BELOW_MINIMUM,
    PRICE_MISSING,
    PRICE_MISSING_MESSAGE,
    SIMULATOR_UNSUPPORTED,
    Issue,
    below_minimum_message,
)

__all__ = [
    "ASIN_ATTRIBUTE",
    "CONDITIONS",
    "CONDITION_ATTRIBUTE",
    "EXTERNAL_ID_ATTRIBUTE",
    "MIN_PRICE",
    "PRICE_ATTRIBUTE",
    "QUANTITY_ATTRIBUTE",
    "Price",
    "Refused",
    "Rejected",
    "read_asin",
    "read_condition",
    "read_external_id",
    "read_price",
    "read_quantity",
]

QUANTITY_ATTRIBUTE = "fulfillment_availability"
PRICE_ATTRIBUTE = "purchasable_offer"
CONDITION_ATTRIBUTE = "condition_type"
ASIN_ATTRIBUTE = "merchant_suggested_asin"
EXTERNAL_ID_ATTRIBUTE = "externally_assigned_product_identifier"
#: ``condition_type`` values of the Listings Items model.
CONDITIONS = frozenset(
    {
        "new_new",
        "new_open_box",
        "new_oem",
        "refurbished_refurbished",
        "used_like_new",
        "used_very_good",
        "used_good",
        "used_acceptable",
        "collectible_like_new",
        "collectible_very_good",
        "collectible_good",
        "collectible_acceptable",
        "club_club",
    }
)
#: The lowest price Amazon accepts (Woosa, "What do the Amazon error codes mean?": "The
#: minimum value of 0.01 applies at least to price and weight").
MIN_PRICE = Decimal("0.01")
_EXTERNAL_TYPES = frozenset({"ean", "upc", "gtin", "isbn", "jan"})
_ASIN = re.compile(r"[A-Z0-9]{10}")
_CURRENCY = re.compile(r"[A-Z]{3}")


class Refused(Exception):
    """A message is refused with one issue."""

    @classmethod
    def invalid(cls, attribute: str) -> Refused:
        """Amazon's 90000900 for *attribute*."""
        return cls(ATTRIBUTES_INVALID, ATTRIBUTES_INVALID_MESSAGE, attribute)

    def __init__(self, code: str, message: str, attribute: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.attribute = code, message, attribute

    def issue(self, message_id: int, sku: str) -> Issue:
        return Issue(
            self.code, self.message, message_id=message_id, sku=sku, attribute_name=self.attribute
        )


class Rejected(Exception):
    """A message is refused with several issues (e.g. two required attributes missing)."""

    def __init__(self, refusals: list[Refused]) -> None:
        super().__init__("; ".join(refusal.message for refusal in refusals))
        self.refusals = refusals


@dataclass(frozen=True, slots=True)
class Price:
    """What a ``purchasable_offer`` value says; None where it says nothing."""

    amount: Decimal | None
    currency: str | None


def read_quantity(value: Any, *, required: bool) -> int | None:
    """The DEFAULT-channel quantity; None when a merge leaves it out."""
    entry = _single(value, QUANTITY_ATTRIBUTE)
    channel = entry.get("fulfillment_channel_code")
    if channel != "DEFAULT":
        raise Refused(
            SIMULATOR_UNSUPPORTED,
            f"The simulator models only the DEFAULT fulfillment channel, not '{channel}'.",
            QUANTITY_ATTRIBUTE,
        )
    if "quantity" not in entry and not required:
        return None
    raw = entry.get("quantity")
    quantity = integer(raw) if not isinstance(raw, float) else None
    if quantity is None:
        raise Refused.invalid(QUANTITY_ATTRIBUTE)
    if quantity < 0:
        message = below_minimum_message(quantity, QUANTITY_ATTRIBUTE)
        raise Refused(BELOW_MINIMUM, message, QUANTITY_ATTRIBUTE)
    return quantity


def read_price(value: Any, *, required: bool) -> Price:
    """The consumer (audience ALL) price; 99022 when *required* and there is none."""
    entry = _consumer_offer(value)
    currency = _currency(entry.get("currency"))
    our_price = entry.get("our_price")
    if not isinstance(our_price, list) or not our_price:
        if required:
            raise Refused(PRICE_MISSING, PRICE_MISSING_MESSAGE, f"{PRICE_ATTRIBUTE}.our_price")
        return Price(None, currency)
    return Price(_amount(our_price[0]), currency)


def read_condition(value: Any) -> str:
    """The ``condition_type`` value."""
    condition = _single(value, CONDITION_ATTRIBUTE).get("value")
    if not isinstance(condition, str) or condition not in CONDITIONS:
        raise Refused.invalid(CONDITION_ATTRIBUTE)
    return condition


def read_asin(value: Any) -> str:
    """The ``merchant_suggested_asin`` value: 10 upper-case letters or digits."""
    asin = _single(value, ASIN_ATTRIBUTE).get("value")
    if not isinstance(asin, str) or not _ASIN.fullmatch(asin):
        raise Refused.invalid(ASIN_ATTRIBUTE)
    return asin


def read_external_id(value: Any) -> tuple[str, str]:
    """``(identifierType, code)`` of ``externally_assigned_product_identifier``, e.g. EAN."""
    entry = _single(value, EXTERNAL_ID_ATTRIBUTE)
    kind, code = entry.get("type"), entry.get("value")
    if not isinstance(kind, str) or kind.lower() not in _EXTERNAL_TYPES:
        raise Refused.invalid(EXTERNAL_ID_ATTRIBUTE)
    if not isinstance(code, str) or not code.isdigit():
        raise Refused.invalid(EXTERNAL_ID_ATTRIBUTE)
    return kind.upper(), code


def _single(value: Any, attribute: str) -> dict[str, Any]:
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        raise Refused.invalid(attribute)
    entry: dict[str, Any] = value[0]
    return entry


def _consumer_offer(value: Any) -> dict[str, Any]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise Refused.invalid(PRICE_ATTRIBUTE)
    for entry in value:
        if entry.get("audience", "ALL") == "ALL":
            return dict(entry)
    return {}


def _currency(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not _CURRENCY.fullmatch(raw):
        raise Refused.invalid(PRICE_ATTRIBUTE)
    return raw


def _amount(our_price: Any) -> Decimal:
    schedule = our_price.get("schedule") if isinstance(our_price, dict) else None
    first = schedule[0] if isinstance(schedule, list) and schedule else None
    raw = first.get("value_with_tax") if isinstance(first, dict) else None
    if not _finite_number(raw):
        raise Refused.invalid(PRICE_ATTRIBUTE)
    amount = Decimal(str(raw))
    if amount < MIN_PRICE:
        raise Refused(BELOW_MINIMUM, below_minimum_message(raw, PRICE_ATTRIBUTE), PRICE_ATTRIBUTE)
    return amount


def _finite_number(raw: Any) -> bool:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return False
    return math.isfinite(raw)
