"""Jobs, their items and their log: the queries every handler and page shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.domain.jobs import (
    ACTIVE_STATUSES,
    BASE_PRIORITY,
    TERMINAL_STATUSES,
    JobStatus,
    JobType,
    check_transition,
)
from amazon_jobs.errors import JobNotFound, LeaseLost
from amazon_jobs.store import log_buffer
from amazon_jobs.store.models import Account, Job, JobItem, JobLog
from amazon_jobs.store.prepared import Prepared
from amazon_jobs.store.snapshots import Snapshot

ACCOUNT_ACTIVE = AccountStatus.ACTIVE.value

__all__ = [
    "JobFilter",
    "account_runs_jobs",
    "append_log",
    "claim_due_jobs",
    "count_by_status",
    "create_job",
    "get_job",
    "handing_over",
    "has_failed_condition",
    "holding",
    "insert_items",
    "job_items",
    "job_log",
    "job_with_account",
    "list_jobs",
    "lock_job",
    "move",
    "next_due_at",
    "release",
    "step_snapshot",
    "taken_over",
]


def create_job(
    session: Session,
    account_id: int,
    job_type: JobType,
    now: datetime,
    *,
    priority: int | None = None,
    parent_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Job:
    """A new job in ``reserved``, due at once; its priority defaults to its type's."""
    job = Job(
        account_id=account_id,
        type=job_type.value,
        status=JobStatus.RESERVED.value,
        priority=BASE_PRIORITY[job_type] if priority is None else priority,
        created_at=now,
        updated_at=now,
        next_run_at=now,
        attempts=0,
        polls=0,
        items_total=0,
        items_ok=0,
        items_failed=0,
        data=dict(data or {}),
        parent_id=parent_id,
    )
    session.add(job)
    session.flush()
    return job


