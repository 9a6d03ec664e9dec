"""The filters behind "all N matching this filter" on the Products and Selling lists
pages, and reading a selection of rows out of a form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from amazon_jobs.store.models import Listing, Product

__all__ = [
    "MAX_SELECTED",
    "count",
    "listings_query",
    "picked_skus",
    "products_query",
    "skus_of",
]

#: Most rows one form may select (a JSON listings feed carries up to 25 000 messages).
MAX_SELECTED = 100_000
MAX_SKU = 100


def products_query(search: str, account_id: int | None, on_list: str) -> Any:
    """Products by a SKU prefix, a whole EAN/UPC or part of the title; *on_list*
    ("on"/"off") keeps those on (or not on) the account's selling list."""
    query = select(Product)
    if search:
        query = query.where(
            or_(
                Product.sku.startswith(search, autoescape=True),
                Product.ean == search,
                Product.title.icontains(search, autoescape=True),
            )
        )
    if account_id is not None and on_list in ("on", "off"):
        listed = (
            select(Listing.id)
            .where(
                Listing.product_id == Product.id,
                Listing.account_id == account_id,
                Listing.state != "removed",
            )
            .exists()
        )
        query = query.where(listed if on_list == "on" else ~listed)
    return query


def listings_query(account_id: int, search: str, state: str | None) -> Any:
    """The account's listings as the Selling lists page filters them."""
    query = (
        select(Listing, Product)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.account_id == account_id)
    )
    if search:
        query = query.where(
            or_(
                Product.sku.startswith(search, autoescape=True),
                Product.ean == search,
                Listing.asin == search.upper(),
            )
        )
    if state:
        query = query.where(Listing.state == state)
    return query


def count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def skus_of(session: Session, query: Any) -> list[str]:
    """The SKUs of every row *query* matches, in SKU order."""
    sub = query.with_only_columns(Product.sku).order_by(Product.sku).limit(MAX_SELECTED)
    return list(session.scalars(sub))


def picked_skus(values: list[str]) -> list[str]:
    """The ticked SKUs of a form, without blanks, duplicates or oversized values."""
    kept = (v.strip() for v in values[:MAX_SELECTED])
    return list(dict.fromkeys(v for v in kept if v and len(v) <= MAX_SKU))
