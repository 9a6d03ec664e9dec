"""What the dashboard shows about quota: when a queued job will be sent, hourly use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.quota import START_OPERATIONS, estimate_start
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Job

__all__ = ["estimate_new", "estimate_send", "hourly_use"]

QUEUED = (JobStatus.RESERVED.value, JobStatus.CREATED.value)


def estimate_send(rt: Runtime, job_id: int) -> datetime | None:
    """When a queued (reserved or created) job will be sent, given the buckets and the
    jobs of the account ahead of it; None if it is not queued."""
    now = rt.clock.now()
    with rt.db.read() as session:
        job = get_job(session, job_id)
        if job.status not in QUEUED:
            return None
        mine = START_OPERATIONS[JobType(job.type)]
        ahead_rows = session.execute(
            select(Job.type, Job.priority, Job.next_run_at, Job.id).where(
                Job.account_id == job.account_id,
                Job.status.in_(QUEUED),
                Job.id != job.id,
            )
        ).all()
        mine_key = (-job.priority, job.next_run_at or now, job.id)
        ahead = [
            START_OPERATIONS[JobType(row.type)]
            for row in sorted(ahead_rows, key=lambda r: (-r.priority, r.next_run_at or now, r.id))
            if (-row.priority, row.next_run_at or now, row.id) < mine_key
            and set(START_OPERATIONS[JobType(row.type)]) & set(mine)
        ]
        operations = sorted({op for needs in [*ahead, mine] for op in needs})
        states = rt.throttle.states(session, job.account_id, operations, now)
    at = estimate_start(states, ahead, mine, now, rt.throttle.margin_s)
    return max(at, job.next_run_at or now)


def estimate_new(rt: Runtime, account_id: int, job_type: JobType) -> datetime:
    """When a *job_type* job created now would be sent: after every queued job of the
    account that waits for the same quota (a lower bound, as :func:`estimate_send`)."""
    now = rt.clock.now()
    mine = START_OPERATIONS[job_type]
    with rt.db.read() as session:
        rows = session.execute(
            select(Job.type, Job.priority, Job.next_run_at, Job.id).where(
                Job.account_id == account_id, Job.status.in_(QUEUED)
            )
        ).all()
        ahead = [
            START_OPERATIONS[JobType(row.type)]
            for row in sorted(rows, key=lambda r: (-r.priority, r.next_run_at or now, r.id))
            if set(START_OPERATIONS[JobType(row.type)]) & set(mine)
        ]
        operations = sorted({op for needs in [*ahead, mine] for op in needs})
        states = rt.throttle.states(session, account_id, operations, now)
    return estimate_start(states, ahead, mine, now, rt.throttle.margin_s)


def hourly_use(rt: Runtime, account_id: int) -> dict[str, int]:
    """Calls per operation in the last hour."""
    with rt.db.read() as session:
        return rt.throttle.hourly_use(session, account_id, rt.clock.now())
