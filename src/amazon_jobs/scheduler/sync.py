"""Automatic sync: changed quantities and prices become Update Products QTY & Price jobs.

createFeed is the scarcest quota, so a feed should carry as many changes as
it can. While an earlier update job of the account still waits in
``reserved`` or ``created`` (for the worker, or for quota), no new one is
made: the changes made meanwhile accumulate and go into the next job, which
is created once the waiting one has been sent. Listings inside the waiting
job lose nothing either, since its values are read from the products when
the feed is built. Only active listings are picked (the QTY & Price
handler's eligible states): stopped, removed and not listed ones never are.
A listing whose last update Amazon refused is not sent again until the
product changes, so a SKU Amazon keeps refusing does not cost a feed a tick.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import SelectionError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.models import Job

__all__ = ["SYNC_JOB_TYPE", "UPDATE_JOB_TYPES", "create_sync_jobs", "waiting_update_job"]

#: The job type the scheduler creates for changed listings.
SYNC_JOB_TYPE = JobType.UPDATE_QTY_PRICE
#: Jobs that send changed values: one of them waiting to be sent defers the next sync.
UPDATE_JOB_TYPES = (JobType.UPDATE_QTY, JobType.UPDATE_PRICE, JobType.UPDATE_QTY_PRICE)
NOT_SENT_YET = (JobStatus.RESERVED, JobStatus.CREATED)


def waiting_update_job(session: Session, account_id: int) -> int | None:
    """An update job of the account not sent yet (reserved or created), if any."""
    job_id: int | None = session.scalar(
        select(Job.id)
        .where(
            Job.account_id == account_id,
            Job.type.in_([t.value for t in UPDATE_JOB_TYPES]),
            Job.status.in_([s.value for s in NOT_SENT_YET]),
        )
        .order_by(Job.id)
        .limit(1)
    )
    return job_id


def create_sync_jobs(rt: Runtime, account_id: int) -> list[int]:
    """Reserve every changed active listing in as few jobs as the feed size allows.

    Returns the new jobs' ids: none when nothing changed.
    """
    try:
        selection = Selection(changed=True, retry_failed=False)
        reservation = create_listings_job(rt, SYNC_JOB_TYPE, account_id, selection)
    except SelectionError:
        return []
    return [job.id for job in reservation.jobs]
