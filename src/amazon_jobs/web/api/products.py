"""``/api/v1/products``: the shop catalog, searched, read and upserted in bulk."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.catalog_import import import_product_rows
from amazon_jobs.store.catalog import find_products, product_by_sku
from amazon_jobs.web.api.params import BeforeId, Limit, Search, cursor
from amazon_jobs.web.api.schemas.common import error
from amazon_jobs.web.api.schemas.products import (
    ProductPublic,
    ProductsPublic,
    ProductsUpsert,
    ProductsUpserted,
    RowError,
)
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/products", tags=["products"])


@router.get("")
def read_products(
    rt: RuntimeDep, q: Search = None, before_id: BeforeId = None, limit: Limit = 50
) -> ProductsPublic:
    """Products newest first; ``q`` matches a SKU's start, a whole EAN/UPC or part of a title."""
    with rt.db.read() as session:
        rows = find_products(session, q, before_id=before_id, limit=limit + 1)
    return ProductsPublic(
        items=[ProductPublic.of(p) for p in rows[:limit]], next_before_id=cursor(rows, limit)
    )


@router.put(
    "",
    responses=error(422, "The request is not valid, or none of its rows is"),
)
def upsert_products(rt: RuntimeDep, body: ProductsUpsert) -> ProductsUpserted:
    """Create or update up to 10 000 products by SKU. Rows are checked like a CSV
    import's: a wrong row is reported with its index and skipped, the good ones are
    stored. If no row is good, nothing is stored and the answer is 422."""
    result = import_product_rows(rt.db, [row.as_row() for row in body.products], rt.clock)
    errors = [
        RowError(index=e.line, message=e.message.removeprefix(f"line {e.line}: "))
        for e in result.errors
    ]
    if not result.stored:
        raise ApiError(
            422,
            f"no row was stored: {len(errors)} row(s) are invalid (see details)",
            [e.model_dump() for e in errors[:1000]],
        )
    return ProductsUpserted(created=result.created, updated=result.updated, errors=errors)


@router.get("/{sku:path}", responses=error(404, "No such SKU"))
def read_product(rt: RuntimeDep, sku: str) -> ProductPublic:
    with rt.db.read() as session:
        product = product_by_sku(session, sku) if "\x00" not in sku else None
    if product is None:
        raise ApiError(404, f"no product has SKU {sku!r}")
    return ProductPublic.of(product)
