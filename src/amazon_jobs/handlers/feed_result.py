"""Applying a feed's outcome to its items and listings, in bulk.

Only listings still held by the job are touched, so a result can never be
applied twice: the first application releases them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from amazon_jobs.feeds.processing_report import Issue, ProcessingReport
from amazon_jobs.handlers.reservation import restored_columns
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Job, JobItem, Listing

__all__ = ["apply_report", "release_items", "rollback_items", "settle_failed_early"]

Columns = Callable[[dict[str, Any]], dict[str, Any]]
ErrorColumns = Callable[[str], dict[str, Any]]
_NO_SYNC = {"synchronize_session": False}
NOT_SENT = "not sent: the listing was deleted before the feed was built"


def apply_report(
    session: Session,
    job: Job,
    report: ProcessingReport,
    confirmed_columns: Columns,
    error_columns: ErrorColumns,
    now: datetime,
) -> None:
    """Mark each pending item ok or failed from *report* and update its listing."""
    items = session.execute(
        select(JobItem.id, JobItem.listing_id, JobItem.message_id, JobItem.sent).where(
            JobItem.job_id == job.id, JobItem.outcome == "pending"
        )
    ).all()
    feed_errors = report.feed_errors if report.messages_accepted == 0 else []
    ok_items, ok_listings, bad_items, bad_listings = [], [], [], []
    for item_id, listing_id, message_id, sent in items:
        if message_id is None:  # its listing was deleted before the feed was built
            bad_items.append(_failed(item_id, None, NOT_SENT))
            continue
        errors = feed_errors or report.errors_for(message_id)
        if errors:
            text = "; ".join(issue.describe() for issue in errors)
            bad_items.append(_failed(item_id, errors[0].code, text))
            bad_listings.append({"id": listing_id, **error_columns(text)})
        else:
            warnings = report.warnings_for(message_id)
            ok_items.append(_confirmed(item_id, sent, warnings))
            columns = {**confirmed_columns(sent or {}), "last_error": None}
            ok_listings.append({"id": listing_id, **columns})
    update_rows(session, JobItem, ok_items)
    update_rows(session, JobItem, bad_items)
    _release_listings(session, job.id, ok_listings, now)
    _release_listings(session, job.id, bad_listings, now)
    settle_failed_early(session, job.id, error_columns, now)
    _log_unknown_messages(session, job.id, report, now)
    job.items_ok += len(ok_items)
    job.items_failed += len(bad_items)


def settle_failed_early(
    session: Session, job_id: int, error_columns: ErrorColumns, now: datetime
) -> None:
    """Release listings of items that failed before sending, with their error."""
    rows = session.execute(
        select(JobItem.listing_id, JobItem.error_message)
        .join(Listing, Listing.id == JobItem.listing_id)
        .where(
            JobItem.job_id == job_id,
            JobItem.outcome == "error",
            Listing.locked_by_job_id == job_id,
        )
    ).all()
    values = [{"id": lid, **error_columns(text or "")} for lid, text in rows]
    _release_listings(session, job_id, values, now)


def release_items(
    session: Session, job_id: int, reason: str, columns: dict[str, Any] | None = None
) -> int:
    """Fail every pending item with *reason* and free its listing (setting *columns*).

    Returns how many items failed.
    """
    failed = cast(
        CursorResult[Any],
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job_id, JobItem.outcome == "pending")
            .values(outcome="error", error_message=reason),
            execution_options=_NO_SYNC,
        ),
    ).rowcount
    session.execute(
        update(Listing)
        .where(Listing.locked_by_job_id == job_id)
        .values(locked_by_job_id=None, **(columns or {})),
        execution_options=_NO_SYNC,
    )
    return int(failed or 0)


def rollback_items(session: Session, job_id: int) -> int:
    """Put every listing held by the job back exactly as it was; returns how many."""
    rows = session.execute(
        select(JobItem.listing_id, JobItem.prior)
        .join(Listing, Listing.id == JobItem.listing_id)
        .where(JobItem.job_id == job_id, Listing.locked_by_job_id == job_id)
    )
    values = [
        {"id": lid, **restored_columns(prior), "locked_by_job_id": None} for lid, prior in rows
    ]
    update_rows(session, Listing, values, where=[Listing.locked_by_job_id == job_id])
    session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.outcome == "pending")
        .values(outcome="canceled"),
        execution_options=_NO_SYNC,
    )
    return len(values)


def _failed(item_id: int, code: str | None, text: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "outcome": "error",
        "error_code": code,
        "error_message": text,
        "confirmed": None,
    }


def _confirmed(item_id: int, sent: dict[str, Any] | None, warnings: list[Issue]) -> dict[str, Any]:
    confirmed = dict(sent or {})
    if warnings:
        confirmed["warnings"] = [w.describe() for w in warnings]
    return {
        "id": item_id,
        "outcome": "ok",
        "error_code": None,
        "error_message": None,
        "confirmed": confirmed,
    }


def _release_listings(
    session: Session, job_id: int, rows: list[dict[str, Any]], now: datetime
) -> None:
    rows = [
        {**row, "locked_by_job_id": None, "updated_at": now}
        for row in rows
        if row["id"] is not None
    ]
    update_rows(session, Listing, rows, where=[Listing.locked_by_job_id == job_id])


def _log_unknown_messages(
    session: Session, job_id: int, report: ProcessingReport, now: datetime
) -> None:
    known = set(
        session.scalars(
            select(JobItem.message_id).where(
                JobItem.job_id == job_id, JobItem.message_id.is_not(None)
            )
        )
    )
    unknown = sorted(set(report.by_message) - known)
    if unknown:
        shown = ", ".join(str(m) for m in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        append_log(
            session,
            job_id,
            now,
            f"The processing report names message id(s) this feed did not contain: "
            f"{shown}{more}; ignored",
            level="warning",
        )
