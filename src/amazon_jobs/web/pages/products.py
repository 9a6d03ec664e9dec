"""Products: the shop catalog, searched and filtered, and adding products to a selling list."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from amazon_jobs import service
from amazon_jobs.catalog_import import ImportResult, import_products
from amazon_jobs.errors import AmazonJobsError, CsvError
from amazon_jobs.store.models import Listing, Product
from amazon_jobs.web.access import OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages import queries, selection
from amazon_jobs.web.pages.common import pick_account, redirect, render, url_with
from amazon_jobs.web.pages.params import FormId

router = APIRouter()

PAGE_SIZE = 50
#: How many rejected rows the message after an upload names (the rest are counted).
ERRORS_SHOWN = 5
Text = Annotated[str, Query(max_length=100)]
ON_LIST = ("", "on", "off")


@router.get("/products", response_class=HTMLResponse)
def products_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    account: Text = "",
    q: Text = "",
    on_list: Text = "",
    before: Text | None = None,
    after: Text | None = None,
) -> Response:
    picked = pick_account(rt, account)
    search = q.strip()
    on_list = on_list if on_list in ON_LIST else ""
    account_id = picked.current.id if picked.current else None
    query = selection.products_query(search, account_id, on_list)
    with rt.db.read() as session:
        page = queries.keyset(
            session,
            query,
            Product.sku,
            lambda row: row[0].sku,
            descending=False,
            limit=PAGE_SIZE,
            before=before,
            after=after,
        )
        matching = selection.count(session, query)
        states: dict[int, str] = {}
        if account_id is not None and page.rows:
            ids = [row[0].id for row in page.rows]
            listed = select(Listing.product_id, Listing.state).where(
                Listing.account_id == account_id, Listing.product_id.in_(ids)
            )
            states = {row.product_id: row.state for row in session.execute(listed)}
    params = {"account": account_id or "", "q": search, "on_list": on_list}
    context = {
        "me": me,
        "picked": picked,
        "products": [row[0] for row in page.rows],
        "states": states,
        "matching": matching,
        "q": search,
        "on_list": on_list,
        "next_url": url_with("/products", {**params, **page.next}) if page.next else None,
        "prev_url": url_with("/products", {**params, **page.prev}) if page.prev else None,
        "back": url_with("/products", params),
    }
    return render(request, "products.html", context)


@router.post("/products/add")
def add_products(
    request: Request,
    rt: RuntimeDep,
    _: OperatorForm,
    account: FormId,
    sku: Annotated[list[str] | None, Form()] = None,
    all_matching: Annotated[bool, Form()] = False,
    q: Annotated[str, Form(max_length=100)] = "",
    on_list: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Put the ticked products (or all matching the filter) on the account's selling list."""
    back = url_with("/products", {"account": account, "q": q.strip(), "on_list": on_list})
    if all_matching:
        query = selection.products_query(q.strip(), account, on_list)
        with rt.db.read() as session:
            wanted = selection.skus_of(session, query)
    else:
        wanted = selection.picked_skus(sku or [])
    if not wanted:
        return redirect(request, back, "Tick one or more products first.", "error")
    try:
        added, skipped = service.add_to_selling_list(rt, account, wanted)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    message = f"{added} product(s) added to the selling list (not listed yet)."
    if skipped:
        shown = "; ".join(f"{s}: {why}" for s, why in skipped[:10])
        more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        message += f" Left out: {shown}{more}."
    return redirect(request, back, message, "ok" if added else "error")


@router.post("/products/import")
def import_products_file(
    request: Request,
    rt: RuntimeDep,
    _: OperatorForm,
    file: Annotated[UploadFile, File()],
    account: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Import a products CSV (``sku,ean,title,quantity,price``), as ``products import`` does.

    The upload is copied to a temporary file and streamed from there, so its size
    does not matter to memory; good rows are stored, bad ones named by line.
    """
    back = url_with("/products", {"account": account})
    with tempfile.TemporaryDirectory(prefix="amazon-jobs-import-") as folder:
        path = Path(folder) / "products.csv"
        with path.open("wb") as copy:
            shutil.copyfileobj(file.file, copy)
        if path.stat().st_size == 0:
            return redirect(request, back, "Choose a CSV file to import first.", "error")
        try:
            result = import_products(rt.db, path, rt.clock)
        except CsvError as exc:
            return redirect(request, back, f"{file.filename or 'The file'}: {exc}", "error")
    return redirect(request, back, _imported(result), "ok" if result.stored else "error")


def _imported(result: ImportResult) -> str:
    message = (
        f"{result.stored} product(s) imported ({result.created} new, {result.updated} updated)."
    )
    if result.rejected:
        shown = "; ".join(e.message for e in result.errors[:ERRORS_SHOWN])
        more = result.rejected - min(len(result.errors), ERRORS_SHOWN)
        message += f" {result.rejected} row(s) left out: {shown}"
        message += f" and {more} more." if more else "."
    return message
