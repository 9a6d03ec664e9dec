"""Applying a feed's outcome to its items and listings, in bulk.

Only listings still held by the job are touched, so a result can never be
applied twice: the first application releases them.

An issue is matched to its message by ``messageId``, checked against the
issue's ``sku``: where Amazon names a message id the feed did not contain, or
one whose SKU differs, the issue goes to the message of its SKU (and the job
log says so), so an error is never lost and an item never confirmed by mistake.

An accepted item keeps its message's WARNINGs (``confirmed["warnings"]``) and
the issues Amazon found after accepting it (the report's ``items[].issues``,
``confirmed["issues"]``): neither fails it; the job counts such items
(``items_warned``). Each accepted item is then ``pending`` verification: Amazon
applies what it accepted later (see :mod:`amazon_jobs.handlers.verify`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.listings import state_after_refusal
from amazon_jobs.domain.policy import TRACE_KEYS
from amazon_jobs.domain.verification import Verification
from amazon_jobs.feeds.processing_report import Issue, ProcessingReport
from amazon_jobs.handlers.reservation import restored_columns
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Job, JobItem, Listing
from amazon_jobs.store.prepared import Prepared

__all__ = [
    "Answer",
    "apply_answer",
    "apply_report",
    "release_items",
    "rollback_items",
    "settle_failed_early",
]

Columns = Callable[[dict[str, Any]], dict[str, Any]]
ErrorColumns = Callable[[str], dict[str, Any]]
_NO_SYNC = {"synchronize_session": False}
NOT_SENT = "not sent: the listing was deleted before the feed was built"

# The queries every feed's result runs, prepared once (see amazon_jobs.store.prepared).
_JOB = bindparam("job_id", type_=JobItem.job_id.type)
_PENDING_ITEMS = Prepared(
    select(JobItem.id, JobItem.listing_id, JobItem.message_id, JobItem.sent, JobItem.ref).where(
        JobItem.job_id == _JOB, JobItem.outcome == "pending"
    )
)
_SKUS_BY_MESSAGE = Prepared(
    select(JobItem.message_id, JobItem.ref).where(
        JobItem.job_id == _JOB, JobItem.message_id.is_not(None)
    )
)
_FAILED_EARLY = Prepared(
    select(JobItem.listing_id, JobItem.error_message)
    .join(Listing, Listing.id == JobItem.listing_id)
    .where(JobItem.job_id == _JOB, JobItem.outcome == "error", Listing.locked_by_job_id == _JOB)
)


def apply_report(
    session: Session,
    job: Job,
    report: ProcessingReport,
    confirmed_columns: Columns,
    error_columns: ErrorColumns,
    now: datetime,
) -> None:
    """Mark each pending item ok or failed from *report* and update its listing."""
    items = _PENDING_ITEMS.rows(session, {"job_id": job.id})
    report, misplaced, unmatched = _matched_by_sku(report, _skus_by_message(session, job.id))
    feed_errors = report.feed_errors if report.messages_accepted == 0 else []
    ok_items, ok_listings, bad_items, bad_listings = [], [], [], []
    for item_id, listing_id, message_id, sent, sku in items:
        if message_id is None:  # its listing was deleted before the feed was built
            bad_items.append(_failed(item_id, None, NOT_SENT))
            continue
        errors = feed_errors or report.errors_for(message_id)
        if errors:
            text = "; ".join(issue.describe() for issue in errors)
            bad_items.append(_failed(item_id, errors[0].code, text))
            bad_listings.append({"id": listing_id, **_refused(error_columns(text), errors[0])})
        else:
            notes = report.warnings_for(message_id), report.item_issues.get(sku, [])
            ok_items.append(_confirmed(item_id, sent, *notes))
            columns = {**confirmed_columns(sent or {}), "last_error": None, "confirmed_at": now}
            ok_listings.append({"id": listing_id, **columns})
    update_rows(session, JobItem, ok_items)
    update_rows(session, JobItem, bad_items)
    _release_listings(session, job.id, ok_listings, now)
    _release_listings(session, job.id, bad_listings, now)
    settle_failed_early(session, job.id, error_columns, now)
    _log_misplaced(session, job.id, misplaced, unmatched, now)
    job.items_ok += len(ok_items)
    job.items_failed += len(bad_items)
    job.items_to_verify += len(ok_items)
    _count_warned(session, job, ok_items, now)


@dataclass(frozen=True, slots=True)
class Answer:
    """Amazon's answer about one item sent through the Listings Items API."""

    item_id: int
    listing_id: int | None
    sku: str
    sent: dict[str, Any] | None
    #: ERROR issues (or a refusal of the call): the item failed.
    errors: tuple[Issue, ...] = ()
    #: WARNINGs of an accepted item (they do not fail it).
    warnings: tuple[Issue, ...] = ()


