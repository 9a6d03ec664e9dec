"""Verification's part of a tick: start it for Done listings jobs, resend mismatches.

- A Done listings job with items to verify and no look scheduled is made due
  at its first look (:func:`~amazon_jobs.domain.verification.next_check_at`);
  the worker then verifies it step by step (:mod:`amazon_jobs.handlers.verify`).
- Items found different after ``verify_after_s`` (``mismatch``) are sent
  again, once: one new job of the same type per job they came from, linked to
  it (``parent_id``, ``data["resend_of"]``), reserved like any job of that type
  (:func:`~amazon_jobs.handlers.reservation.reserve`, the handler's own rules),
  so coalescing holds: a listing another job not sent yet holds already is
  left to that job, which sends the current value. Before that, each listing
  is put as Amazon shows it (:func:`~amazon_jobs.domain.verification.resent_columns`).
  Marking the items ``resent`` and reserving happen in one transaction, so a
  crash sends nothing twice and loses nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.domain.verification import (
    CHECK_FRACTIONS,
    Seen,
    Verification,
    deadline,
    resent_columns,
)
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.handlers.reservation import Reservation, Selection, reserve
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import verification as store
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Job, JobItem, Listing, Product
from amazon_jobs.testing import checkpoint

__all__ = ["resend_mismatches", "start_verification", "verification_tick"]


def verification_tick(rt: Runtime, account_id: int) -> dict[JobType, list[int]]:
    """Start due verifications and resend mismatches; returns the jobs created, by type."""
    start_verification(rt, account_id)
    return resend_mismatches(rt, account_id)


def start_verification(rt: Runtime, account_id: int) -> list[int]:
    """Schedule the first look of the account's Done listings jobs with items to verify
    and none scheduled; returns their ids."""
    verify_after_s = rt.settings.verify_after_s
    first = timedelta(seconds=verify_after_s * CHECK_FRACTIONS[0])
    with rt.db.read() as session:  # most ticks find none: no write transaction then
        if session.scalar(select(Job.id).where(*_to_start(account_id)).limit(1)) is None:
            return []
    with rt.db.transaction() as session:
        now = rt.clock.now()
        jobs = session.scalars(
            select(Job).where(*_to_start(account_id)).with_for_update(skip_locked=True)
        ).all()
        for job in jobs:
            assert job.finished_at is not None
            job.next_run_at = max(now, job.finished_at + first)
            until = deadline(job.finished_at, verify_after_s)
            append_log(
                session,
                job.id,
                now,
                f"Verifying {job.items_to_verify} accepted item(s) against what Amazon "
                f"shows: first look at {job.next_run_at:%H:%M:%S} UTC; an item still "
                f"different at {until:%H:%M:%S} UTC is sent again",
            )
        return [job.id for job in jobs]


def _to_start(account_id: int) -> tuple[ColumnElement[bool], ...]:
    """The account's Done listings jobs with items to verify and no look scheduled."""
    return (
        Job.account_id == account_id,
        Job.items_to_verify > 0,
        Job.next_run_at.is_(None),
        Job.status == JobStatus.DONE.value,
        Job.type.in_([t.value for t in FEED_JOB_TYPES]),
    )


def resend_mismatches(rt: Runtime, account_id: int) -> dict[JobType, list[int]]:
    """Send the account's mismatches again, once (see the module's docstring)."""
    with rt.db.read() as session:  # most ticks find none: no write transaction then
        if not store.mismatches(session, account_id):
            return {}
    created: dict[JobType, list[int]] = defaultdict(list)
    with rt.db.transaction() as session:
        found = store.mismatches(session, account_id)
        by_job: dict[int, list[store.Mismatch]] = defaultdict(list)
        for item in found:
            by_job[item.job_id].append(item)
        for job_id, items in by_job.items():
            job_type = JobType(items[0].job_type)
            new = _resend(rt, session, account_id, job_id, job_type, items)
            created[job_type].extend(new)
    return dict(created)


