"""Job handlers, one per job type, and the registry that finds them."""

from __future__ import annotations

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers.base import Handler
from amazon_jobs.handlers.update_qty import UpdateQuantity

__all__ = ["HANDLERS", "handler_for"]

HANDLERS: dict[JobType, Handler] = {
    JobType.UPDATE_QTY: UpdateQuantity(),
}


def handler_for(job_type: JobType | str) -> Handler:
    try:
        return HANDLERS[JobType(job_type)]
    except (KeyError, ValueError):
        raise AmazonJobsError(f"job type {job_type!r} is not supported yet") from None
