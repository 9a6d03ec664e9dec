"""Aggregates for the Prometheus ``/metrics`` endpoint.

Each is one grouped query that an index serves: jobs by (type, status), the
bucket counters, the oldest due job, how long jobs finished recently took, and
accounts by state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Float, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.domain.jobs import TERMINAL_STATUSES
from amazon_jobs.store.accounts import NOT_DELETED
from amazon_jobs.store.jobs import account_runs_jobs
from amazon_jobs.store.models import Account, Job, ThrottleBucket

__all__ = [
    "accounts_by_status",
    "bucket_counters",
    "finished_durations",
    "jobs_by_type_status",
    "oldest_due",
    "seconds_between",
]

_TERMINAL = sorted(s.value for s in TERMINAL_STATUSES)


def jobs_by_type_status(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Job.type, Job.status, func.count()).group_by(Job.type, Job.status)
    )
    return {(job_type, status): count for job_type, status, count in rows}


def bucket_counters(session: Session) -> list[tuple[str, str, int, int]]:
    """(account name, operation, tokens granted, 429s seen) for every bucket."""
    rows = session.execute(
        select(
            Account.name, ThrottleBucket.operation, ThrottleBucket.granted, ThrottleBucket.throttled
        )
        .join(Account, Account.id == ThrottleBucket.account_id)
        .order_by(Account.name, ThrottleBucket.operation)
    )
    return [(name, op, granted, throttled) for name, op, granted, throttled in rows]


def oldest_due(session: Session, now: datetime) -> datetime | None:
    """The earliest ``next_run_at`` that has come, among unfinished jobs a worker may
    run (a paused or disabled account's wait by design; they are counted apart)."""
    return session.scalar(
        select(func.min(Job.next_run_at)).where(
            Job.next_run_at <= now, Job.status.not_in(_TERMINAL), account_runs_jobs()
        )
    )


def accounts_by_status(session: Session) -> dict[str, int]:
    """How many accounts are active, paused and disabled (each state shown, even at 0)."""
    rows = session.execute(
        select(Account.status, func.count()).where(NOT_DELETED).group_by(Account.status)
    )
    counts = {status.value: 0 for status in AccountStatus if status is not AccountStatus.DELETED}
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def finished_durations(session: Session, since: datetime) -> dict[str, tuple[float, int]]:
    """Per job type: the summed seconds from creation to finish, and how many jobs,
    of the jobs finished since *since*."""
    seconds = seconds_between(session, Job.created_at, Job.finished_at)
    rows = session.execute(
        select(Job.type, func.sum(seconds), func.count())
        .where(Job.status.in_(_TERMINAL), Job.finished_at >= since)
        .group_by(Job.type)
    )
    return {job_type: (float(total or 0.0), count) for job_type, total, count in rows}


def seconds_between(
    session: Session,
    start: ColumnElement[datetime] | InstrumentedAttribute[datetime],
    end: ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None],
) -> ColumnElement[float]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    # SQLite keeps UTC timestamps as text; julianday() reads them as days.
    return (func.julianday(end) - func.julianday(start)) * 86400.0
