"""The queries of read-after-write verification (see :mod:`amazon_jobs.handlers.verify`).

Items to look at are a job's ``pending`` items whose listing no job holds; a
look records ``verify_checked_at``, so a pass interrupted anywhere resumes with
the items not looked at since it began. Everything here runs inside the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.verification import Seen, Verification
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.models import Account, InventoryRow, Job, JobItem, Listing

__all__ = [
    "IN_CHUNK",
    "Mismatch",
    "ToCheck",
    "count_states",
    "due_items",
    "flag_listing",
    "mismatches",
    "pending_unchecked",
    "save_checks",
    "snapshot_of",
    "snapshot_seen",
    "supersede",
    "verifying_jobs",
]

PENDING = Verification.PENDING.value
IN_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class ToCheck:
    """A pending item to look at."""

    id: int
    sku: str
    listing_id: int
    confirmed: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """An item found different after ``verify_after_s``, to send again."""

    id: int
    job_id: int
    job_type: str
    sku: str
    listing_id: int | None
    prior: dict[str, Any]
    detail: dict[str, Any]


def _unchecked_since(since: datetime) -> ColumnElement[bool]:
    return or_(JobItem.verify_checked_at.is_(None), JobItem.verify_checked_at < since)


def _free_pending(job_id: int) -> Any:
    """The job's pending items whose listing no job holds, with their listing."""
    return (
        select(JobItem.id, JobItem.ref, JobItem.listing_id, JobItem.confirmed)
        .join(Listing, Listing.id == JobItem.listing_id)
        .where(
            JobItem.job_id == job_id,
            JobItem.verification == PENDING,
            Listing.locked_by_job_id.is_(None),
        )
    )


def due_items(session: Session, job_id: int, since: datetime, limit: int) -> list[ToCheck]:
    """Up to *limit* pending items not looked at since *since*, in order."""
    rows = session.execute(
        _free_pending(job_id).where(_unchecked_since(since)).order_by(JobItem.id).limit(limit)
    ).all()
    return [ToCheck(row.id, row.ref, row.listing_id, row.confirmed or {}) for row in rows]


def pending_unchecked(session: Session, job_id: int, since: datetime) -> list[ToCheck]:
    """Every pending item not looked at since *since* (for an inventory report)."""
    return due_items(session, job_id, since, limit=1_000_000)


def supersede(session: Session, job: Job, now: datetime) -> int:
    """Pending items whose listing is gone, or whose listing a later job has changed
    since (Amazon accepted a newer value): superseded. Returns how many."""
    assert job.finished_at is not None
    later = (
        select(Listing.id)
        .where(Listing.id == JobItem.listing_id, Listing.confirmed_at > job.finished_at)
        .exists()
    )
    done = session.execute(
        update(JobItem)
        .where(
            JobItem.job_id == job.id,
            JobItem.verification == PENDING,
            or_(JobItem.listing_id.is_(None), later),
        )
        .values(verification=Verification.SUPERSEDED.value, verify_checked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)


def snapshot_of(session: Session, account_id: int) -> Job | None:
    """The Inventory Report job whose rows are the account's current inventory."""
    current = select(Account.inventory_snapshot_id).where(Account.id == account_id)
    return session.scalar(select(Job).where(Job.id == current.scalar_subquery()))


def snapshot_seen(
    session: Session, account_id: int, snapshot_id: int, skus: Sequence[str]
) -> dict[str, Seen]:
    """What the report shows of each of *skus* it lists."""
    seen: dict[str, Seen] = {}
    for start in range(0, len(skus), IN_CHUNK):
        rows = session.execute(
            select(
                InventoryRow.sku, InventoryRow.asin, InventoryRow.quantity, InventoryRow.price
            ).where(
                InventoryRow.account_id == account_id,
                InventoryRow.snapshot_id == snapshot_id,
                InventoryRow.sku.in_(skus[start : start + IN_CHUNK]),
            )
        ).all()
        for row in rows:
            seen[row.sku] = Seen(asin=row.asin, quantity=row.quantity, price=row.price)
    return seen


def save_checks(session: Session, rows: list[dict[str, Any]]) -> None:
    """Record looks: each row's ``id``, ``verification``, ``verify_checked_at`` and
    ``verification_detail``."""
    update_rows(session, JobItem, rows)


def flag_listing(
    session: Session, listing_id: int | None, columns: dict[str, Any], now: datetime
) -> None:
    """Put a flagged item's listing as Amazon shows it, unless a job holds it now."""
    if listing_id is None:
        return
    session.execute(
        update(Listing)
        .where(Listing.id == listing_id, Listing.locked_by_job_id.is_(None))
        .values(**columns, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def count_states(session: Session, job_id: int) -> dict[str, int]:
    """How many of the job's items are in each verification state."""
    rows = session.execute(
        select(JobItem.verification, func.count())
        .where(JobItem.job_id == job_id, JobItem.verification.is_not(None))
        .group_by(JobItem.verification)
    ).all()
    return {str(state): int(count) for state, count in rows}


def mismatches(session: Session, account_id: int) -> list[Mismatch]:
    """The account's items found different after ``verify_after_s``, not resent yet."""
    rows = session.execute(
        select(
            JobItem.id,
            JobItem.job_id,
            Job.type,
            JobItem.ref,
            JobItem.listing_id,
            JobItem.prior,
            JobItem.verification_detail,
        )
        .join(Job, Job.id == JobItem.job_id)
        .where(JobItem.verification == Verification.MISMATCH.value, Job.account_id == account_id)
        .order_by(JobItem.id)
    ).all()
    return [Mismatch(r[0], r[1], r[2], r[3], r[4], r[5] or {}, r[6] or {}) for r in rows]


def verifying_jobs(session: Session, listing_ids: Sequence[int]) -> dict[int, int]:
    """The job each of these listings has an item pending verification in, if any."""
    if not listing_ids:
        return {}
    rows = session.execute(
        select(JobItem.listing_id, func.max(JobItem.job_id))
        .where(JobItem.listing_id.in_(listing_ids), JobItem.verification == PENDING)
        .group_by(JobItem.listing_id)
    ).all()
    return {
        int(listing_id): int(job_id)
        for listing_id, job_id in rows
        if listing_id is not None and job_id is not None
    }
