"""What a demo run shows at the end: jobs by status, items ok and failed, and why.

The demo goes wrong on purpose in a few places (see :mod:`amazon_jobs.demo`); the
summary names each: the Error jobs with the first line of their reason, the
items Amazon failed with its own words, and the shipment confirmations it refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.store.models import Job, JobItem

__all__ = ["DemoSummary", "FailedItem", "demo_summary"]

#: How many failed items the summary quotes.
FAILED_ITEMS_SHOWN = 8
#: And at most this many of one job, so that every kind of failure shows.
FAILED_ITEMS_PER_JOB = 2


@dataclass(frozen=True)
class FailedItem:
    job_id: int
    job_type: JobType
    ref: str
    reason: str


@dataclass(frozen=True)
class ErrorJob:
    job_id: int
    job_type: JobType
    reason: str


@dataclass
class DemoSummary:
    #: Jobs per status, and their items ok and failed: ``{status: (jobs, ok, failed)}``.
    by_status: dict[JobStatus, tuple[int, int, int]] = field(default_factory=dict)
    error_jobs: list[ErrorJob] = field(default_factory=list)
    #: Some failed items, oldest job first (:data:`FAILED_ITEMS_SHOWN`).
    failed_items: list[FailedItem] = field(default_factory=list)
    #: Shipment confirmations Amazon refused (failed Orders Fulfillment items).
    refused_confirmations: int = 0

    @property
    def items_failed(self) -> int:
        return sum(failed for _, _, failed in self.by_status.values())

    @property
    def items_ok(self) -> int:
        return sum(ok for _, ok, _ in self.by_status.values())


def demo_summary(session: Session) -> DemoSummary:
    summary = DemoSummary()
    rows = session.execute(
        select(
            Job.status, func.count(), func.sum(Job.items_ok), func.sum(Job.items_failed)
        ).group_by(Job.status)
    )
    for status, jobs, ok, failed in rows:
        summary.by_status[JobStatus(status)] = (jobs, int(ok or 0), int(failed or 0))
    for job_id, job_type, error in session.execute(
        select(Job.id, Job.type, Job.error).where(Job.status == JobStatus.ERROR).order_by(Job.id)
    ):
        first_line = (error or "no reason recorded").strip().splitlines()[0]
        summary.error_jobs.append(ErrorJob(job_id, JobType(job_type), first_line))
    failed_query = (
        select(JobItem.job_id, Job.type, JobItem.ref, JobItem.error_code, JobItem.error_message)
        .join(Job, Job.id == JobItem.job_id)
        .where(JobItem.outcome == "error")
        .order_by(JobItem.job_id, JobItem.id)
    )
    per_job: dict[int, int] = {}
    for job_id, job_type, ref, code, message in session.execute(failed_query.limit(500)):
        if len(summary.failed_items) >= FAILED_ITEMS_SHOWN:
            break
        if per_job.get(job_id, 0) >= FAILED_ITEMS_PER_JOB:
            continue
        per_job[job_id] = per_job.get(job_id, 0) + 1
        reason = message or code or "no reason given"
        summary.failed_items.append(FailedItem(job_id, JobType(job_type), ref, reason))
    summary.refused_confirmations = (
        session.scalar(
            select(func.count())
            .select_from(JobItem)
            .join(Job, Job.id == JobItem.job_id)
            .where(Job.type == JobType.ORDERS_FULFILLMENT, JobItem.outcome == "error")
        )
        or 0
    )
    return summary
