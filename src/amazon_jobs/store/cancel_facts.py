"""What the cancel rule needs to know about jobs, read from the store.

The Amazon operations a job has already called are read from its log, where
every call is written as ``<operation> <method> <path>: <outcome>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.cancel import CancelFacts
from amazon_jobs.domain.jobs import USER_CANCELABLE, JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.store.models import Job, JobLog

__all__ = ["amazon_calls", "cancel_facts", "cancel_facts_of"]

#: At most this many log lines are read per job to count its calls.
MAX_LINES = 2000


def amazon_calls(session: Session, job_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """For each job, how many times it called each Amazon operation."""
    calls: dict[int, Counter[str]] = {job_id: Counter() for job_id in job_ids}
    if not job_ids:
        return calls
    operations = [op.value for op in Operation]
    query = (
        select(JobLog.job_id, JobLog.message)
        .where(
            JobLog.job_id.in_(list(job_ids)),
            or_(*(JobLog.message.like(f"{op} %") for op in operations)),
        )
        .limit(MAX_LINES * len(job_ids))
    )
    for job_id, message in session.execute(query):
        operation = message.split(" ", 1)[0]
        if operation in operations:
            calls[job_id][operation] += 1
    return calls


def cancel_facts_of(job: Job, calls: Counter[str] | None = None) -> CancelFacts:
    return CancelFacts(
        status=JobStatus(job.status),
        job_type=JobType(job.type),
        amazon_ref=job.amazon_ref,
        amazon_status=job.amazon_status,
        cancel_requested=job.cancel_requested_at is not None,
        calls=dict(calls or {}),
        api_channel=(job.data or {}).get("channel") == "listings-api",
    )


def cancel_facts(session: Session, jobs: Sequence[Job]) -> dict[int, CancelFacts]:
    """The cancel facts of *jobs*; calls are read only for jobs still cancelable at once."""
    early = [job.id for job in jobs if JobStatus(job.status) in USER_CANCELABLE]
    calls = amazon_calls(session, early)
    return {job.id: cancel_facts_of(job, calls.get(job.id)) for job in jobs}
