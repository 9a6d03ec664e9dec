"""Starting a listings job from the Selling lists page: the preview, then the job.

The preview's *Confirm* form may force the job's channel (the JSON listings feed
or the Listings Items API); left at "account setting" the account's decides.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import service
from amazon_jobs.account_channel import effective_channel
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.listing_preview import preview_listings_job
from amazon_jobs.store.accounts import find_account
from amazon_jobs.web.access import OperatorForm
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages import selection
from amazon_jobs.web.pages.common import redirect, render, url_with
from amazon_jobs.web.pages.params import FormId

router = APIRouter()

#: Items listed one by one on the preview (the counts cover all of them).
SHOWN = 500
JobTypeField = Annotated[str, Form(max_length=40)]
#: The channels a job can be forced through ("" keeps the account's setting).
FORCED = (Channel.FEED, Channel.API)


def _job_type(value: str) -> JobType | None:
    return JobType(value) if value in {t.value for t in FEED_JOB_TYPES} else None


def _forced(value: str) -> Channel | None:
    """The channel the form forces; None for the account's setting, or an unknown value."""
    return next((c for c in FORCED if c.value == value), None)


@router.post("/listings/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    account: FormId,
    job_type: JobTypeField,
    sku: Annotated[list[str] | None, Form()] = None,
    all_matching: Annotated[bool, Form()] = False,
    q: Annotated[str, Form(max_length=100)] = "",
    state: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """What the job would send, item by item, and what it would leave out; nothing is
    created until *Confirm*."""
    state = state if state in set(ListingState) else ""
    back = url_with("/listings", {"account": account, "q": q.strip(), "state": state})
    kind = _job_type(job_type)
    if kind is None:
        return redirect(request, back, "Choose a job type.", "error")
    if all_matching:
        query = selection.listings_query(account, q.strip(), state or None)
        with rt.db.read() as session:
            skus = selection.skus_of(session, query)
    else:
        skus = selection.picked_skus(sku or [])
    if not skus:
        return redirect(request, back, "Tick one or more listings first.", "error")
    try:
        with rt.db.read() as session:
            found = find_account(session, account)
            name, setting = found.name, effective_channel(found, rt.settings.channel)
        result = preview_listings_job(rt, kind, account, skus)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    context = {
        "me": me,
        "preview": result,
        "account_name": name,
        "account_channel": setting,
        "forced_channels": FORCED,
        "shown": result.items[:SHOWN],
        "skus": "\n".join(item.sku for item in result.items),
        "back": back,
    }
    return render(request, "listing_preview.html", context)


@router.post("/listings/jobs")
def create_jobs(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    account: FormId,
    job_type: JobTypeField,
    skus: Annotated[str, Form(max_length=2_000_000)] = "",
    back: Annotated[str, Form(max_length=400)] = "/listings",
    channel: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Create the job(s) the preview showed and open it (or the jobs list, if several)."""
    back = back if back.startswith("/listings") else "/listings"
    kind = _job_type(job_type)
    wanted = selection.picked_skus(skus.splitlines())
    if kind is None or not wanted:
        return redirect(request, back, "Nothing to send: choose listings first.", "error")
    forced = _forced(channel)
    if channel and forced is None:
        return redirect(request, back, f"Unknown channel {channel!r}: no job created.", "error")
    try:
        reservation = service.create_listings_job(
            rt,
            kind,
            account,
            Selection(skus=tuple(wanted)),
            actor=me.user.username,
            channel=forced,
        )
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    message = f"{kind.label}: {reservation.items} item(s) in {len(reservation.jobs)} job(s)."
    if reservation.skipped:
        shown = "; ".join(f"{s}: {why}" for s, why in reservation.skipped[:10])
        message += f" Left out (changed since the preview): {shown}."
    if len(reservation.jobs) == 1:
        return redirect(request, f"/jobs/{reservation.jobs[0].id}", message)
    return redirect(request, url_with("/", {"account": account, "type": kind.value}), message)