def _resend(
    rt: Runtime,
    session: Session,
    account_id: int,
    job_id: int,
    job_type: JobType,
    items: list[store.Mismatch],
) -> list[int]:
    handler = handler_for(job_type)
    assert isinstance(handler, ListingsFeedJob)
    now = rt.clock.now()
    for item in items:
        seen = _seen(item.detail)
        columns = resent_columns(job_type, item.prior, seen)
        if columns and item.listing_id is not None:
            session.execute(
                update(Listing)
                .where(Listing.id == item.listing_id, Listing.locked_by_job_id.is_(None))
                .values(**columns, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    reservation = reserve(
        session,
        account_id=account_id,
        job_type=job_type,
        selection=Selection(skus=tuple(dict.fromkeys(item.sku for item in items))),
        eligible=handler.eligible,
        changed=None,
        requested=handler.requested,
        max_items=rt.settings.feed_max_messages,
        now=now,
        parent_id=job_id,
    )
    for job in reservation.jobs:
        job.data = {"resend_of": job_id}
    checkpoint("verify:resending")  # inside the transaction: a kill rolls it back
    sent_in = _sent_in(session, reservation, [item.sku for item in items], account_id)
    skipped = dict(reservation.skipped)
    _mark(session, items, sent_in, skipped)
    _log(session, job_id, reservation, sent_in, skipped, now)
    return [job.id for job in reservation.jobs]


def _seen(detail: dict[str, Any]) -> Seen:
    values = detail.get("seen") or {}
    if values.get("missing"):
        return Seen(missing=True)
    price = values.get("price")
    return Seen(
        asin=values.get("asin"),
        quantity=values.get("quantity"),
        price=None if price is None else Decimal(str(price)),
    )


def _sent_in(
    session: Session, reservation: Reservation, skus: list[str], account_id: int
) -> dict[str, int]:
    """The job each SKU goes out in: a new one, or the job that holds its listing."""
    new_ids = [job.id for job in reservation.jobs]
    found: dict[str, int] = {}
    if new_ids:
        rows = session.execute(
            select(JobItem.ref, JobItem.job_id).where(JobItem.job_id.in_(new_ids))
        ).all()
        found.update({str(ref): int(job) for ref, job in rows})
    held = session.execute(
        select(Product.sku, Listing.locked_by_job_id)
        .join(Listing, Listing.product_id == Product.id)
        .where(
            Listing.account_id == account_id,
            Product.sku.in_([s for s in skus if s not in found]),
            Listing.locked_by_job_id.is_not(None),
        )
    ).all()
    for sku, holder in held:
        if holder is not None:
            found.setdefault(sku, holder)
    return found


def _mark(
    session: Session,
    items: list[store.Mismatch],
    sent_in: dict[str, int],
    skipped: dict[str, str],
) -> None:
    """Every mismatch is ``resent``: with the job that sends it, or why none does."""
    rows = []
    for item in items:
        detail = dict(item.detail)
        if item.sku in sent_in:
            detail["resent_in"] = sent_in[item.sku]
        else:
            detail["resend_skipped"] = skipped.get(item.sku, "not on the selling list any more")
        rows.append(
            {
                "id": item.id,
                "verification": Verification.RESENT.value,
                "verification_detail": detail,
            }
        )
    update_rows(session, JobItem, rows)


def _log(
    session: Session,
    job_id: int,
    reservation: Reservation,
    sent_in: dict[str, int],
    skipped: dict[str, str],
    now: datetime,
) -> None:
    """Say in the source job, and in each new one, what was sent again where."""
    new = {job.id for job in reservation.jobs}
    for job in reservation.jobs:
        append_log(
            session,
            job.id,
            now,
            f"Resend of job {job_id}: {job.items_total} item(s) Amazon accepted there but "
            "did not show as sent in time",
        )
    parts = [f"in job {i}" for i in sorted(new)]
    held = sorted({j for j in sent_in.values() if j not in new})
    if held:
        parts.append(f"left to job(s) {', '.join(map(str, held))}, which send the current value")
    left_out = [(sku, why) for sku, why in skipped.items() if sku not in sent_in]
    if left_out:
        parts.append("not sent again: " + "; ".join(f"{s} ({why})" for s, why in left_out[:20]))
    count = len(sent_in) + len(left_out)
    append_log(
        session,
        job_id,
        now,
        f"{count} item(s) Amazon still did not show as sent: sent again " + "; ".join(parts),
        level="warning",
    )
