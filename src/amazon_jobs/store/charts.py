"""The numbers behind the dashboard's charts: grouped queries over bounded windows.

Every query takes the window's start (from the injected clock) and reads
only rows an index bounds to it: jobs by ``ix_jobs_created`` (created_at),
finished jobs by ``ix_jobs_status_finished`` (status, finished_at), their items
by ``job_items.job_id``. Times are grouped into buckets of whole UTC hours or
days by their epoch second, the same arithmetic on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from amazon_jobs.domain.jobs import TERMINAL_STATUSES, JobStatus
from amazon_jobs.store.metrics import seconds_between
from amazon_jobs.store.models import Account, Job, JobItem, ThrottleBucket
from amazon_jobs.throttle import split_minutes

__all__ = [
    "BucketMinutes",
    "Durations",
    "bucket_start",
    "errors_by_code",
    "jobs_by_hour_status",
    "quota_minutes",
    "time_to_done",
]

_TERMINAL = sorted(s.value for s in TERMINAL_STATUSES)
#: The item errors of jobs without a code from Amazon are counted under this name.
NO_CODE = "(no code)"


def _epoch_bucket(
    session: Session,
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    seconds: int,
) -> ColumnElement[int]:
    """The whole number of *seconds*-long periods since the epoch at *column*."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / seconds), BigInteger)
    # SQLite keeps naive UTC text, which strftime reads as UTC; integer division floors.
    return cast(cast(func.strftime("%s", column), BigInteger) / seconds, BigInteger)


def bucket_start(bucket: int, seconds: int) -> datetime:
    """When the bucket numbered *bucket* (of *seconds* each) starts."""
    return datetime.fromtimestamp(bucket * seconds, UTC)


def jobs_by_hour_status(session: Session, since: datetime) -> dict[tuple[int, str], int]:
    """Jobs created since *since*: {(hour bucket, status): count}."""
    hour = _epoch_bucket(session, Job.created_at, 3600)
    rows = session.execute(
        select(hour, Job.status, func.count())
        .where(Job.created_at >= since)
        .group_by(hour, Job.status)
    )
    return {(int(bucket), status): count for bucket, status, count in rows}


def errors_by_code(session: Session, since: datetime, seconds: int) -> dict[tuple[int, str], int]:
    """Failed items of the jobs finished since *since*, by Amazon's error code:
    {(bucket of the job's finish, code): count}."""
    bucket = _epoch_bucket(session, Job.finished_at, seconds)
    code = func.coalesce(JobItem.error_code, NO_CODE)
    rows = session.execute(
        select(bucket, code, func.count())
        .select_from(Job)
        .join(JobItem, JobItem.job_id == Job.id)
        .where(
            Job.status.in_(_TERMINAL),
            Job.finished_at >= since,
            JobItem.outcome == "error",
        )
        .group_by(bucket, code)
    )
    return {(int(b), c): count for b, c, count in rows}


@dataclass(frozen=True, slots=True)
class Durations:
    """How long the jobs of a type took from creation to Done, in seconds."""

    count: int
    p50: float
    p95: float


def time_to_done(session: Session, since: datetime) -> dict[str, Durations]:
    """Per job type, the median and 95th percentile of the time from creation to
    Done, over the jobs done since *since* (nearest rank, the same on both databases)."""
    done = (Job.status == JobStatus.DONE.value, Job.finished_at >= since)
    counts = session.execute(select(Job.type, func.count()).where(*done).group_by(Job.type))
    seconds = seconds_between(session, Job.created_at, Job.finished_at)
    found: dict[str, Durations] = {}
    for job_type, count in counts:

        def rank(q: float, job_type: str = job_type, count: int = count) -> float:
            offset = max(math.ceil(q * count) - 1, 0)
            value = session.scalar(
                select(seconds)
                .where(*done, Job.type == job_type)
                .order_by(seconds)
                .offset(offset)
                .limit(1)
            )
            return max(float(value or 0.0), 0.0)

        found[job_type] = Durations(count, rank(0.5), rank(0.95))
    return found


@dataclass(frozen=True, slots=True)
class BucketMinutes:
    """One bucket's calls and 429s per minute (epoch minute: count), last hour."""

    account_id: int
    account: str
    operation: str
    grants: dict[int, int]
    throttled: dict[int, int]


def quota_minutes(session: Session, account_id: int | None = None) -> list[BucketMinutes]:
    """Every bucket's per-minute counts (the bucket rows keep the last hour)."""
    query = (
        select(Account.id, Account.name, ThrottleBucket.operation, ThrottleBucket.minutes)
        .join(Account, Account.id == ThrottleBucket.account_id)
        .order_by(Account.name, Account.id, ThrottleBucket.operation)
    )
    if account_id is not None:
        query = query.where(ThrottleBucket.account_id == account_id)
    found = []
    for acc_id, name, operation, minutes in session.execute(query):
        grants, throttled = split_minutes(minutes)
        found.append(BucketMinutes(acc_id, name, operation, grants, throttled))
    return found
