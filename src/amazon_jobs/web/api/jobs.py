"""``/api/v1/jobs``: list, create, inspect, cancel, check and retry Amazon Jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Query

from amazon_jobs import service
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import JobFilter, get_job, job_items, job_log, job_with_account
from amazon_jobs.store.jobs import list_jobs as store_list_jobs
from amazon_jobs.store.models import Account, Job
from amazon_jobs.web.api.lookups import account_named
from amazon_jobs.web.api.params import AfterId, BeforeId, JobId, Limit, cursor
from amazon_jobs.web.api.schemas.common import NO_NUL, Skipped, UtcDatetime, error
from amazon_jobs.web.api.schemas.jobs import (
    JobCancel,
    JobCreate,
    JobItemPublic,
    JobItemsPublic,
    JobLogLinePublic,
    JobLogPublic,
    JobPublic,
    JobsCreated,
    JobsPublic,
)
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/jobs", tags=["jobs"])

NOT_FOUND = error(404, "No job has that id")
CONFLICT = error(409, "The job's status does not allow it")


@router.get("")
def read_jobs(
    rt: RuntimeDep,
    account: Annotated[
        str | None, Query(min_length=1, max_length=100, pattern=NO_NUL, description="Name or id")
    ] = None,
    job_type: Annotated[JobType | None, Query(alias="type")] = None,
    status: JobStatus | None = None,
    active: Annotated[
        bool | None, Query(description="true: not finished yet; false: finished")
    ] = None,
    created_from: Annotated[UtcDatetime | None, Query(description="Created at or after")] = None,
    created_to: Annotated[UtcDatetime | None, Query(description="Created before")] = None,
    before_id: BeforeId = None,
    limit: Limit = 50,
) -> JobsPublic:
    """The Amazon Jobs table, newest first, one page at a time."""
    with rt.db.read() as session:
        account_id = account_named(session, account).id if account else None
        filters = JobFilter(account_id, job_type, status, active, created_from, created_to)
        rows = store_list_jobs(session, filters, limit=limit + 1, before_id=before_id)
    return JobsPublic(
        items=[JobPublic.of(job, name) for job, name in rows[:limit]],
        next_before_id=cursor(rows, limit, lambda row: row[0].id),
    )


@router.post("", status_code=201)
def create_job(rt: RuntimeDep, body: JobCreate) -> JobsCreated:
    """Create a job of any type; a large listings selection becomes several jobs."""
    with rt.db.read() as session:
        account = account_named(session, body.account)
    jobs, skipped = _create(rt, body, account)
    return JobsCreated(
        jobs=[JobPublic.of(job, account.name) for job in jobs],
        skipped=[Skipped(sku=sku, reason=reason) for sku, reason in skipped],
    )


@router.get("/{job_id}", responses=NOT_FOUND)
def read_job(rt: RuntimeDep, job_id: JobId) -> JobPublic:
    with rt.db.read() as session:
        job, account = job_with_account(session, job_id)
    return JobPublic.of(job, account)


@router.get("/{job_id}/items", responses=NOT_FOUND)
def read_job_items(
    rt: RuntimeDep, job_id: JobId, after_id: AfterId = None, limit: Limit = 100
) -> JobItemsPublic:
    """The job's items in order: each one's state before, the change, and Amazon's answer."""
    with rt.db.read() as session:
        get_job(session, job_id)
        rows = job_items(session, job_id, after_id=after_id, limit=limit + 1)
    return JobItemsPublic(
        items=[JobItemPublic.of(item) for item in rows[:limit]], next_after_id=cursor(rows, limit)
    )


@router.get("/{job_id}/log", responses=NOT_FOUND)
def read_job_log(
    rt: RuntimeDep, job_id: JobId, after_id: AfterId = None, limit: Limit = 500
) -> JobLogPublic:
    """Every transition, call to Amazon (with its request id) and error, oldest first."""
    with rt.db.read() as session:
        get_job(session, job_id)
        rows = job_log(session, job_id, after_id=after_id, limit=limit + 1)
    return JobLogPublic(
        items=[JobLogLinePublic.of(line) for line in rows[:limit]],
        next_after_id=cursor(rows, limit),
    )


@router.post("/{job_id}/cancel", responses=NOT_FOUND | CONFLICT, response_model_exclude_none=True)
def cancel_job(rt: RuntimeDep, job_id: JobId) -> JobCancel:
    """Cancel a reserved or created job at once, or ask Amazon to cancel a queued feed."""
    if service.cancel_job(rt, job_id):
        return JobCancel(canceled=True)
    return JobCancel(canceled=False, requested=True)


@router.post("/{job_id}/check", responses=NOT_FOUND | CONFLICT)
def check_job(rt: RuntimeDep, job_id: JobId) -> JobPublic:
    """Make an unfinished job due now: the worker looks at it (polls Amazon) next."""
    with _status_conflict():
        service.check_job(rt, job_id)
    return read_job(rt, job_id)


@router.post("/{job_id}/retry-failed", status_code=201, responses=NOT_FOUND | CONFLICT)
def retry_failed(rt: RuntimeDep, job_id: JobId) -> JobsCreated:
    """New job(s) for the items of a finished job that failed."""
    with _status_conflict():
        jobs = service.retry_failed_items(rt, job_id)
    with rt.db.read() as session:
        _, account = job_with_account(session, job_id)
    return JobsCreated(jobs=[JobPublic.of(job, account) for job in jobs])


def _create(
    rt: Runtime, body: JobCreate, account: Account
) -> tuple[list[Job], list[tuple[str, str]]]:
    job_type = JobType(body.type)
    if job_type in FEED_JOB_TYPES:
        selection = Selection(skus=tuple(body.skus or ()), changed=body.changed, all=body.all)
        reservation = service.create_listings_job(rt, job_type, account.name, selection)
        return reservation.jobs, reservation.skipped
    if job_type is JobType.ORDERS_FULFILLMENT:
        return [service.create_fulfillment_job(rt, account.name, tuple(body.orders or ()))], []
    if job_type is JobType.INVENTORY_REPORT:
        return [service.create_inventory_job(rt, account.name)], []
    return [service.create_orders_import_job(rt, account.name)], []


@contextmanager
def _status_conflict() -> Iterator[None]:
    """The service's plain AmazonJobsError means "not in this status": answer 409.
    Its subclasses (job not found, nothing selected, ...) keep their own status."""
    try:
        yield
    except AmazonJobsError as exc:
        if type(exc) is not AmazonJobsError:
            raise
        raise ApiError(409, exc.message) from None
