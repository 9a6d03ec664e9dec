"""Amazon Inventory: the account's latest listings report, SKUs no product has marked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import service
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.models import Job
from amazon_jobs.web.deps import CsrfChecked, PageUser, RuntimeDep
from amazon_jobs.web.pages import queries
from amazon_jobs.web.pages.common import pick_account, redirect, render, url_with

router = APIRouter()

PAGE_SIZE = 50
SkuCursor = Annotated[str | None, Query(max_length=100)]


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(
    request: Request,
    rt: RuntimeDep,
    me: PageUser,
    account: str = "",
    unmatched: bool = False,
    q: Annotated[str, Query(max_length=100)] = "",
    before: SkuCursor = None,
    after: SkuCursor = None,
) -> Response:
    picked = pick_account(rt, account)
    current, search = picked.current, q.strip()
    page, counts, report = None, (0, 0), None
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
        "next_url": url_with("/inventory", {**params, **page.next}) if page and page.next else None,
        "prev_url": url_with("/inventory", {**params, **page.prev}) if page and page.prev else None,
    }
    return render(request, "inventory.html", context)


@router.post("/inventory/report")
def request_report(
    request: Request, rt: RuntimeDep, _: CsrfChecked, account: Annotated[int, Form()]
) -> Response:
    """Create an Inventory Report job for the account."""
    back = f"/inventory?account={account}"
    try:
        job = service.create_inventory_job(rt, account)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, f"Inventory Report job {job.id} created.")
