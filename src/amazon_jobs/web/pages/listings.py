"""Selling lists: each product's listing on an account, and adding products to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import service
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.verification import verifying_jobs
from amazon_jobs.web.access import OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages import queries, selection
from amazon_jobs.web.pages.common import pick_account, redirect, render, url_with
from amazon_jobs.web.pages.params import FormId

router = APIRouter()

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListingAction:
    value: str
    action: str


#: The buttons under the selling list, each the job type it previews.
LISTING_ACTIONS = [
    ListingAction(JobType.SEND_PRODUCTS.value, "Send products"),
    ListingAction(JobType.UPDATE_QTY.value, "Update QTY"),
    ListingAction(JobType.UPDATE_PRICE.value, "Update Price"),
    ListingAction(JobType.UPDATE_QTY_PRICE.value, "Update QTY & Price"),
    ListingAction(JobType.STOP.value, "Stop"),
    ListingAction(JobType.STOP_REMOVE.value, "Stop & Remove"),
]
SkuCursor = Annotated[str | None, Query(max_length=100)]


@router.get("/listings", response_class=HTMLResponse)
def listings_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    account: Annotated[str, Query(max_length=100)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    state: Annotated[str, Query(max_length=100)] = "",
    before: SkuCursor = None,
    after: SkuCursor = None,
) -> Response:
    picked = pick_account(rt, account)
    search = q.strip()
    state = state if state in set(ListingState) else ""
    page = None
    if picked.current is not None:
        with rt.db.read() as session:
            page = queries.listings_page(
                session,
                picked.current.id,
                search=search,
                state=state or None,
                limit=PAGE_SIZE,
                before=before,
                after=after,
            )
    matching, verifying = 0, {}
    if picked.current is not None:
        with rt.db.read() as session:
            matching = selection.count(
                session, selection.listings_query(picked.current.id, search, state or None)
            )
            shown = [listing.id for listing, _ in page.rows] if page else []
            verifying = verifying_jobs(session, shown)
    params = {"account": picked.current.id if picked.current else "", "q": search, "state": state}
    context = {
        "me": me,
        "picked": picked,
        "page": page,
        "q": search,
        "state": state,
        "states": list(ListingState),
        "matching": matching,
        "verifying": verifying,
        "listing_job_types": LISTING_ACTIONS,
        "next_url": url_with("/listings", {**params, **page.next}) if page and page.next else None,
        "prev_url": url_with("/listings", {**params, **page.prev}) if page and page.prev else None,
        "back": url_with("/listings", params),
    }
    return render(request, "listings.html", context)


@router.post("/listings/add")
def add_to_list(
    request: Request,
    rt: RuntimeDep,
    _: OperatorForm,
    account: FormId,
    skus: Annotated[str, Form(max_length=200_000)] = "",
    all_products: Annotated[bool, Form()] = False,
) -> Response:
    """Put products on the selling list (not listed yet: send them with Sending Products)."""
    back = f"/listings?account={account}"
    wanted = [s for s in re.split(r"[\s,;]+", skus) if s]
    if not wanted and not all_products:
        return redirect(request, back, "Enter one or more SKUs, or tick all products.", "error")
    try:
        added, skipped = service.add_to_selling_list(
            rt, account, () if all_products else wanted, all_products=all_products
        )
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    message = f"{added} product(s) added to the selling list."
    if skipped:
        shown = "; ".join(f"{sku}: {why}" for sku, why in skipped[:10])
        more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        message += f" Left out: {shown}{more}."
    return redirect(request, back, message, "ok" if added or not skipped else "error")
