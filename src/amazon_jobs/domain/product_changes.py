"""Quantity and price changes pushed by a shop without a connector: checked row by row.

A change names a product by SKU and gives its new quantity, its new price, or
both. A wrong row is reported by its index and nothing of it is applied; the
good rows are. Pure code: which SKUs exist is the store's question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from amazon_jobs.domain.catalog import parse_price, parse_quantity, parse_sku
from amazon_jobs.errors import CsvRowError

__all__ = ["ProductChange", "RawChange", "parse_changes"]


@dataclass(frozen=True, slots=True)
class RawChange:
    """A change as the client sent it (values not checked yet)."""

    sku: str
    quantity: int | None = None
    price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProductChange:
    """A checked change; None leaves that value as it is."""

    index: int
    sku: str
    quantity: int | None
    price: Decimal | None


def parse_changes(rows: Sequence[RawChange]) -> tuple[list[ProductChange], list[CsvRowError]]:
    """The valid changes and, for every other row, its problem (with its index as line)."""
    good: list[ProductChange] = []
    errors: list[CsvRowError] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(rows):
        try:
            change = _parse(raw, index)
            if change.sku in seen:
                raise CsvRowError(
                    index, f"SKU {change.sku!r} appears already in row {seen[change.sku]}"
                )
        except CsvRowError as error:
            errors.append(error)
            continue
        seen[change.sku] = index
        good.append(change)
    return good, errors


def _parse(raw: RawChange, index: int) -> ProductChange:
    sku = parse_sku(raw.sku, index)
    if raw.quantity is None and raw.price is None:
        raise CsvRowError(index, f"SKU {sku!r}: give a quantity, a price, or both")
    quantity = None if raw.quantity is None else parse_quantity(str(raw.quantity), index)
    price = None if raw.price is None else parse_price(str(raw.price), index)
    return ProductChange(index, sku, quantity, price)
