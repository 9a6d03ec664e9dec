"""What a listings job would do to one listing, before it is created (pure).

The preview of a selection shows, per listing, the value Amazon last confirmed
and the value the job would send, or why the job would leave the listing out.
The same rules as the reservation: a listing in a state the job type does not
take, or held by another job, is left out; Sending Products also needs an ASIN
or an EAN/UPC to find one with.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import ListingState

__all__ = ["ListingFacts", "Sent", "skip_reason", "to_send"]


@dataclass(frozen=True)
class ListingFacts:
    """A listing and its product's shop values, as the preview reads them."""

    sku: str
    state: str | None
    locked_by_job_id: int | None
    asin: str | None
    ean: str | None
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Sent:
    """The values a job would send (None: not sent by this job type)."""

    quantity: int | None
    price: Decimal | None


def skip_reason(
    job_type: JobType, eligible: Collection[ListingState], facts: ListingFacts
) -> str | None:
    """Why a *job_type* job would leave the listing out, or None when it takes it."""
    if facts.state is None:
        return "not on this account's selling list"
    if facts.locked_by_job_id is not None:
        return f"locked by job {facts.locked_by_job_id}"
    if facts.state not in {s.value for s in eligible}:
        allowed = ", ".join(sorted(s.value.replace("_", " ") for s in eligible))
        return f"{facts.state.replace('_', ' ')}: {job_type.label} takes only {allowed}"
    if job_type is JobType.SEND_PRODUCTS and not facts.asin and not facts.ean:
        return "no ASIN and no EAN/UPC to find one with"
    return None


def to_send(job_type: JobType, facts: ListingFacts) -> Sent:
    """The values the job would send, from the shop's values now."""
    if job_type in (JobType.STOP, JobType.STOP_REMOVE):
        return Sent(0, None)
    if job_type is JobType.UPDATE_QTY:
        return Sent(facts.quantity, None)
    if job_type is JobType.UPDATE_PRICE:
        return Sent(None, facts.price)
    return Sent(facts.quantity, facts.price)