def apply_answer(
    session: Session,
    job: Job,
    answer: Answer,
    confirmed_columns: Columns,
    error_columns: ErrorColumns,
    now: datetime,
) -> bool:
    """Apply one Listings Items answer to its item and listing, as :func:`apply_report`
    does a feed's; the listing is released at once. False if the item was no longer
    pending (its answer was applied already, or the job let it go)."""
    done = cast(
        CursorResult[Any],
        session.execute(
            update(JobItem)
            .where(JobItem.id == answer.item_id, JobItem.outcome == "pending")
            .values(**_answer_values(answer)),
            execution_options=_NO_SYNC,
        ),
    ).rowcount
    if not done:
        return False
    if answer.errors:
        text = "; ".join(issue.describe() for issue in answer.errors)
        listing = {"id": answer.listing_id, **_refused(error_columns(text), answer.errors[0])}
        job.items_failed += 1
    else:
        columns = confirmed_columns(answer.sent or {})
        listing = {"id": answer.listing_id, **columns, "last_error": None, "confirmed_at": now}
        job.items_ok += 1
        job.items_to_verify += 1
        if answer.warnings:
            job.items_warned += 1
    _release_listings(session, job.id, [listing], now)
    return True


def _answer_values(answer: Answer) -> dict[str, Any]:
    if answer.errors:
        text = "; ".join(issue.describe() for issue in answer.errors)
        values = _failed(answer.item_id, answer.errors[0].code, text)
    else:
        values = _confirmed(answer.item_id, answer.sent, list(answer.warnings), [])
    return {k: v for k, v in values.items() if k != "id"}


def _count_warned(
    session: Session, job: Job, ok_items: list[dict[str, Any]], now: datetime
) -> None:
    warned = sum(1 for item in ok_items if set(item["confirmed"]) & {"warnings", "issues"})
    if warned:
        job.items_warned += warned
        append_log(
            session,
            job.id,
            now,
            f"{warned} item(s) accepted with warnings, or with issues Amazon found after "
            "accepting them (shown with each item; they do not fail it)",
            level="warning",
        )


def _refused(columns: dict[str, Any], issue: Issue) -> dict[str, Any]:
    """*columns* with the state Amazon's answer implies, where it implies one."""
    state = state_after_refusal(issue.code)
    return columns if state is None else {**columns, "state": state.value}


def settle_failed_early(
    session: Session, job_id: int, error_columns: ErrorColumns, now: datetime
) -> None:
    """Release listings of items that failed before sending, with their error."""
    rows = _FAILED_EARLY.rows(session, {"job_id": job_id})
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
    update_rows(session, Listing, values, where={"locked_by_job_id": job_id})
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


def _confirmed(
    item_id: int, sent: dict[str, Any] | None, warnings: list[Issue], issues: list[Issue]
) -> dict[str, Any]:
    """An accepted item: its values, its warnings and the issues Amazon found after
    accepting it; to verify against what Amazon will show."""
    confirmed = {k: v for k, v in (sent or {}).items() if k not in TRACE_KEYS}
    if warnings:
        confirmed["warnings"] = [w.describe() for w in warnings]
    if issues:
        confirmed["issues"] = [i.tagged() for i in issues]
    return {
        "id": item_id,
        "outcome": "ok",
        "error_code": None,
        "error_message": None,
        "confirmed": confirmed,
        "verification": Verification.PENDING.value,
    }


def _release_listings(
    session: Session, job_id: int, rows: list[dict[str, Any]], now: datetime
) -> None:
    rows = [
        {**row, "locked_by_job_id": None, "updated_at": now}
        for row in rows
        if row["id"] is not None
    ]
    update_rows(session, Listing, rows, where={"locked_by_job_id": job_id})


def _skus_by_message(session: Session, job_id: int) -> dict[int, str]:
    rows = _SKUS_BY_MESSAGE.rows(session, {"job_id": job_id})
    return {message_id: ref for message_id, ref in rows if message_id is not None}


def _matched_by_sku(
    report: ProcessingReport, skus: dict[int, str]
) -> tuple[ProcessingReport, list[int], list[int]]:
    """*report* with each issue under the message of its SKU where its messageId is
    unknown or names another SKU; also the message ids so moved, and those of issues
    that match no message of the feed (ignored)."""
    messages = {sku: message_id for message_id, sku in skus.items()}
    by_message: dict[int, list[Issue]] = defaultdict(list)
    misplaced: set[int] = set()
    unmatched: set[int] = set()
    for message_id, issues in report.by_message.items():
        for issue in issues:
            target = message_id
            if issue.sku is not None and skus.get(message_id) != issue.sku:
                target = messages.get(issue.sku, message_id)
            if target != message_id:
                misplaced.add(message_id)
            elif target not in skus:
                unmatched.add(message_id)
            by_message[target].append(issue)
    if not misplaced and not unmatched:
        return report, [], []
    return replace(report, by_message=dict(by_message)), sorted(misplaced), sorted(unmatched)


def _log_misplaced(
    session: Session, job_id: int, misplaced: list[int], unmatched: list[int], now: datetime
) -> None:
    parts = []
    if misplaced:
        parts.append(f"{_ids(misplaced)}, matched by SKU to the feed's messages")
    if unmatched:
        parts.append(f"{_ids(unmatched)}, which match no message of the feed: ignored")
    if parts:
        append_log(
            session,
            job_id,
            now,
            "The processing report names message id(s) that do not match this feed's messages: "
            + "; ".join(parts),
            level="warning",
        )


def _ids(message_ids: list[int]) -> str:
    shown = ", ".join(str(m) for m in message_ids[:10])
    more = len(message_ids) - 10
    return shown + (f" and {more} more" if more > 0 else "")
