"""Writing a shop's catalog into ``products``: only what changed is changed.

The automatic sync (:mod:`amazon_jobs.scheduler.sync`) sends a listing whose
product's quantity or price differs from what Amazon last confirmed, so an
unchanged product must stay exactly as it is. A product the shop disabled, or
one that left the shop, keeps its row with ``active`` False and quantity 0:
the automatic sync then sends quantity 0 for its active listings, and nothing
is sold that the shop no longer sells. (It is not removed from the selling
list: a product that comes back is sold again with its listing as it was.)

A SKU entered by hand (CSV, API) that the shop also has is taken over by the
shop; a SKU of another shop is refused for the item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.catalog import QUANTITY_MAX
from amazon_jobs.shop.prestashop_catalog import ItemError, ShopItem
from amazon_jobs.store.models import Product

__all__ = ["Change", "PageResult", "apply_items", "apply_stock", "remove_unseen"]

#: The columns a shop item sets, compared to tell a change.
COLUMNS = ("ean", "title", "quantity", "price", "price_tax_incl", "active")


@dataclass(frozen=True, slots=True)
class Change:
    """One SKU changed by the sync: ``created``, ``updated``, ``restored`` or ``removed``."""

    sku: str
    kind: str
    prior: dict[str, Any]
    values: dict[str, Any]


@dataclass
class PageResult:
    """What one page did to the catalog."""

    changes: list[Change] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    unchanged: int = 0


def apply_items(
    session: Session,
    shop_id: int,
    items: Sequence[ShopItem],
    product_ids: Iterable[int],
    now: datetime,
    *,
    pass_job_id: int | None = None,
) -> PageResult:
    """Upsert *items*, the SKUs of the shop products *product_ids* (read whole); their
    other rows here (a deleted combination, a changed reference) are removed.

    *pass_job_id* (a full pass) marks every item found, so the pass can tell at its
    end what it did not find (:func:`remove_unseen`).
    """
    result = PageResult()
    by_sku = {p.sku: p for p in _products(session, Product.sku.in_([i.sku for i in items]))}
    ours = _products(
        session, Product.shop_id == shop_id, Product.shop_product_id.in_(list(product_ids))
    )
    kept: set[str] = set()
    for item in items:
        row = by_sku.get(item.sku)
        problem = _conflict(row, item, shop_id, pass_job_id)
        if problem is not None:
            result.errors.append(problem)
            continue
        kept.add(item.sku)
        change = _upsert(session, row, item, shop_id, now, pass_job_id)
        if change is None:
            result.unchanged += 1
        else:
            result.changes.append(change)
    for row in ours:
        if row.sku not in kept and row.deleted_at is None:
            result.changes.append(_remove(row, now))
    return result


def _products(session: Session, *conditions: Any) -> list[Product]:
    return list(session.scalars(select(Product).where(*conditions)))


def _conflict(
    row: Product | None, item: ShopItem, shop_id: int, pass_job_id: int | None
) -> ItemError | None:
    if row is None or row.shop_id is None:
        return None
    if row.shop_id != shop_id:
        message = f"SKU {item.sku!r} comes from another shop (id {row.shop_id}) already"
        return ItemError(item.sku, item.product_id, item.combination_id, message)
    same = (row.shop_product_id, row.shop_combination_id) == (item.product_id, item.combination_id)
    if not same and pass_job_id is not None and row.shop_pass_job_id == pass_job_id:
        message = f"reference {item.sku!r} is used by several items of the shop"
        return ItemError(item.sku, item.product_id, item.combination_id, message)
    return None


def _values(item: ShopItem) -> dict[str, Any]:
    return {
        "ean": item.ean,
        "title": item.title,
        "quantity": item.quantity,
        "price": item.price,
        "price_tax_incl": item.price_tax_incl,
        "active": item.active,
    }


def _upsert(
    session: Session,
    row: Product | None,
    item: ShopItem,
    shop_id: int,
    now: datetime,
    pass_job_id: int | None,
) -> Change | None:
    values = _values(item)
    if row is None:
        session.add(
            Product(
                sku=item.sku,
                shop_id=shop_id,
                shop_product_id=item.product_id,
                shop_combination_id=item.combination_id,
                shop_pass_job_id=pass_job_id,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        return Change(item.sku, "created", {}, _plain(values))
    if pass_job_id is not None:
        row.shop_pass_job_id = pass_job_id
    ids = {
        "shop_id": shop_id,
        "shop_product_id": item.product_id,
        "shop_combination_id": item.combination_id,
    }
    prior = {k: getattr(row, k) for k in (*COLUMNS, *ids)}
    differs = {k: v for k, v in {**values, **ids}.items() if prior[k] != v}
    if not differs and row.deleted_at is None:
        return None
    kind = "restored" if row.deleted_at is not None else "updated"
    for name, value in {**values, **ids}.items():
        setattr(row, name, value)
    row.deleted_at, row.updated_at = None, now
    return Change(item.sku, kind, _plain(prior), _plain(differs))


def _remove(row: Product, now: datetime) -> Change:
    prior = {"quantity": row.quantity, "active": row.active}
    row.quantity, row.active, row.deleted_at, row.updated_at = 0, False, now, now
    return Change(row.sku, "removed", prior, {"quantity": 0, "active": False})


def apply_stock(
    session: Session, shop_id: int, stock: Sequence[dict[str, Any]], now: datetime
) -> tuple[list[Change], set[int]]:
    """Quantities of a page of stock rows; returns the changes and the products whose
    combinations are not all here yet (a combination added since: read them again)."""
    pairs = {(_int(s.get("id_product")), _int(s.get("id_product_attribute"))): s for s in stock}
    product_ids = sorted({p for p, _ in pairs})
    rows = _products(session, Product.shop_id == shop_id, Product.shop_product_id.in_(product_ids))
    ours = {(r.shop_product_id, r.shop_combination_id): r for r in rows}
    changes: list[Change] = []
    unknown: set[int] = set()
    for (product_id, attribute), line in pairs.items():
        row = ours.get((product_id, attribute))
        if row is None:
            if attribute:
                unknown.add(product_id)
            continue
        quantity = min(max(_int(line.get("quantity")), 0), QUANTITY_MAX)
        if not row.active or row.deleted_at is not None:
            quantity = 0
        if row.quantity != quantity:
            changes.append(
                Change(row.sku, "updated", {"quantity": row.quantity}, {"quantity": quantity})
            )
            row.quantity, row.updated_at = quantity, now
    return changes, unknown


def remove_unseen(
    session: Session, shop_id: int, pass_job_id: int, now: datetime, limit: int
) -> list[Change]:
    """Up to *limit* of the shop's products the full pass *pass_job_id* did not find:
    gone from the shop, so removed here (quantity 0, inactive, ``deleted_at``)."""
    rows = session.scalars(
        select(Product)
        .where(
            Product.shop_id == shop_id,
            Product.deleted_at.is_(None),
            or_(Product.shop_pass_job_id.is_(None), Product.shop_pass_job_id != pass_job_id),
        )
        .order_by(Product.id)
        .limit(limit)
    )
    return [_remove(row, now) for row in rows]


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values (Decimals as text)."""
    return {
        k: (str(v) if v is not None and not isinstance(v, bool | int | str) else v)
        for k, v in values.items()
    }


def _int(raw: Any) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return 0