def insert_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert job items (dicts of JobItem columns)."""
    if rows:
        session.execute(insert(JobItem), list(rows))


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise JobNotFound(job_id)
    return job


#: The worker whose step runs in this context (see :func:`holding`).
_holder: ContextVar[str | None] = ContextVar("lease_holder", default=None)


@contextmanager
def holding(worker_id: str) -> Iterator[None]:
    """Run a step as *worker_id*: inside, :func:`lock_job` fences every write.

    A worker can lose its lease while alive (a heartbeat late on a busy
    machine) and another take the job over; from then on the first one's step
    must not change the job, or two steps would interleave their records.
    """
    token = _holder.set(worker_id)
    try:
        yield
    finally:
        _holder.reset(token)


def lock_job(session: Session, job_id: int, *, fenced: bool = True) -> Job:
    """The job, re-read and locked for the rest of the transaction.

    Inside a step (:func:`holding`) the step's worker must still hold the job's
    lease, else :class:`LeaseLost`. ``fenced=False`` is for recording what
    Amazon answered to a call already made: that is the truth, whoever holds
    the job now.
    """
    job = _locked(session, job_id)
    if job is None:
        raise JobNotFound(job_id)
    holder = _holder.get()
    if fenced and holder is not None and job.lease_owner != holder:
        raise LeaseLost(job_id, job.lease_owner)
    return job


def _locked(session: Session, job_id: int) -> Job | None:
    """The job's row, locked, as an object of the session.

    The row is read with a prepared statement and made into a job the session holds
    as if the ORM had loaded it (a third of the ORM's cost). A job the session holds
    already is refreshed by the ORM instead (its changes are flushed first)."""
    if session.identity_map.get(Session.identity_key(Job, job_id)) is not None:
        found: Job | None = session.scalars(_LOCK_JOB, {"job_id": job_id}).one_or_none()
        return found
    row = _LOCK_ROW.first(session, {"job_id": job_id})
    if row is None:
        return None
    job = _JOB.build(row)
    make_transient_to_detached(job)
    session.add(job)
    return job


#: :func:`lock_job`'s lock. FOR NO KEY UPDATE (the job's id never changes): rows that
#: reference the job (its log, items, documents) can be inserted by others meanwhile
#: without waiting for the lock.
_LOCK_JOB = (
    select(Job)
    .where(Job.id == bindparam("job_id", type_=Job.id.type))
    .with_for_update(key_share=True)
    .execution_options(populate_existing=True)
)
_JOB = Snapshot(Job)
_ACCOUNT = Snapshot(Account)
_SNAPSHOT = Prepared(
    select(*_JOB.columns, *_ACCOUNT.columns)
    .join_from(Job, Account, Account.id == Job.account_id)
    .where(Job.id == bindparam("job_id", type_=Job.id.type))
)
_LOCK_ROW = Prepared(
    select(*_JOB.columns)
    .where(Job.id == bindparam("job_id", type_=Job.id.type))
    .with_for_update(key_share=True)
)


def move(
    session: Session,
    job: Job,
    to: JobStatus,
    now: datetime,
    message: str | None = None,
    *,
    level: str = "info",
    next_run_at: datetime | None = None,
) -> None:
    """Move a locked *job* to *to*, logging the transition; raises on an illegal one."""
    from_ = JobStatus(job.status)
    check_transition(job.id, from_, to)
    job.status = to.value
    job.updated_at = now
    job.attempts = 0
    if to.is_terminal:
        job.finished_at = now
        job.next_run_at = None
        job.lease_owner = job.lease_expires_at = None
        job.intent_op = job.intent_at = None
    else:
        job.next_run_at = next_run_at or now
    if to is JobStatus.WAITING_FOR_RESULT:
        job.submitted_at = now
    text = f"{from_.label} → {to.label}" + (f": {message}" if message else "")
    append_log(session, job.id, now, text, level=level)


def append_log(
    session: Session,
    job_id: int,
    now: datetime,
    message: str,
    *,
    level: str = "info",
    request_id: str | None = None,
) -> None:
    line = {"job_id": job_id, "at": now, "level": level, "message": message}
    log_buffer.add(session, {**line, "request_id": request_id})


def step_snapshot(session: Session, job_id: int) -> tuple[Job, Account] | None:
    """The job and its account as they are, read together (one prepared query), to read
    only (see :mod:`amazon_jobs.store.snapshots`); None if the job is gone."""
    row = _SNAPSHOT.first(session, {"job_id": job_id})
    if row is None:
        return None
    split = len(_JOB.columns)
    return _JOB.build(row[:split]), _ACCOUNT.build(row[split:])


#: The snapshot a worker read as it claimed the job, for its step (see :func:`handing_over`).
_handed: ContextVar[tuple[Job, Account] | None] = ContextVar("claimed_snapshot", default=None)


@contextmanager
def handing_over(snapshot: tuple[Job, Account] | None) -> Iterator[None]:
    """Run a step with the *snapshot* of its job read in the claim's transaction: the
    step's first :func:`taken_over` gets it instead of reading it again."""
    token = _handed.set(snapshot)
    try:
        yield
    finally:
        _handed.reset(token)


def taken_over(job_id: int) -> tuple[Job, Account] | None:
    """The snapshot handed over for *job_id* (once: later calls read afresh), or None."""
    snapshot = _handed.get()
    if snapshot is None or snapshot[0].id != job_id:
        return None
    _handed.set(None)
    return snapshot


def claim_due_jobs(
    session: Session,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
    *,
    starved_after: timedelta,
    release: Sequence[int] = (),
) -> dict[int, str]:
    """Lease up to *limit* due jobs to *worker_id*; each is claimed by one worker only.
    Returns each claimed job's type by its id, in the order they were chosen.

    Jobs due for longer than *starved_after* come first, the longest-waiting
    first, whatever their priority; the others follow by priority. Priorities
    decide who goes first, never who never goes: without this, jobs that
    snooze for a moment and come back (waiting for another job's intent, say)
    keep the top of the queue to themselves, and a lower-priority job that is
    due, perhaps the very one they wait for, is never claimed.

    A job still leased to another worker whose lease has expired is taken over,
    and its log says so. Jobs of an account that is not active (paused, disabled)
    are not claimed: they wait, and run once it is active again.

    *release*: jobs whose steps this worker has finished; their leases are given up
    first, in the same transaction (one transaction per step instead of two), so a
    job due again at once may be claimed again here.

    The statements are built once and run as :class:`~amazon_jobs.store.prepared.Prepared`
    statements: a worker runs them for every step.
    """
    if release:
        _RELEASE.many(session, [{"id": job_id, "owner": worker_id} for job_id in release])
    if limit <= 0:
        return {}
    params = {"now": now, "starved_before": now - starved_after, "limit": limit}
    rows = _DUE.rows(session, params)
    if not rows:
        return {}
    _LEASE.many(session, [{"id": row[0], "owner": worker_id, "until": lease_until} for row in rows])
    for job_id, _type, owner, expired_at in rows:
        if owner and owner != worker_id:
            append_log(
                session,
                job_id,
                now,
                f"Taken over by worker {worker_id}: worker {owner} stopped answering "
                f"(its lease expired at {expired_at:%H:%M:%S} UTC, "
                f"{(now - expired_at).total_seconds():.1f} s ago)",
                level="warning",
            )
    return {row[0]: row[1] for row in rows}


def account_runs_jobs() -> ColumnElement[bool]:
    """The job's account is active: a correlated NOT EXISTS on the accounts, so a
    ``FOR UPDATE`` of the query still locks job rows only (never an account's)."""
    stopped = select(Account.id).where(
        Account.id == Job.account_id, Account.status != ACCOUNT_ACTIVE
    )
    return ~stopped.exists()


def _due_jobs() -> Select[int, str, str | None, datetime | None]:
    """The claim's query: due, not leased (or leased past its end), account active;
    the starved first, then by priority."""
    now = bindparam("now", type_=Job.next_run_at.type)
    starved = Job.next_run_at < bindparam("starved_before", type_=Job.next_run_at.type)
    return (
        select(Job.id, Job.type, Job.lease_owner, Job.lease_expires_at)
        .where(
            Job.next_run_at <= now,
            or_(Job.lease_expires_at.is_(None), Job.lease_expires_at < now),
            account_runs_jobs(),
        )
        .order_by(
            case((starved, 0), else_=1),  # the starved first,
            case((starved, Job.next_run_at)),  # the longest-waiting of them first,
            Job.priority.desc(),  # then by priority
            Job.next_run_at,
            Job.id,
        )
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True, key_share=True)
    )


