"""FastAPI app factory: the Amazon Jobs page, server-rendered with Jinja2 and htmx."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import JobNotFound
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import get_job, job_items, job_log, list_jobs
from amazon_jobs.store.models import Account

__all__ = ["create_app"]

HERE = Path(__file__).parent
PAGE_SIZE = 50
ITEMS_SHOWN = 500


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="amazon-jobs", docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(JobType=JobType, JobStatus=JobStatus)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def rows(before: int | None) -> list[dict[str, object]]:
        with rt.db.read() as session:
            found = list_jobs(session, limit=PAGE_SIZE, before_id=before)
        return [
            {
                "job": job,
                "account": account,
                "type": JobType(job.type),
                "status": JobStatus(job.status),
            }
            for job, account in found
        ]

    @app.get("/", response_class=HTMLResponse)
    def jobs_page(
        request: Request, before: Annotated[int | None, Query(ge=1)] = None
    ) -> HTMLResponse:
        context = {"rows": rows(before), "page_size": PAGE_SIZE, "before": before}
        return templates.TemplateResponse(request, "jobs.html", context)

    @app.get("/jobs/rows", response_class=HTMLResponse)
    def jobs_rows(
        request: Request, before: Annotated[int | None, Query(ge=1)] = None
    ) -> HTMLResponse:
        return templates.TemplateResponse(request, "_job_rows.html", {"rows": rows(before)})

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: int) -> HTMLResponse:
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
        }
        return templates.TemplateResponse(request, "job.html", context)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app
