"""The Amazon Jobs page and a job's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import JobNotFound
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import get_job, job_items, job_log, list_jobs
from amazon_jobs.store.models import Account
from amazon_jobs.web.deps import PageUser, RuntimeDep
from amazon_jobs.web.templating import templates

router = APIRouter()

PAGE_SIZE = 50
ITEMS_SHOWN = 500


def _rows(rt: Runtime, before: int | None) -> list[dict[str, object]]:
    with rt.db.read() as session:
        found = list_jobs(session, limit=PAGE_SIZE, before_id=before)
    return [
        {"job": job, "account": account, "type": JobType(job.type), "status": JobStatus(job.status)}
        for job, account in found
    ]


@router.get("/", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    rt: RuntimeDep,
    me: PageUser,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    context = {"rows": _rows(rt, before), "page_size": PAGE_SIZE, "before": before, "me": me}
    return templates.TemplateResponse(request, "jobs.html", context)


@router.get("/jobs/rows", response_class=HTMLResponse)
def jobs_rows(
    request: Request,
    rt: RuntimeDep,
    me: PageUser,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    return templates.TemplateResponse(
        request, "_job_rows.html", {"rows": _rows(rt, before), "me": me}
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, rt: RuntimeDep, me: PageUser, job_id: int) -> Response:
    with rt.db.read() as session:
        try:
            job = get_job(session, job_id)
        except JobNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        account = session.get_one(Account, job.account_id)
        items = job_items(session, job_id)
        log = job_log(session, job_id)
    context = {
        "job": job,
        "account": account,
        "type": JobType(job.type),
        "status": JobStatus(job.status),
        "items": items[:ITEMS_SHOWN],
        "more_items": max(0, len(items) - ITEMS_SHOWN),
        "log": log,
        "me": me,
    }
    return templates.TemplateResponse(request, "job.html", context)
