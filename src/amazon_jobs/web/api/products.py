"""``/api/v1/products``: the shop catalog, searched, read, upserted in bulk, and its
quantities and prices changed (the push path of a shop without a connector)."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.catalog_import import import_product_rows
from amazon_jobs.domain.product_changes import RawChange, parse_changes
from amazon_jobs.errors import CsvRowError
from amazon_jobs.store.catalog import find_products, product_by_sku
from amazon_jobs.store.product_changes import ChangeResult, apply_changes
from amazon_jobs.web.access import OPERATE, READ
from amazon_jobs.web.api.params import BeforeId, Limit, Search, cursor
from amazon_jobs.web.api.schemas.common import error
from amazon_jobs.web.api.schemas.products import (
    ProductChange,
    ProductPublic,
    ProductsChange,
    ProductsChanged,
    ProductsPublic,
    ProductsUpsert,
    ProductsUpserted,
    RowError,
)
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/products", tags=["products"])


@router.get("", dependencies=READ)
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
    dependencies=OPERATE,
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


@router.patch(
    "",
    responses=error(422, "The request is not valid, or none of its rows is"),
    dependencies=OPERATE,
)
def change_products(rt: RuntimeDep, body: ProductsChange) -> ProductsChanged:
    """Change the quantity and/or price of up to 10 000 products by SKU: the cheap way
    for a shop without a connector to push stock and price changes. Each row is
    applied whole or not at all; a wrong row (unknown SKU, bad value, a product of a
    connected shop) is reported with its index. If no row is good, nothing is
    stored and the answer is 422. Automatic sync sends the changes to Amazon."""
    result = _change(rt, [row.raw(row.sku) for row in body.products])
    errors = _row_errors(result.errors)
    if not result.updated and not result.unchanged:
        raise ApiError(
            422,
            f"no row was applied: {len(errors)} row(s) are invalid (see details)",
            [e.model_dump() for e in errors[:1000]],
        )
    return ProductsChanged(updated=result.updated, unchanged=result.unchanged, errors=errors)


@router.patch(
    "/{sku:path}",
    responses=error(404, "No such SKU")
    | error(409, "The product comes from a connected shop")
    | error(422, "Invalid values"),
    dependencies=OPERATE,
)
def change_product(rt: RuntimeDep, sku: str, body: ProductChange) -> ProductPublic:
    """Change one product's quantity and/or price; automatic sync sends it to Amazon."""
    result = _change(rt, [body.raw(sku)])
    if result.errors:
        message = result.errors[0].message.removeprefix("line 0: ")
        status = (
            404 if message.startswith("no product") else 409 if "comes from" in message else 422
        )
        raise ApiError(status, message)
    return ProductPublic.of(next(iter(result.products.values())))


def _change(rt: RuntimeDep, rows: list[RawChange]) -> ChangeResult:
    changes, invalid = parse_changes(rows)
    with rt.db.transaction() as session:
        result = apply_changes(session, changes, rt.clock.now())
    result.errors = sorted([*invalid, *result.errors], key=lambda e: e.line)
    return result


def _row_errors(errors: list[CsvRowError]) -> list[RowError]:
    return [
        RowError(index=e.line, message=e.message.removeprefix(f"line {e.line}: ")) for e in errors
    ]


@router.get("/{sku:path}", responses=error(404, "No such SKU"), dependencies=READ)
def read_product(rt: RuntimeDep, sku: str) -> ProductPublic:
    with rt.db.read() as session:
        product = product_by_sku(session, sku) if "\x00" not in sku else None
    if product is None:
        raise ApiError(404, f"no product has SKU {sku!r}")
    return ProductPublic.of(product)
