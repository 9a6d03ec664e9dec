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
from amazon_jobs.web.access import OPERATE, READ
from amazon_jobs.web.api.lookups import account_named
from amazon_jobs.web.api.params import AfterId, BeforeId, JobId, Limit, cursor
from amazon_jobs.web.api.schemas.common import NO_NUL, Skipped, UtcDatetime, error
from amazon_jobs.web.api.schemas.jobs import (
    ActionReason,
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
from amazon_jobs.web.deps import ApiUser, RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/jobs", tags=["jobs"])

NOT_FOUND = error(404, "No job has that id")
CONFLICT = error(409, "The job's status does not allow it")


@router.get("", dependencies=READ)
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
    has_failed: Annotated[
        bool | None,
        Query(description="true: jobs with at least one failed item; false: jobs without"),
    ] = None,
    before_id: BeforeId = None,
    limit: Limit = 50,
) -> JobsPublic:
    """The Amazon Jobs table, newest first, one page at a time."""
    with rt.db.read() as session:
        found = account_named(session, account, include_deleted=True) if account else None
        account_id = found.id if found else None
        filters = JobFilter(
            account_id, job_type, status, active, created_from, created_to, has_failed
        )
        rows = store_list_jobs(session, filters, limit=limit + 1, before_id=before_id)
    return JobsPublic(
        items=[JobPublic.of(job, name) for job, name in rows[:limit]],
        next_before_id=cursor(rows, limit, lambda row: row[0].id),
    )


@router.post("", status_code=201, dependencies=OPERATE)
def create_job(rt: RuntimeDep, body: JobCreate, caller: ApiUser) -> JobsCreated:
    """Create a job of any type; a large listings selection becomes several jobs.

    A listings job's optional ``channel`` forces it through the feed or the Listings
    Items API; without it the account's channel setting decides.
    The token's user and the optional ``reason`` are written in each job's log."""
    with rt.db.read() as session:
        account = account_named(session, body.account)
    jobs, skipped = _create(rt, body, account, caller.user.username)
    return JobsCreated(
        jobs=[JobPublic.of(job, account.name) for job in jobs],
        skipped=[Skipped(sku=sku, reason=reason) for sku, reason in skipped],
    )


@router.get("/{job_id}", responses=NOT_FOUND, dependencies=READ)
def read_job(rt: RuntimeDep, job_id: JobId) -> JobPublic:
    with rt.db.read() as session:
        job, account = job_with_account(session, job_id)
    return JobPublic.of(job, account)


@router.get("/{job_id}/items", responses=NOT_FOUND, dependencies=READ)
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


@router.get("/{job_id}/log", responses=NOT_FOUND, dependencies=READ)
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


@router.post(
    "/{job_id}/cancel",
    responses=NOT_FOUND | CONFLICT,
    response_model_exclude_none=True,
    dependencies=OPERATE,
)
def cancel_job(
    rt: RuntimeDep, job_id: JobId, caller: ApiUser, body: ActionReason | None = None
) -> JobCancel:
    """Cancel a reserved or created job at once, or ask Amazon to cancel a queued feed."""
    if service.cancel_job(rt, job_id, **_who(caller, body)):
        return JobCancel(canceled=True)
    return JobCancel(canceled=False, requested=True)


@router.post("/{job_id}/check", responses=NOT_FOUND | CONFLICT, dependencies=OPERATE)
def check_job(
    rt: RuntimeDep, job_id: JobId, caller: ApiUser, body: ActionReason | None = None
) -> JobPublic:
    """Make an unfinished job due now: the worker looks at it (polls Amazon) next."""
    with _status_conflict():
        service.check_job(rt, job_id, **_who(caller, body))
    return read_job(rt, job_id)


@router.post(
    "/{job_id}/retry-failed", status_code=201, responses=NOT_FOUND | CONFLICT, dependencies=OPERATE
)
def retry_failed(
    rt: RuntimeDep, job_id: JobId, caller: ApiUser, body: ActionReason | None = None
) -> JobsCreated:
    """New job(s) for the failed items of a finished job that a retry can fix; the
    others (an unknown SKU, a wrong EAN/UPC: fix them in the shop first) are in
    ``skipped`` with the reason."""
    with _status_conflict():
        jobs, left_out = service.retry_failed_items(rt, job_id, **_who(caller, body))
    with rt.db.read() as session:
        _, account = job_with_account(session, job_id)
    return JobsCreated(
        jobs=[JobPublic.of(job, account) for job in jobs],
        skipped=[Skipped(sku=ref, reason=why) for ref, why in left_out],
    )


def _who(caller: ApiUser, body: ActionReason | None) -> dict[str, str | None]:
    """The service's ``actor`` and ``reason`` for an API call."""
    return {"actor": caller.user.username, "reason": body.reason if body else None}


def _create(
    rt: Runtime, body: JobCreate, account: Account, actor: str
) -> tuple[list[Job], list[tuple[str, str]]]:
    job_type = JobType(body.type)
    who = {"actor": actor, "reason": body.reason}
    if job_type in FEED_JOB_TYPES:
        selection = Selection(skus=tuple(body.skus or ()), changed=body.changed, all=body.all)
        reservation = service.create_listings_job(
            rt, job_type, account.name, selection, channel=body.channel, **who
        )
        return reservation.jobs, reservation.skipped
    if job_type is JobType.ORDERS_FULFILLMENT:
        orders = tuple(body.orders or ())
        return [service.create_fulfillment_job(rt, account.name, orders, **who)], []
    if job_type is JobType.INVENTORY_REPORT:
        return [service.create_inventory_job(rt, account.name, **who)], []
    return [service.create_orders_import_job(rt, account.name, **who)], []


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
