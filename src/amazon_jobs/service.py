"""What a seller can ask for, shared by the CLI, the web app and the demo."""

from __future__ import annotations

from amazon_jobs.domain.jobs import USER_CANCELABLE, JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError, NotCancelable, SelectionError
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.handlers.reservation import Reservation, Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.jobs import lock_job

__all__ = ["cancel_job", "create_listings_job"]


def create_listings_job(
    rt: Runtime, job_type: JobType, account: str | int, selection: Selection
) -> Reservation:
    """Reserve the selected listings in one or more new jobs of *job_type*."""
    handler = handler_for(job_type)
    if not isinstance(handler, ListingsFeedJob):
        raise AmazonJobsError(f"{job_type.label} jobs do not work on listings")
    with rt.db.read() as session:
        account_id = find_account(session, account).id
    reservation = handler.reserve(rt, account_id, selection)
    if not reservation.jobs:
        reasons = "; ".join(f"{sku}: {why}" for sku, why in reservation.skipped[:20])
        raise SelectionError(
            "nothing to send"
            + (
                f" ({reasons})"
                if reasons
                else ": no eligible listing matches (use --all, or change shop values first)"
            )
        )
    return reservation


def cancel_job(rt: Runtime, job_id: int) -> None:
    """Cancel a reserved or created job and put every item back as it was."""
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        status = JobStatus(job.status)
        if status not in USER_CANCELABLE:
            raise NotCancelable(job_id, status.label.lower())
        handler_for(job.type).cancel(session, job, now, "canceled by the user")
