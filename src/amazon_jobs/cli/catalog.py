"""``amazon-jobs products`` and ``amazon-jobs listings``: CSV imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from amazon_jobs.catalog_import import ImportResult, import_listings, import_products
from amazon_jobs.cli.common import console, friendly_errors, runtime
from amazon_jobs.service import add_to_selling_list
from amazon_jobs.store.accounts import find_account

products = typer.Typer(help="The shop catalog.")
listings = typer.Typer(help="The selling list of an account.")

MAX_ERRORS_SHOWN = 50
#: Exit code of an import that stored the good rows but rejected some (1: nothing imported).
EXIT_ROWS_REJECTED = 3
SEPARATOR_NAMES = {";": "semicolons", "\t": "tabs"}


def _with_progress(
    path: Path, run: Callable[[Callable[[int], None]], ImportResult]
) -> ImportResult:
    lines = sum(1 for _ in path.open("rb")) if path.exists() else 0
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"Importing {path.name}", total=max(lines - 1, 1))
        return run(lambda line: progress.update(task, completed=line - 1))


def _report(result: ImportResult, what: str) -> None:
    """Print what an import did; exit with :data:`EXIT_ROWS_REJECTED` if rows were rejected."""
    if result.delimiter in SEPARATOR_NAMES:
        decimal = " (prices may have a decimal comma)" if result.delimiter == ";" else ""
        console.print(f"Read as a file separated by {SEPARATOR_NAMES[result.delimiter]}{decimal}.")
    console.print(
        f"{result.rows} row(s) read: {result.created} {what} created, {result.updated} updated, "
        f"{result.rejected} rejected."
    )
    if result.errors:
        table = Table("Line", "Problem", title="Rejected rows (not imported)")
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            table.add_row(str(error.line), error.message.split(": ", 1)[-1])
        console.print(table)
        shown = min(len(result.errors), MAX_ERRORS_SHOWN)
        if result.rejected > shown:
            console.print(f"… and {result.rejected - shown} more.")
    if result.rejected:
        raise typer.Exit(EXIT_ROWS_REJECTED)


@products.command("import")
@friendly_errors
def import_products_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns sku,ean,title,quantity,price (separated by commas, "
            "or semicolons)."
        ),
    ],
) -> None:
    """Import products; a bad row is reported with its line number and skipped.

    Exit code 0: every row imported; 3: the good rows imported, some rejected
    (listed); 1: the file refused, nothing imported.
    """
    with runtime() as rt:
        result = _with_progress(file, lambda p: import_products(rt.db, file, rt.clock, p))
    _report(result, "product(s)")


@listings.command("import")
@friendly_errors
def import_listings_command(
    file: Annotated[Path, typer.Argument(help="CSV with columns sku,asin,quantity,price.")],
    account: Annotated[str, typer.Option(help="Account name or id.")],
) -> None:
    """Record listings that already exist on Amazon (active, with ASIN and confirmed values).

    Exit code 0: every row imported; 3: the good rows imported, some rejected
    (listed); 1: the file refused, nothing imported.
    """
    with runtime() as rt:
        with rt.db.read() as session:
            account_id = find_account(session, account).id
        result = _with_progress(
            file, lambda p: import_listings(rt.db, account_id, file, rt.clock, p)
        )
    _report(result, "listing(s)")


@products.command("add-to-list")
@friendly_errors
def add_to_list(
    account: Annotated[str, typer.Option(help="Account name or id.")],
    sku: Annotated[list[str] | None, typer.Option("--sku", help="A SKU (repeatable).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every product.")] = False,
) -> None:
    """Put products on an account's selling list, ready for Sending Products."""
    with runtime() as rt:
        added, skipped = add_to_selling_list(rt, account, tuple(sku or ()), all_)
    console.print(f"{added} product(s) added to the selling list (not listed yet).")
    if skipped:
        table = Table("SKU", "Why it was left out")
        for left_out, why in skipped:
            table.add_row(left_out, why)
        console.print(table)
