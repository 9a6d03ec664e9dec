"""Seller listings from rows or a CSV file (header ``sku,asin,quantity,price``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from amazon_jobs.errors import CsvError, CsvRowError
from amazon_jobs.simulator.models import SimListing

__all__ = ["COLUMNS", "listing_from_row", "listings_from_rows", "read_listings_csv"]

COLUMNS = ("sku", "asin", "quantity", "price")


def listing_from_row(row: Mapping[str, Any]) -> tuple[str, SimListing]:
    """``(sku, listing)`` from a mapping with sku, asin, quantity and price; ValueError if bad.

    Optional keys: ``currency`` (ISO 4217) and ``condition`` (a condition_type value).
    """
    sku = str(row.get("sku") or "").strip()
    if not sku:
        raise ValueError("sku is required")
    asin = str(row.get("asin") or "").strip() or None
    quantity = _quantity(row.get("quantity"))
    listing = SimListing(asin, quantity, _price(row.get("price")), sent_quantity=quantity)
    currency, condition = row.get("currency"), row.get("condition")
    if currency or condition:
        listing = replace(listing, currency=currency or None, condition=condition or None)
    return sku, listing


def listings_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, SimListing]:
    """Listings by SKU; a later row for a SKU replaces an earlier one."""
    return dict(listing_from_row(row) for row in rows)


def read_listings_csv(path: str | Path) -> dict[str, SimListing]:
    """Listings by SKU from a CSV file; CsvError or CsvRowError when it is not usable."""
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise CsvError(f"{path}: missing column(s) {', '.join(missing)}")
        listings = {}
        for row in reader:
            try:
                sku, listing = listing_from_row(row)
            except ValueError as exc:
                raise CsvRowError(reader.line_num, str(exc)) from exc
            listings[sku] = listing
    return listings


def _quantity(raw: Any) -> int:
    text = str(raw if raw is not None else "").strip()
    try:
        quantity = int(text or "0")
    except ValueError:
        raise ValueError(f"quantity {raw!r} is not a whole number") from None
    if quantity < 0:
        raise ValueError(f"quantity {raw!r} is negative")
    return quantity


def _price(raw: Any) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    return _decimal(text) if text else None


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    """One shared Decimal per price text: a million seeded listings share a few hundred."""
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"price {text!r} is not a number") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"price {text!r} is not a valid price")
    return price
