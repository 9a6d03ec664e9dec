"""Which jobs wait for which bucket, and until when (the quota page's queue).

A job that has to wait for quota records the operation whose bucket holds it
back (``data["quota_wait"]``) and sleeps until ``next_run_at``; taking its
tokens clears the record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobType
from amazon_jobs.store.models import Job

__all__ = ["QuotaWaiter", "quota_waiters"]

#: At most this many waiting jobs are read (the soonest first).
MAX_WAITERS = 500


@dataclass(frozen=True, slots=True)
class QuotaWaiter:
    """A job waiting for a bucket, and when it will try again."""

    job_id: int
    job_type: JobType
    goes_at: datetime


def quota_waiters(session: Session) -> dict[tuple[int, str], list[QuotaWaiter]]:
    """Per (account id, operation), the jobs waiting for its quota, soonest first."""
    rows = session.execute(
        select(Job.id, Job.account_id, Job.type, Job.next_run_at, Job.data)
        .where(
            Job.status.in_([s.value for s in ACTIVE_STATUSES]),
            Job.next_run_at.is_not(None),
        )
        .order_by(Job.next_run_at, Job.id)
        .limit(MAX_WAITERS)
    )
    waiting: dict[tuple[int, str], list[QuotaWaiter]] = defaultdict(list)
    for job_id, account_id, job_type, goes_at, data in rows:
        operation = (data or {}).get("quota_wait")
        if isinstance(operation, str) and goes_at is not None:
            waiting[(account_id, operation)].append(QuotaWaiter(job_id, JobType(job_type), goes_at))
    return dict(waiting)
