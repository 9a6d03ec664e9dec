"""Amazon Inventory: the account's latest listings report, SKUs no product has marked."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import service
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.models import Job
from amazon_jobs.web.access import OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages import queries
from amazon_jobs.web.pages.common import pick_account, redirect, render, url_with
from amazon_jobs.web.pages.params import FormId

router = APIRouter()


def same_title(amazon: str | None, shop: str | None) -> bool:
    """Whether Amazon's title and the shop's say the same (case and spacing aside)."""

    def norm(text: str | None) -> str:
        return " ".join((text or "").split()).casefold()

    return norm(amazon) == norm(shop)


PAGE_SIZE = 50
SkuCursor = Annotated[str | None, Query(max_length=100)]


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    account: Annotated[str, Query(max_length=100)] = "",
    unmatched: bool = False,
    q: Annotated[str, Query(max_length=100)] = "",
    before: SkuCursor = None,
    after: SkuCursor = None,
) -> Response:
    picked = pick_account(rt, account)
    if not account:  # open on an account that has a report, not on an empty one
        with_data = next((a for a in picked.accounts if a.inventory_snapshot_id), None)
        picked = replace(picked, current=with_data or picked.current)
    current, search = picked.current, q.strip()
    page, counts, report, shop_titles = None, (0, 0), None, {}
    if current is not None:
        with rt.db.read() as session:
            page = queries.inventory_page(
                session,
                current,
                unmatched_only=unmatched,
                search=search,
                limit=PAGE_SIZE,
                before=before,
                after=after,
            )
            counts = queries.inventory_counts(session, current)
            shop_titles = queries.product_titles(session, [r.product_id for r in page.rows])
            if current.inventory_snapshot_id:
                report = session.get(Job, current.inventory_snapshot_id)
    params = {"account": current.id if current else "", "unmatched": unmatched, "q": search}
    context = {
        "me": me,
        "picked": picked,
        "page": page,
        "total": counts[0],
        "unmatched_count": counts[1],
        "unmatched": unmatched,
        "q": search,
        "report": report,
        "shop_titles": shop_titles,
        "same_title": same_title,
        "next_url": url_with("/inventory", {**params, **page.next}) if page and page.next else None,
        "prev_url": url_with("/inventory", {**params, **page.prev}) if page and page.prev else None,
    }
    return render(request, "inventory.html", context)


@router.post("/inventory/report")
def request_report(request: Request, rt: RuntimeDep, me: OperatorForm, account: FormId) -> Response:
    """Create an Inventory Report job for the account."""
    back = f"/inventory?account={account}"
    try:
        job = service.create_inventory_job(rt, account, actor=me.user.username)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, f"Inventory Report job {job.id} created.")
