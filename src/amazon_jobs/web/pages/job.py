"""A job's page: its items (with Amazon's warnings and whether Amazon shows what it
accepted), its log, its documents, retries, the channel a listings job goes through
and why; refreshed while it runs or is verified."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from amazon_jobs import insight, service
from amazon_jobs.account_channel import job_channel
from amazon_jobs.domain.amazon_errors import explain
from amazon_jobs.domain.cancel import cancel_verdict
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, USER_CANCELABLE, JobStatus, JobType
from amazon_jobs.domain.verification import Verification
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.cancel_facts import cancel_facts
from amazon_jobs.store.documents import get_document
from amazon_jobs.store.models import Account, Job
from amazon_jobs.store.verification import count_states
from amazon_jobs.web.access import OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages import queries
from amazon_jobs.web.pages.common import not_found, partial, redirect, render, url_with
from amazon_jobs.web.pages.jobs_bulk import retried_text
from amazon_jobs.web.pages.params import MAX_ID, PageId

router = APIRouter()

ITEMS_PAGE = 100
LOG_LINES = 1000
DOCUMENT_KINDS = ("feed", "result")
#: Job types whose failed items can be sent again in a new job.
#: Jobs whose items are orders: each links to its order page.
ORDER_JOB_TYPES = frozenset({JobType.ORDERS_IMPORT, JobType.ORDERS_FULFILLMENT})
RETRYABLE = FEED_JOB_TYPES | {JobType.ORDERS_FULFILLMENT}

FailedOnly = Annotated[bool, Query(alias="failed")]
ItemsAfter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _order_links(session: Session, job: Job, refs: list[str]) -> dict[str, int]:
    """Item ref -> order page id, for jobs whose items are orders ("<order id> ...")."""
    if JobType(job.type) not in ORDER_JOB_TYPES:
        return {}
    firsts = {ref: ref.split()[0] for ref in refs if ref and ref.split()}
    ids = queries.order_ids(session, job.account_id, list(firsts.values()))
    return {ref: ids[first] for ref, first in firsts.items() if first in ids}


def _detail(
    rt: Runtime, job_id: int, failed_only: bool, items_after: int | None
) -> dict[str, Any] | None:
    with rt.db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            return None
        account = session.get_one(Account, job.account_id)
        items = queries.job_items_page(
            session, job_id, failed_only=failed_only, after=items_after, limit=ITEMS_PAGE
        )
        log, log_cut = queries.job_log_tail(session, job_id, LOG_LINES)
        verification = count_states(session, job_id) if job.type in FEED_JOB_TYPES else {}
        finished_with_errors = JobStatus(job.status).is_terminal and job.items_failed > 0
        resent = verification.get(Verification.RESENT.value, 0) > 0
        children = queries.child_jobs(session, job_id) if finished_with_errors or resent else []
        documents = queries.document_kinds(session, job_id)
        cancel = cancel_verdict(cancel_facts(session, [job])[job_id])
        order_links = _order_links(session, job, [item.ref for item in items.rows])
        retry = (
            queries.retry_split(session, job_id)
            if JobStatus(job.status).is_terminal and job.items_failed and job.type in RETRYABLE
            else None
        )
    status, job_type = JobStatus(job.status), JobType(job.type)
    queued = status in USER_CANCELABLE
    verifying = status is JobStatus.DONE and job.items_to_verify > 0
    here = f"/jobs/{job_id}"
    return {
        "job": job,
        "account": account,
        "type": job_type,
        "status": status,
        "version": queries.version(job.status, job.updated_at),
        "items": items.rows,
        "failed_only": failed_only,
        "items_next": url_with(here, {"failed": failed_only, "items_after": items.next["after"]})
        if items.next
        else None,
        "items_first": url_with(here, {"failed": failed_only}) if items_after else None,
        "advice": {
            item.id: explain(item.error_code, item.error_message)
            for item in items.rows
            if item.outcome == "error"
        },
        "verification": verification,
        "verify_labels": {state.value: state.label for state in Verification},
        "verifying": verifying,
        "resend_of": job.data.get("resend_of"),
        "channel": job_channel(job.data),
        "live": not status.is_terminal or verifying,
        "log": log,
        "log_cut": log_cut,
        "children": children,
        "documents": [kind for kind in DOCUMENT_KINDS if kind in documents],
        "estimate": insight.estimate_send(rt, job_id) if queued else None,
        "cancel": cancel,
        "order_links": order_links,
        "retry": retry,
        "now": rt.clock.now(),
        "here": here,
        "live_url": url_with(f"{here}/live", {"failed": failed_only, "items_after": items_after}),
    }


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    job_id: PageId,
    failed_only: FailedOnly = False,
    items_after: ItemsAfter = None,
) -> Response:
    context = _detail(rt, job_id, failed_only, items_after)
    if context is None:
        return not_found(request, me, f"Job {job_id} does not exist (or was pruned).")
    return render(request, "job.html", {**context, "me": me})


@router.get("/jobs/{job_id}/live", response_class=HTMLResponse)
def job_live(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    job_id: PageId,
    v: Annotated[str, Query(max_length=100)] = "",
    failed_only: FailedOnly = False,
    items_after: ItemsAfter = None,
) -> Response:
    """The page's body again once the job changed; 204 (nothing to do) until then."""
    with rt.db.read() as session:
        current = queries.versions(session, [job_id]).get(job_id)
    if current is None or current == v:
        return Response(status_code=204)
    context = _detail(rt, job_id, failed_only, items_after)
    if context is None:
        return Response(status_code=204)
    return partial(request, "_job_live.html", {**context, "me": me})


@router.get("/jobs/{job_id}/documents/{kind}")
def job_document(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    job_id: PageId,
    kind: Annotated[str, Path(max_length=20)],
) -> Response:
    """The feed the job sent, or the result Amazon returned, as a download."""
    document = None
    if kind in DOCUMENT_KINDS:
        with rt.db.read() as session:
            document = get_document(session, job_id, kind)
    if document is None:
        return not_found(request, me, f"Job {job_id} has no {kind} document.")
    return Response(
        document.content,
        media_type=document.content_type,
        headers={"Content-Disposition": f'attachment; filename="{_safe(document.filename)}"'},
    )


def _safe(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "document"


@router.post("/jobs/{job_id}/retry")
def retry_failed(request: Request, rt: RuntimeDep, me: OperatorForm, job_id: PageId) -> Response:
    """New job(s) for the items that failed, linked to this one."""
    try:
        jobs, left_out = service.retry_failed_items(rt, job_id, actor=me.user.username)
    except AmazonJobsError as exc:
        return redirect(request, f"/jobs/{job_id}", exc.message, "error")
    message = retried_text(job_id, jobs, left_out)
    return redirect(request, f"/jobs/{jobs[0].id}" if jobs else f"/jobs/{job_id}", message)
