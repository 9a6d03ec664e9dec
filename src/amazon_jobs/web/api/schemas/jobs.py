"""Jobs, their items and their log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from amazon_jobs.account_channel import job_channel
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.store.models import Job, JobItem, JobLog
from amazon_jobs.web.api.schemas.common import AccountRef, Input, Skipped, text

__all__ = [
    "CHANGED_TYPES",
    "ActionReason",
    "ChannelEstimatePublic",
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
    or ``all``, and an optional ``channel``; ``orders_fulfillment`` takes optional
    ``orders``; ``orders_import`` and ``inventory_report`` take nothing else."""

    type: JobType
    account: AccountRef
    skus: list[Sku] | None = Field(default=None, min_length=1, max_length=MAX_SELECTED)
    changed: bool = False
    all: bool = False
    orders: list[OrderId] | None = Field(default=None, min_length=1, max_length=MAX_SELECTED)
    channel: Channel | None = Field(
        default=None,
        description="Listings jobs only: force them through the JSON listings feed (feed) or "
        "the Listings Items API (listings-api); null or auto: the account's channel decides",
    )
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
        if self.channel is not None:
            extra.append("channel")
        if extra:
            raise ValueError(f"{', '.join(extra)} do(es) not apply to {job_type.value} jobs")
        return self


class ChannelEstimatePublic(BaseModel):
    """When each channel would have had Amazon's answer for every item, as the worker
    estimated it when it chose the job's channel."""

    items: int
    feed_s: float = Field(description="Seconds by the JSON listings feed")
    api_s: float = Field(description="Seconds by the Listings Items API")


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
    items_warned: int = Field(
        description="Items accepted with a WARNING, or with issues Amazon found after "
        "accepting them (they do not fail the item)"
    )
    items_to_verify: int = Field(
        description="Items Amazon accepted but does not show yet: verified until it does"
    )
    items_flagged: int = Field(
        description="Items Amazon still did not show after they were sent again (see their "
        "listings' last_error)"
    )
    error: str | None = Field(description="Why the job failed as a whole")
    parent_id: int | None = Field(
        description="The job whose failed items this one retries, or whose items Amazon did "
        "not show this one sends again (resend_of)"
    )
    resend_of: int | None = Field(
        description="The job whose items Amazon accepted but did not show, sent again here"
    )
    cancel_requested_at: datetime | None
    stuck_at: datetime | None
    acknowledged_at: datetime | None
    channel: Channel | None = Field(
        description="Listings jobs: feed or listings-api, the channel the job goes through "
        "(the forced one until the worker looks at it); null: not chosen yet, or not a "
        "listings job"
    )
    channel_forced: bool = Field(
        description="The job was forced through its channel (POST /jobs with channel)"
    )
    channel_note: str | None = Field(
        description="Why this channel, in words: forced, or chosen with both estimates"
    )
    channel_estimate: ChannelEstimatePublic | None = Field(
        description="The estimate the channel was chosen from; null until it was"
    )

    @classmethod
    def of(cls, job: Job, account: str) -> JobPublic:
        job_type, status = JobType(job.type), JobStatus(job.status)
        channel = job_channel(job.data)
        estimate = channel.estimate if channel else None
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
            items_warned=job.items_warned,
            items_to_verify=job.items_to_verify,
            items_flagged=job.items_flagged,
            error=job.error,
            parent_id=job.parent_id,
            resend_of=job.data.get("resend_of"),
            cancel_requested_at=job.cancel_requested_at,
            stuck_at=job.stuck_at,
            acknowledged_at=job.acknowledged_at,
            channel=channel.channel if channel else None,
            channel_forced=bool(channel and channel.forced),
            channel_note=(channel.note or None) if channel else None,
            channel_estimate=ChannelEstimatePublic(
                items=estimate.items, feed_s=estimate.feed_s, api_s=estimate.api_s
            )
            if estimate
            else None,
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
    """One listing (or package) of a job: before, asked, sent, Amazon's answer, its
    warnings, and whether Amazon then shows what it accepted."""

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
    warnings: list[str] = Field(
        description="Amazon's WARNINGs about the accepted message (code: message)"
    )
    issues: list[str] = Field(
        description="Issues Amazon found after accepting it (severity code: message)"
    )
    verification: str | None = Field(
        description="pending, verified, mismatch, resent, flagged, superseded or unverified; "
        "null where nothing is verified"
    )
    verify_checked_at: datetime | None = Field(description="When Amazon was last looked at")
    verification_detail: dict[str, Any] | None = Field(
        description="What Amazon showed (seen, differs, issues), by what (checked_by), and "
        "what followed (resent_in, resend_skipped)"
    )

    @classmethod
    def of(cls, item: JobItem) -> JobItemPublic:
        confirmed = item.confirmed or {}
        return cls(
            id=item.id,
            ref=item.ref,
            listing_id=item.listing_id,
            shipment_id=item.shipment_id,
            message_id=item.message_id,
            prior=item.prior,
            requested=item.requested,
            sent=item.sent,
            outcome=item.outcome,
            error_code=item.error_code,
            error_message=item.error_message,
            confirmed=item.confirmed,
            warnings=list(confirmed.get("warnings") or []),
            issues=list(confirmed.get("issues") or []),
            verification=item.verification,
            verify_checked_at=item.verify_checked_at,
            verification_detail=item.verification_detail,
        )


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
