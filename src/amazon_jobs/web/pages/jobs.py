"""The Amazon Jobs page: the table, its filters, live refresh and the row actions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import service
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError, JobNotFound
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import list_accounts
from amazon_jobs.store.jobs import JobFilter
from amazon_jobs.store.saved_views import list_views
from amazon_jobs.web.access import Operator, OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep, SignedIn
from amazon_jobs.web.pages import queries
from amazon_jobs.web.pages.common import (
    is_htmx,
    not_found,
    partial,
    redirect,
    render,
    safe_next,
    url_with,
)
from amazon_jobs.web.pages.params import (
    FIRST_DAY,
    LAST_DAY,
    MAX_ID,
    Cursor,
    NextField,
    PageId,
    ReasonField,
    as_id,
)

router = APIRouter()

PAGE_SIZE = 50
#: Most rows one live-refresh poll looks at.
MAX_WATCHED = 200
POLL_EVERY_S = 3


@dataclass(frozen=True)
class JobsQuery:
    """The filters of the jobs table, as they stand in the URL."""

    account: str = ""
    type: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    #: "yes": only jobs with a failed item; "no": only jobs without; "": all.
    failed: str = ""

    def params(self) -> dict[str, str]:
        return {
            "account": self.account,
            "type": self.type,
            "status": self.status,
            "from": self.date_from,
            "to": self.date_to,
            "failed": self.failed,
        }

    def to_filter(self) -> tuple[JobFilter, list[str]]:
        """The store's filter, and what in the URL could not be understood."""
        problems: list[str] = []
        first = _day(self.date_from, "From", problems)
        last = _day(self.date_to, "To", problems)
        if first and last and first > last:
            problems.append("The From date is after the To date.")
        job_filter = JobFilter(
            account_id=as_id(self.account),
            type=JobType(self.type) if self.type in set(JobType) else None,
            status=JobStatus(self.status) if self.status in set(JobStatus) else None,
            created_from=datetime.combine(first, time(), UTC) if first else None,
            created_to=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
            has_failed={"yes": True, "no": False}.get(self.failed),
        )
        return job_filter, problems


def _day(value: str, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name} date {value!r} is not a date like 2026-11-27.")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        problems.append(f"{name} date {value!r} is not between {FIRST_DAY} and {LAST_DAY}.")
        return None
    return day


