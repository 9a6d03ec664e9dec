"""Jobs, their items and their log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.store.models import Job, JobItem, JobLog
from amazon_jobs.web.api.schemas.common import AccountRef, Input, Skipped, text

__all__ = [
    "CHANGED_TYPES",
    "ActionReason",
    "JobCancel",
    "JobCreate",
    "JobItemPublic",
    "JobItemsPublic",
    "JobLogLinePublic",
    "JobLogPublic",
    "JobPublic",
    "JobsCreated",
    "JobsPublic",
]

#: Listings job types that can select "every listing whose shop value changed".
CHANGED_TYPES = frozenset({JobType.UPDATE_QTY, JobType.UPDATE_PRICE, JobType.UPDATE_QTY_PRICE})
#: The most SKUs or orders one request may name.
MAX_SELECTED = 100_000

Sku = Annotated[str, text(40)]
OrderId = Annotated[str, text(30)]
#: Why a person acts, kept with the action and in the job's log.
Reason = Annotated[str | None, text(500, description="Why (kept in the job's log)")]


class ActionReason(Input):
    """An optional body for cancel, check and retry: why."""

    reason: Reason = None


class JobCreate(Input):
    """A new job. Listings jobs (``send_products``, ``update_*``, ``stop``,
    ``stop_remove``) take exactly one of ``skus``, ``changed`` (update types only)
    or ``all``; ``orders_fulfillment`` takes optional ``orders``; ``orders_import``
    and ``inventory_report`` take nothing else."""

    type: JobType
    account: AccountRef
    skus: list[Sku] | None = Field(default=None, min_length=1, max_length=MAX_SELECTED)
    changed: bool = False
    all: bool = False
    orders: list[OrderId] | None = Field(default=None, min_length=1, max_length=MAX_SELECTED)
    reason: Reason = None

    @model_validator(mode="after")
    def _selection_fits_type(self) -> JobCreate:
        job_type = JobType(self.type)
        if job_type in FEED_JOB_TYPES:
            if self.orders is not None:
                raise ValueError(f"orders do not apply to {job_type.value} jobs: use skus")
            if sum((bool(self.skus), self.changed, self.all)) != 1:
                raise ValueError("choose exactly one of: skus, changed, all")
            if self.changed and job_type not in CHANGED_TYPES:
                raise ValueError(
                    f"changed applies to update_qty, update_price and update_qty_price jobs, "
                    f"not {job_type.value}: use skus or all"
                )
            return self
        extra = [name for name in ("skus", "changed", "all") if getattr(self, name)]
        if job_type is not JobType.ORDERS_FULFILLMENT and self.orders is not None:
            extra.append("orders")
        if extra:
            raise ValueError(f"{', '.join(extra)} do(es) not apply to {job_type.value} jobs")
        return self


class JobPublic(BaseModel):
    """A job, as on the Amazon Jobs page."""

    id: int
    account_id: int
    account: str = Field(description="The account's name")
    type: JobType
    type_label: str
    status: JobStatus
    status_label: str
    priority: int
    created_at: datetime
    updated_at: datetime = Field(description="Last time the job's state changed or was refreshed")
    finished_at: datetime | None
    next_run_at: datetime | None = Field(description="When the worker looks at it next")
    submitted_at: datetime | None
    amazon_ref: str | None = Field(description="Amazon's feedId or reportId")
    amazon_status: str | None = Field(description="Amazon's processingStatus, as last seen")
    items_total: int
    items_ok: int
    items_failed: int
    error: str | None = Field(description="Why the job failed as a whole")
    parent_id: int | None = Field(description="The job whose failed items this one retries")
    cancel_requested_at: datetime | None
    stuck_at: datetime | None
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, job: Job, account: str) -> JobPublic:
        job_type, status = JobType(job.type), JobStatus(job.status)
        return cls(
            id=job.id,
            account_id=job.account_id,
            account=account,
            type=job_type,
            type_label=job_type.label,
            status=status,
            status_label=status.label,
            priority=job.priority,
            created_at=job.created_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
            next_run_at=job.next_run_at,
            submitted_at=job.submitted_at,
            amazon_ref=job.amazon_ref,
            amazon_status=job.amazon_status,
            items_total=job.items_total,
            items_ok=job.items_ok,
            items_failed=job.items_failed,
            error=job.error,
            parent_id=job.parent_id,
            cancel_requested_at=job.cancel_requested_at,
            stuck_at=job.stuck_at,
            acknowledged_at=job.acknowledged_at,
        )


class JobsPublic(BaseModel):
    """A page of jobs, newest first."""

    items: list[JobPublic]
    next_before_id: int | None = Field(
        description="Pass as before_id for the next page; null on the last page"
    )


class JobsCreated(BaseModel):
    """The jobs created (a large selection is split into several), and what was left out."""

    jobs: list[JobPublic]
    skipped: list[Skipped] = Field(default_factory=list)


class JobCancel(BaseModel):
    """``canceled``: done, every item is back as it was. ``requested``: the job waits
    for its feed's result; the worker asks Amazon to cancel it (possible while the
    feed is IN_QUEUE)."""

    canceled: bool
    requested: bool | None = None


class JobItemPublic(BaseModel):
    """One listing (or package) of a job: before, asked, sent, and Amazon's answer."""

    id: int
    ref: str = Field(description="The SKU, Amazon order id or package")
    listing_id: int | None
    shipment_id: int | None
    message_id: int | None
    prior: dict[str, Any]
    requested: dict[str, Any]
    sent: dict[str, Any] | None
    outcome: str = Field(description="pending, ok, error or canceled")
    error_code: str | None
    error_message: str | None
    confirmed: dict[str, Any] | None

    @classmethod
    def of(cls, item: JobItem) -> JobItemPublic:
        return cls.model_validate(item, from_attributes=True)


class JobItemsPublic(BaseModel):
    items: list[JobItemPublic]
    next_after_id: int | None = Field(
        description="Pass as after_id for the next page; null on the last page"
    )


class JobLogLinePublic(BaseModel):
    id: int
    at: datetime
    level: str
    message: str
    request_id: str | None = Field(description="Amazon's request id, if the line is a call")

    @classmethod
    def of(cls, line: JobLog) -> JobLogLinePublic:
        return cls.model_validate(line, from_attributes=True)


class JobLogPublic(BaseModel):
    items: list[JobLogLinePublic]
    next_after_id: int | None
