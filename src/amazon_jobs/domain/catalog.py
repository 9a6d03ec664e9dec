"""Validation of catalog data: SKUs, EAN/UPC codes, quantities, prices."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from amazon_jobs.errors import CsvRowError

__all__ = [
    "ListingRow",
    "ProductRow",
    "gtin13",
    "gtin_valid",
    "identifier_type",
    "parse_listing_row",
    "parse_price",
    "parse_product_row",
    "parse_quantity",
    "parse_sku",
]

SKU_MAX = 40
#: The largest quantity a product can hold (a 32-bit column).
QUANTITY_MAX = 2**31 - 1
TITLE_MAX = 500
ASIN_LENGTH = 10


def gtin13(code: str) -> str:
    """An EAN-13 or UPC-A code as 13 digits (a UPC-A is an EAN-13 starting with 0)."""
    return code.zfill(13)


def identifier_type(code: str) -> str:
    """How searchCatalogItems names the code's type: UPC for 12 digits, else EAN."""
    return "UPC" if len(code) == 12 else "EAN"


def gtin_valid(code: str) -> bool:
    """True for an EAN-13 or UPC-A (12 digits) whose check digit is right."""
    if len(code) not in (12, 13) or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    # Weights 3,1,3,1... from the digit next to the check digit, leftwards.
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


@dataclass(frozen=True, slots=True)
class ProductRow:
    sku: str
    ean: str | None
    title: str
    quantity: int
    price: Decimal


@dataclass(frozen=True, slots=True)
class ListingRow:
    sku: str
    asin: str
    quantity: int
    price: Decimal


def parse_product_row(row: Mapping[str, str | None], line: int) -> ProductRow:
    """A validated product from a CSV row; CsvRowError names the first problem."""
    ean = _text(row, "ean", line) or None
    if ean is not None and not gtin_valid(ean):
        raise CsvRowError(line, f"EAN/UPC {ean!r} is not a valid EAN-13 or UPC-A code")
    title = _text(row, "title", line)
    if not title:
        raise CsvRowError(line, "title is empty")
    if len(title) > TITLE_MAX:
        raise CsvRowError(line, f"title is longer than {TITLE_MAX} characters")
    return ProductRow(
        sku=_sku(row, line),
        ean=ean,
        title=title,
        quantity=_quantity(row, line),
        price=_price(row, line),
    )


def parse_listing_row(row: Mapping[str, str | None], line: int) -> ListingRow:
    """A validated existing Amazon listing (sku, asin, quantity, price)."""
    asin = _text(row, "asin", line).upper()
    if len(asin) != ASIN_LENGTH or not asin.isalnum():
        raise CsvRowError(line, f"ASIN {asin!r} is not 10 letters and digits")
    return ListingRow(_sku(row, line), asin, _quantity(row, line), _price(row, line))


def parse_sku(value: str, line: int) -> str:
    """A valid SKU; CsvRowError (with *line*) names the problem."""
    return _sku({"sku": value}, line)


def parse_quantity(value: str, line: int) -> int:
    """A valid quantity (a whole number, 0 or more); CsvRowError names the problem."""
    return _quantity({"quantity": value}, line)


def parse_price(value: str, line: int) -> Decimal:
    """A valid price (above 0, at most two decimals); CsvRowError names the problem."""
    return _price({"price": value}, line)


def _text(row: Mapping[str, str | None], column: str, line: int) -> str:
    value = (row.get(column) or "").strip()
    if "\x00" in value:
        # PostgreSQL cannot store it, and no shop means it.
        raise CsvRowError(line, f"{column} contains a NUL character")
    return value


def _sku(row: Mapping[str, str | None], line: int) -> str:
    sku = _text(row, "sku", line)
    if not sku:
        raise CsvRowError(line, "SKU is empty")
    if len(sku) > SKU_MAX:
        raise CsvRowError(line, f"SKU {sku[:50]!r} is longer than {SKU_MAX} characters")
    if any(unicodedata.category(c) == "Cc" for c in sku):
        # A tab or line break would break the tab-separated reports Amazon sends back.
        raise CsvRowError(line, f"SKU {sku!r} contains a control character")
    return sku


def _quantity(row: Mapping[str, str | None], line: int) -> int:
    raw = _text(row, "quantity", line)
    try:
        quantity = int(raw)
    except ValueError:
        raise CsvRowError(line, f"quantity {raw!r} is not a whole number") from None
    if quantity < 0:
        raise CsvRowError(line, f"quantity {quantity} is negative")
    if quantity > QUANTITY_MAX:
        raise CsvRowError(line, f"quantity {quantity} is too large (at most {QUANTITY_MAX})")
    return quantity


def _price(row: Mapping[str, str | None], line: int) -> Decimal:
    raw = _text(row, "price", line)
    try:
        price = Decimal(raw)
    except InvalidOperation:
        raise CsvRowError(line, f"price {raw!r} is not a number") from None
    if not price.is_finite() or price <= 0:
        raise CsvRowError(line, f"price {raw} must be greater than 0")
    # Too large first: quantizing a huge number exceeds the decimal precision.
    if price >= Decimal("10000000000"):
        raise CsvRowError(line, f"price {raw} is too large")
    if price != price.quantize(Decimal("0.01")):
        raise CsvRowError(line, f"price {raw} has more than two decimals")
    return price.quantize(Decimal("0.01"))
