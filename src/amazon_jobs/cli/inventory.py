"""``amazon-jobs inventory``: the imported listings report (Amazon Inventory)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from amazon_jobs.cli.common import console, friendly_errors, runtime
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.models import InventoryRow

app = typer.Typer(help="Amazon Inventory: the account's listings as Amazon reports them.")


@app.command("list")
@friendly_errors
def list_(
    account: Annotated[str, typer.Option(help="Account name or id.")],
    unmatched: Annotated[bool, typer.Option(help="Only SKUs no shop product has.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """Rows of the last imported report; unmatched SKUs in red."""
    with runtime() as rt, rt.db.read() as session:
        acct = find_account(session, account)
        query = select(InventoryRow).where(
            InventoryRow.account_id == acct.id,
            InventoryRow.snapshot_id == acct.inventory_snapshot_id,
        )
        if unmatched:
            query = query.where(InventoryRow.product_id.is_(None))
        rows = list(session.scalars(query.order_by(InventoryRow.sku).limit(limit)))
    if acct.inventory_snapshot_id is None:
        console.print("No report imported yet: run `amazon-jobs jobs inventory-report`.")
        return
    table = Table("SKU", "ASIN", "Title", "Price", "Quantity", "Status", "Product")
    for row in rows:
        sku = escape(row.sku) if row.product_id else f"[red]{escape(row.sku)}[/]"
        table.add_row(
            sku,
            row.asin or "—",
            escape(row.title or ""),
            str(row.price or "—"),
            str(row.quantity if row.quantity is not None else "—"),
            row.status or "—",
            "linked" if row.product_id else "[red]no product[/]",
        )
    console.print(table)
