"""Bulk actions on the jobs ticked in the jobs table: cancel, retry failed items.

Each job goes through the same service call as its row's button (or the CLI's
``jobs cancel`` / ``jobs retry``); the answer says, job by job, what happened.
A retry takes only the failed items a retry can fix and names the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from amazon_jobs import service
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.models import Job
from amazon_jobs.web.access import OperatorForm
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages.common import Level, redirect, safe_next
from amazon_jobs.web.pages.params import NextField, as_id

router = APIRouter()

#: Most jobs one bulk action takes (a page of the table is 50).
MAX_JOBS = 200
#: Most "left out" items named in the answer.
NAMED = 10
JobIds = Annotated[list[str] | None, Form()]


def _ids(values: list[str] | None) -> list[int]:
    ids = (as_id(v.strip()) for v in (values or [])[:MAX_JOBS])
    return list(dict.fromkeys(i for i in ids if i is not None))


def _answer(request: Request, back: str, done: list[str], refused: list[str]) -> Response:
    parts = done + refused
    level: Level = "error" if refused and not done else "ok"
    return redirect(request, back, " ".join(parts), level)


def _each(
    request: Request, job: JobIds, next: str, act: Callable[[int], str], verb: str
) -> Response:
    """*act* on each ticked job; the answer says what happened to each one."""
    back = safe_next(next)
    ids = _ids(job)
    if not ids:
        return redirect(request, back, "Tick one or more jobs first.", "error")
    done, refused = [], []
    for job_id in ids:
        try:
            done.append(act(job_id))
        except AmazonJobsError as exc:
            refused.append(f"Job {job_id} not {verb}: {exc.message.rstrip('.')}.")
    return _answer(request, back, done, refused)


@router.post("/jobs/bulk/cancel")
def bulk_cancel(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    job: JobIds = None,
    next: NextField = "/",
) -> Response:
    return _each(
        request, job, next, lambda job_id: _cancel_one(rt, job_id, me.user.username), "canceled"
    )


@router.post("/jobs/bulk/retry")
def bulk_retry(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    job: JobIds = None,
    next: NextField = "/",
) -> Response:
    return _each(
        request, job, next, lambda job_id: _retry_one(rt, job_id, me.user.username), "retried"
    )


def _cancel_one(rt: Runtime, job_id: int, actor: str) -> str:
    if service.cancel_job(rt, job_id, actor=actor):
        return f"Job {job_id} canceled."
    return f"Job {job_id}: cancel requested (Amazon is asked to cancel the feed)."


def _retry_one(rt: Runtime, job_id: int, actor: str) -> str:
    jobs, left_out = service.retry_failed_items(rt, job_id, actor=actor)
    return retried_text(job_id, jobs, left_out)


def retried_text(job_id: int, jobs: list[Job], left_out: list[tuple[str, str]]) -> str:
    """What a retry did: the new job(s), and the failed items it left out and why."""
    new = ", ".join(str(j.id) for j in jobs)
    text = f"Job {job_id}: failed items sent again in job {new}."
    if left_out:
        named = "; ".join(f"{ref}: {why}" for ref, why in left_out[:NAMED])
        more = f" and {len(left_out) - NAMED} more" if len(left_out) > NAMED else ""
        text += f" Left out (a retry cannot fix them): {named}{more}."
    return text
