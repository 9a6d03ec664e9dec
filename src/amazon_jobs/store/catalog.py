"""Products and the selling list (listings)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Row, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.store.models import Listing, Product

__all__ = [
    "ListingView",
    "UpsertCounts",
    "add_to_list",
    "find_listings",
    "find_products",
    "product_by_sku",
    "product_ids_by_sku",
    "upsert_listings",
    "upsert_products",
]


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.created += other.created
        self.updated += other.updated


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def product_ids_by_sku(session: Session, skus: Sequence[str]) -> dict[str, int]:
    rows = session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus)))
    return {row.sku: row.id for row in rows}


def upsert_products(session: Session, rows: Sequence[ProductRow], now: datetime) -> UpsertCounts:
    """Insert new SKUs and update existing ones (one statement, executed for every row)."""
    if not rows:
        return UpsertCounts()
    existing = product_ids_by_sku(session, [r.sku for r in rows])
    values = [
        {
            "sku": r.sku,
            "ean": r.ean,
            "title": r.title,
            "quantity": r.quantity,
            "price": r.price,
            "created_at": now,
            "updated_at": now,
        }
        for r in rows
    ]
    statement = _insert(session)(Product)
    statement = statement.on_conflict_do_update(
        index_elements=[Product.sku],
        set_={
            name: statement.excluded[name]
            for name in ("ean", "title", "quantity", "price", "updated_at")
        },
    )
    session.execute(statement, values)  # executemany: one compiled statement, batched
    return UpsertCounts(created=len(rows) - len(existing), updated=len(existing))


def upsert_listings(
    session: Session, account_id: int, rows: Sequence[ListingRow], now: datetime
) -> tuple[UpsertCounts, list[str]]:
    """Record listings that already exist on Amazon as active; returns unknown SKUs."""
    products = product_ids_by_sku(session, [r.sku for r in rows])
    known = [r for r in rows if r.sku in products]
    if not known:
        return UpsertCounts(), [r.sku for r in rows]
    existing = set(
        session.scalars(
            select(Listing.product_id).where(
                Listing.account_id == account_id,
                Listing.product_id.in_([products[r.sku] for r in known]),
            )
        )
    )
    values = [
        {
            "account_id": account_id,
            "product_id": products[r.sku],
            "state": ListingState.ACTIVE.value,
            "asin": r.asin,
            "confirmed_quantity": r.quantity,
            "confirmed_price": r.price,
            "updated_at": now,
        }
        for r in known
    ]
    statement = _insert(session)(Listing)
    statement = statement.on_conflict_do_update(
        index_elements=[Listing.account_id, Listing.product_id],
        set_={
            name: statement.excluded[name]
            for name in ("state", "asin", "confirmed_quantity", "confirmed_price", "updated_at")
        },
        where=Listing.locked_by_job_id.is_(None),
    )
    session.execute(statement, values)
    unknown = [r.sku for r in rows if r.sku not in products]
    return UpsertCounts(len(known) - len(existing), len(existing)), unknown


def add_to_list(
    session: Session, account_id: int, skus: Sequence[str], now: datetime
) -> tuple[int, list[tuple[str, str]]]:
    """Put products (all when *skus* is empty) on the selling list, as not listed.

    A listing already on the list stays as it is; a removed one comes back.
    Returns how many were added and the SKUs left out, with the reason.
    """
    query = select(Product.id, Product.sku)
    if skus:
        query = query.where(Product.sku.in_(skus))
    products = {row.sku: row.id for row in session.execute(query)}
    listings = {
        row.product_id: row
        for row in session.execute(
            select(Listing.id, Listing.product_id, Listing.state, Listing.locked_by_job_id).where(
                Listing.account_id == account_id
            )
        )
    }
    skipped = [(sku, "no product has this SKU") for sku in skus if sku not in products]
    new, back = [], []
    for sku, product_id in products.items():
        listing = listings.get(product_id)
        if listing is None:
            new.append(product_id)
        elif listing.state == ListingState.REMOVED and listing.locked_by_job_id is None:
            back.append(listing.id)
        elif skus:
            skipped.append((sku, f"already on the list ({listing.state})"))
    if new:
        session.execute(
            insert(Listing),
            [
                {
                    "account_id": account_id,
                    "product_id": pid,
                    "state": ListingState.NOT_LISTED.value,
                    "updated_at": now,
                }
                for pid in new
            ],
        )
    if back:
        session.execute(
            update(Listing)
            .where(Listing.id.in_(back))
            .values(state=ListingState.NOT_LISTED.value, last_error=None, updated_at=now)
        )
    return len(new) + len(back), skipped


def find_products(
    session: Session, search: str | None = None, *, before_id: int | None = None, limit: int = 50
) -> list[Product]:
    """Products newest first, keyset-paginated by id.

    *search* matches the start of a SKU, a whole EAN/UPC, or part of a title
    (case-insensitive).
    """
    query = select(Product)
    if search:
        query = query.where(
            or_(
                Product.sku.startswith(search, autoescape=True),
                Product.ean == search,
                Product.title.icontains(search, autoescape=True),
            )
        )
    if before_id is not None:
        query = query.where(Product.id < before_id)
    return list(session.scalars(query.order_by(Product.id.desc()).limit(limit)))


def product_by_sku(session: Session, sku: str) -> Product | None:
    return session.scalars(select(Product).where(Product.sku == sku)).one_or_none()


#: A listing with its product's SKU, EAN, title and shop values.
ListingView = Row[Listing, str, str | None, str, int, Decimal]


def find_listings(
    session: Session,
    account_id: int,
    *,
    state: ListingState | None = None,
    search: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[ListingView]:
    """The account's selling list newest first, keyset-paginated by listing id.

    *search* matches the start of a SKU, a whole EAN/UPC or a whole ASIN.
    """
    query = (
        select(Listing, Product.sku, Product.ean, Product.title, Product.quantity, Product.price)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.account_id == account_id)
    )
    if state is not None:
        query = query.where(Listing.state == state.value)
    if search:
        query = query.where(
            or_(
                Product.sku.startswith(search, autoescape=True),
                Product.ean == search,
                Listing.asin == search.upper(),
            )
        )
    if before_id is not None:
        query = query.where(Listing.id < before_id)
    return list(session.execute(query.order_by(Listing.id.desc()).limit(limit)))