_DUE = Prepared(_due_jobs())
_JOBS = cast(Table, Job.__table__)
_ID = bindparam("id", type_=Job.id.type)
_OWNER = bindparam("owner", type_=String)
_LEASE = Prepared(
    update(_JOBS)
    .where(Job.id == _ID)
    .values(lease_owner=_OWNER, lease_expires_at=bindparam("until", type_=Job.next_run_at.type))
)
_RELEASE = Prepared(
    update(_JOBS)
    .where(Job.id == _ID, Job.lease_owner == _OWNER)
    .values(lease_owner=None, lease_expires_at=None)
)


def release(session: Session, job_id: int, worker_id: str) -> None:
    """Give up the lease on a job, if *worker_id* still holds it."""
    _RELEASE.run(session, {"id": job_id, "owner": worker_id})


def next_due_at(session: Session) -> datetime | None:
    """When the earliest unfinished job that may run is due, or None if there is none."""
    return session.scalar(select(func.min(Job.next_run_at)).where(account_runs_jobs()))


def count_by_status(session: Session) -> dict[JobStatus, int]:
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status))
    return {JobStatus(status): count for status, count in rows}


@dataclass(frozen=True)
class JobFilter:
    account_id: int | None = None
    type: JobType | None = None
    status: JobStatus | None = None
    active: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    #: True: only jobs with at least one failed item; False: only jobs without.
    has_failed: bool | None = None


def has_failed_condition(has_failed: bool) -> ColumnElement[bool]:
    """Jobs with (True) or without (False) a failed item."""
    return Job.items_failed > 0 if has_failed else Job.items_failed == 0


def list_jobs(
    session: Session,
    filters: JobFilter | None = None,
    *,
    limit: int = 50,
    before_id: int | None = None,
) -> list[tuple[Job, str]]:
    """Jobs newest first with their account's name; keyset-paginated by id."""
    f = filters or JobFilter()
    query = select(Job, Account.name).join(Account, Account.id == Job.account_id)
    conditions = [
        Job.account_id == f.account_id if f.account_id is not None else None,
        Job.type == f.type.value if f.type else None,
        Job.status == f.status.value if f.status else None,
        Job.status.in_(_values(ACTIVE_STATUSES if f.active else TERMINAL_STATUSES))
        if f.active is not None
        else None,
        Job.created_at >= f.created_from if f.created_from else None,
        Job.created_at < f.created_to if f.created_to else None,
        Job.id < before_id if before_id is not None else None,
        has_failed_condition(f.has_failed) if f.has_failed is not None else None,
    ]
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    query = query.order_by(Job.id.desc()).limit(limit)
    return [(job, name) for job, name in session.execute(query)]


def job_items(
    session: Session, job_id: int, *, after_id: int | None = None, limit: int | None = None
) -> list[JobItem]:
    """The job's items in order; keyset-paginated by id when *after_id*/*limit* are given."""
    query = select(JobItem).where(JobItem.job_id == job_id)
    if after_id is not None:
        query = query.where(JobItem.id > after_id)
    return list(session.scalars(query.order_by(JobItem.id).limit(limit)))


def job_log(
    session: Session, job_id: int, *, after_id: int | None = None, limit: int | None = None
) -> list[JobLog]:
    """The job's log, oldest line first; keyset-paginated by id like :func:`job_items`."""
    query = select(JobLog).where(JobLog.job_id == job_id)
    if after_id is not None:
        query = query.where(JobLog.id > after_id)
    return list(session.scalars(query.order_by(JobLog.id).limit(limit)))


def job_with_account(session: Session, job_id: int) -> tuple[Job, str]:
    """The job and its account's name."""
    row = session.execute(
        select(Job, Account.name)
        .join(Account, Account.id == Job.account_id)
        .where(Job.id == job_id)
    ).one_or_none()
    if row is None:
        raise JobNotFound(job_id)
    return row[0], row[1]


def _values(statuses: Iterable[JobStatus]) -> list[str]:
    return sorted(s.value for s in statuses)
