"""Applying checked quantity/price changes to products (the push path's catalog side).

Changing ``products.quantity`` or ``price`` (and ``updated_at``) is all it takes:
automatic sync picks every active listing whose confirmed values differ from its
product's, so the change reaches Amazon with the next Update Products QTY & Price
job. A product synced from a connected shop is refused: the next catalog sync
would overwrite the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.product_changes import ProductChange
from amazon_jobs.errors import CsvRowError
from amazon_jobs.store.models import Product, Shop

__all__ = ["ChangeResult", "apply_changes"]

#: SKUs looked up per query.
IN_CHUNK = 1000


@dataclass
class ChangeResult:
    updated: int = 0
    #: Rows whose values were the product's already: nothing written.
    unchanged: int = 0
    errors: list[CsvRowError] = field(default_factory=list)
    #: The row indexes of the errors that name an unknown SKU, or a shop's product.
    unknown: set[int] = field(default_factory=set)
    from_shop: set[int] = field(default_factory=set)
    #: The products as they are after the change, by SKU.
    products: dict[str, Product] = field(default_factory=dict)


def apply_changes(
    session: Session, changes: Sequence[ProductChange], now: datetime
) -> ChangeResult:
    """Write each change whose product exists and is the manual shop's; the others are
    reported as errors by their row index."""
    result = ChangeResult()
    found = _products(session, [c.sku for c in changes])
    shops = _shop_names(session, {p.shop_id for p in found.values() if p.shop_id is not None})
    for change in changes:
        product = found.get(change.sku)
        if product is None:
            result.unknown.add(change.index)
            result.errors.append(CsvRowError(change.index, f"no product has SKU {change.sku!r}"))
            continue
        if product.shop_id is not None:
            shop = shops.get(product.shop_id, str(product.shop_id))
            result.from_shop.add(change.index)
            result.errors.append(
                CsvRowError(
                    change.index,
                    f"SKU {change.sku!r} comes from the shop {shop!r}: change it there "
                    "(the next catalog sync would overwrite it)",
                )
            )
            continue
        quantity = product.quantity if change.quantity is None else change.quantity
        price = product.price if change.price is None else change.price
        result.products[change.sku] = product
        if (quantity, price) == (product.quantity, product.price):
            result.unchanged += 1
            continue
        product.quantity, product.price, product.updated_at = quantity, price, now
        result.updated += 1
    session.flush()
    result.errors.sort(key=lambda e: e.line)
    return result


def _products(session: Session, skus: Sequence[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for start in range(0, len(skus), IN_CHUNK):
        query = select(Product).where(Product.sku.in_(skus[start : start + IN_CHUNK]))
        found.update((p.sku, p) for p in session.scalars(query))
    return found


def _shop_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Shop.id, Shop.name).where(Shop.id.in_(ids)))
    return {row.id: row.name for row in rows}
