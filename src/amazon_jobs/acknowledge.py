"""Acknowledging an error job: the seller has seen why it failed.

An error job is kept until a seller acknowledges it; from then on retention
may prune it like a done job, ``retention_days`` after it ended.
"""

from __future__ import annotations

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import append_log, lock_job
from amazon_jobs.store.models import Job

__all__ = ["acknowledge_job"]


def acknowledge_job(rt: Runtime, job_id: int) -> Job:
    """Mark the error job *job_id* as seen; acknowledging it again changes nothing.

    Raises :class:`~amazon_jobs.errors.JobNotFound` for an unknown id and
    :class:`~amazon_jobs.errors.AmazonJobsError` for a job that is not in error.
    """
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        status = JobStatus(job.status)
        if status is not JobStatus.ERROR:
            raise AmazonJobsError(
                f"job {job_id} is {status.label.lower()}: only jobs in error can be acknowledged"
            )
        if job.acknowledged_at is None:
            job.acknowledged_at = now
            days = f"{rt.settings.retention_days:g}"
            append_log(
                session,
                job_id,
                now,
                f"Error acknowledged: the job will be deleted {days} days after it ended",
            )
        return job