def jobs_query(
    account: Annotated[str, Query(max_length=100)] = "",
    job_type: Annotated[str, Query(alias="type", max_length=100)] = "",
    status: Annotated[str, Query(max_length=100)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    failed: Annotated[str, Query(max_length=10)] = "",
) -> JobsQuery:
    return JobsQuery(
        account.strip(), job_type, status, date_from.strip(), date_to.strip(), failed.strip()
    )


JobsQueryDep = Annotated[JobsQuery, Depends(jobs_query)]


def _page(rt: Runtime, q: JobsQuery, before: int | None, after: int | None) -> dict[str, Any]:
    job_filter, problems = q.to_filter()
    first_page = before is None and after is None
    # New jobs can show up at the top only on the first page, and only if the
    # date range does not end in the past.
    watch_new = first_page and (
        job_filter.created_to is None or job_filter.created_to > rt.clock.now()
    )
    with rt.db.read() as session:
        page = queries.jobs_page(session, job_filter, limit=PAGE_SIZE, before=before, after=after)
        accounts = list_accounts(session)
        newest = queries.last_job_id(session) if watch_new else None
    params = q.params()
    return {
        "page": page,
        "rows": page.rows,
        "q": q,
        "problems": problems,
        "accounts": accounts,
        "filtered": any(params.values()),
        "first_page": first_page,
        "newest": newest,
        "live": watch_new or any(row.watched for row in page.rows),
        "changes_url": url_with("/jobs/changes", params),
        "older_url": url_with("/", {**params, **page.next}) if page.next else None,
        "newer_url": url_with("/", {**params, **page.prev}) if page.prev else None,
        "poll_every_s": POLL_EVERY_S,
    }


@router.get("/", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    q: JobsQueryDep,
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    context = _page(rt, q, before, after)
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    with rt.db.read() as session:
        views = list_views(session, me.user.id)
    here = url_with("", q.params()).lstrip("?")
    context = {**context, "me": me, "back": back, "views": views, "view_query": here}
    return render(request, "jobs.html", context)


@router.get("/jobs/rows", response_class=HTMLResponse)
def jobs_rows(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    q: JobsQueryDep,
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    """The table's rows alone (same filters and cursors as the page)."""
    context = _page(rt, q, before, after)
    return partial(request, "_job_rows.html", {**context, "me": me, "back": "/"})


@router.get("/jobs/changes", response_class=HTMLResponse)
def jobs_changes(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    q: JobsQueryDep,
    v: Annotated[list[str] | None, Query()] = None,
    newest: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """Live refresh: the rows whose status or last update differs from the versions the
    page shows (``v=<id>@<version>``), out of band, and the jobs matching the filters
    created since the last poll (ids above ``newest``, the newest id then).

    Nothing changed: 204, and htmx leaves the page alone. A poll costs a primary-key
    lookup of the rows shown and a primary-key range of the jobs created since the
    last poll, however many jobs there are.
    """
    shown = dict(_parse_version(item) for item in (v or [])[:MAX_WATCHED] if "@" in item)
    shown.pop(0, None)
    job_filter, _ = q.to_filter()
    with rt.db.read() as session:
        current = queries.versions(session, list(shown))
        changed = [job_id for job_id, ver in current.items() if ver != shown[job_id]]
        rows = queries.job_rows(session, changed)
        fresh, last = [], newest
        if newest is not None:
            last = queries.last_job_id(session)
            if last > newest:
                fresh = queries.jobs_newer_than(session, job_filter, newest, last, PAGE_SIZE)
    if not rows and last == newest:
        return Response(status_code=204)
    context = {"changed": rows, "fresh": fresh, "newest": last, "me": me, "back": "/"}
    return partial(request, "_job_changes.html", context)


def _parse_version(item: str) -> tuple[int, str]:
    job_id, _, ver = item.partition("@")
    return as_id(job_id) or 0, ver


def _row_answer(
    request: Request, rt: Runtime, me: SignedIn, job_id: int, level: str, text: str, back: str
) -> Response:
    """After a row's button: the fresh row for htmx, else back to the page with a flash."""
    if is_htmx(request) and request.headers.get("hx-target") == f"job-{job_id}":
        with rt.db.read() as session:
            found = queries.job_rows(session, [job_id])
        if found:
            row = replace(found[0], note=(level, text))
            context = {"row": row, "me": me, "back": back, "cls": "row-changed"}
            return partial(request, "_job_row.html", context)
    return redirect(request, back, text, "error" if level == "error" else "ok")


@router.post("/jobs/{job_id}/check")
def check_job(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    job_id: PageId,
    next: NextField = "/",
    reason: ReasonField = "",
) -> Response:
    """Make the job due now: the worker looks at it (and asks Amazon) on its next step."""
    try:
        service.check_job(rt, job_id, actor=me.user.username, reason=reason)
    except AmazonJobsError as exc:
        return _row_answer(request, rt, me, job_id, "error", exc.message, safe_next(next))
    text = "Checking now: the worker looks at this job on its next step."
    return _row_answer(request, rt, me, job_id, "ok", text, safe_next(next))


@router.get("/jobs/{job_id}/cancel", response_class=HTMLResponse)
def cancel_page(
    request: Request,
    rt: RuntimeDep,
    me: Operator,
    job_id: PageId,
    next: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """Confirm a cancel (the page a browser without JavaScript gets)."""
    with rt.db.read() as session:
        found = queries.job_rows(session, [job_id])
    if not found:
        return not_found(request, me, f"Job {job_id} does not exist.")
    context = {"row": found[0], "me": me, "next": safe_next(next, f"/jobs/{job_id}")}
    return render(request, "job_cancel.html", context)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    job_id: PageId,
    next: NextField = "",
    reason: ReasonField = "",
) -> Response:
    back = safe_next(next, f"/jobs/{job_id}")
    try:
        canceled = service.cancel_job(rt, job_id, actor=me.user.username, reason=reason)
    except JobNotFound as exc:
        return redirect(request, "/", exc.message, "error")
    except AmazonJobsError as exc:
        return _row_answer(request, rt, me, job_id, "error", exc.message, back)
    text = (
        "Canceled: every item is back as it was before the job."
        if canceled
        else "Cancel requested: Amazon is asked to cancel the feed (possible only while "
        "it is still queued there)."
    )
    return _row_answer(request, rt, me, job_id, "ok", text, back)
