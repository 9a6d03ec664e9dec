"""A listings job sent through the Listings Items API, one SKU per call.

    created ──token──► processing: one call per item ──► waiting_for_result ──► done

The same job, items and results as a feed's (:mod:`amazon_jobs.handlers.feed_job`);
only the way to Amazon differs. ``processing`` is "calls in progress": the
items' values are read once (``phase`` ``built``, as for a feed), then each
item is sent by patchListingsItem (putListingsItem for Sending Products'
offers, deleteListingsItem for Stop & Remove), and Amazon's answer, ACCEPTED
or INVALID with its issues, is applied to that item and its listing at once
(:func:`~amazon_jobs.handlers.feed_result.apply_answer`): the listing is free
for the next change seconds after it was sent. Once every item is answered
the job is ``waiting_for_result``: Amazon has accepted what it accepted, and
what remains is to see it live, which the Done job's read-after-write
verification does (:mod:`amazon_jobs.handlers.verify`).

Never sent twice. Each call takes its token and records its *intent* (the
operation, the time and the item, ``data["calling"]``) in one transaction
before it goes, and the answer clears it in the transaction that applies it,
which is the next call's (its token, its intent): one transaction per call.
A step that finds an intent open (the process died, or the call timed out or
got a 5xx) waits until the call cannot arrive any more
(:func:`~amazon_jobs.handlers.intents.may_reconcile`), then asks
getListingsItem: if Amazon shows the item's values (or, for a delete, no
listing), the earlier call got through and its item is confirmed; otherwise it
is sent again. A 429 is an answer (nothing was done): the intent is closed and
the runner empties the bucket.

Cancel. A cancel asked while the calls run is seen before the next item: the
items already answered keep Amazon's answer, the others (and their listings)
go back exactly as they were, and the job is canceled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.amazon.listings_api import ItemSubmission
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.verification import Seen, expected, shows
from amazon_jobs.errors import AmazonClientError, AmazonError, AmazonThrottled, LeaseLost
from amazon_jobs.feeds.processing_report import Issue
from amazon_jobs.handlers.feed_result import (
    Answer,
    apply_answer,
    rollback_items,
    settle_failed_early,
)
from amazon_jobs.handlers.intents import answered, close_intent, may_reconcile
from amazon_jobs.handlers.steps import quota_turn, record, snooze_for_quota
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.bulk import json_text, loads_many
from amazon_jobs.store.jobs import append_log, lock_job, move
from amazon_jobs.store.models import Account, Job, JobItem
from amazon_jobs.testing import checkpoint

if TYPE_CHECKING:
    from amazon_jobs.handlers.feed_job import ListingsFeedJob

__all__ = ["API_BATCH", "API_OPERATIONS", "call_items", "finish_calls", "request_body"]

#: Calls per step; the job is then due again at once, so one big job does not keep
#: a worker to itself (and a cancel is seen between batches as between calls).
API_BATCH = 100
#: The operations that send an item; an intent for one of them names ``data["calling"]``.
API_OPERATIONS = frozenset(
    {
        Operation.PUT_LISTINGS_ITEM.value,
        Operation.PATCH_LISTINGS_ITEM.value,
        Operation.DELETE_LISTINGS_ITEM.value,
    }
)
UNSENT = "not sent: the listing was deleted before the job read its values"
_HEADER_KEYS = frozenset({"messageId", "sku", "operationType"})


@dataclass(frozen=True, slots=True)
class ToCall:
    """An item still to send: its row, SKU, listing and values."""

    id: int
    sku: str
    listing_id: int | None
    message_id: int
    sent: dict[str, Any] | None


def request_body(message: dict[str, Any]) -> dict[str, Any]:
    """The Listings Items request body of a feed message: the same ``productType``,
    ``patches`` or ``requirements`` and ``attributes``, without the feed's header
    fields (the SKU is in the path, the operation in the method)."""
    return {k: v for k, v in message.items() if k not in _HEADER_KEYS}


def call_items(handler: ListingsFeedJob, rt: Runtime, job: Job, account: Account) -> None:
    """One step of ``processing`` on the API channel (see the module docstring)."""
    job_id = job.id
    if job.data.get("phase") is None:
        if not handler.build(rt, job_id, account):
            handler.nothing_to_send(rt, job_id)
            return
        checkpoint("api:built")
    client = handler.client(rt, job_id, account)
    operation = handler.api_operation()
    if job.intent_op in API_OPERATIONS and not _recovered(handler, rt, job, account, client):
        return
    items = _next_items(rt, job_id, API_BATCH)  # this step alone sends the job's items
    if not items:
        _all_answered(handler, rt, job_id)
        return
    answered: Answer | None = None  # applied with the next call's token
    for item in items:
        if not _take(handler, rt, job_id, operation, item, answered):
            return
        answered = None
        checkpoint("api:intent")
        answered = _send(handler, rt, job_id, client, account, operation, item)
        checkpoint("api:answered")
    if answered is not None:
        _apply(handler, rt, job_id, answered)
    if len(items) < API_BATCH:
        _all_answered(handler, rt, job_id)
        return
    with rt.db.transaction() as session:  # a batch is done: the rest in the next step
        lock_job(session, job_id).next_run_at = rt.clock.now()


def finish_calls(rt: Runtime, job_id: int) -> None:
    """waiting_for_result -> done: every answer is applied; verification follows."""
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if job.status != JobStatus.WAITING_FOR_RESULT:
            return
        summary = f"{job.items_ok} item(s) accepted, {job.items_failed} with an Amazon error"
        move(session, job, JobStatus.DONE, rt.clock.now(), summary)


def cancel_calls(session: Session, job: Job, now: datetime) -> None:
    """Stop a job whose calls are running: what was answered stays, the rest goes back."""
    restored = rollback_items(session, job.id)
    reason = (
        f"canceled by the user while calling the Listings Items API: {job.items_ok} item(s) "
        f"accepted and {job.items_failed} refused before the cancel keep Amazon's answer; "
        f"{restored} item(s) not sent are back exactly as they were"
    )
    move(session, job, JobStatus.CANCELED, now, reason)


# One call


def _next_items(rt: Runtime, job_id: int, limit: int) -> list[ToCall]:
    with rt.db.read() as session:
        rows = session.execute(
            select(
                JobItem.id,
                JobItem.ref,
                JobItem.listing_id,
                JobItem.message_id,
                json_text(JobItem.sent),
            )
            .where(
                JobItem.job_id == job_id,
                JobItem.outcome == "pending",
                JobItem.message_id.is_not(None),
            )
            .order_by(JobItem.message_id)
            .limit(limit)
        ).all()
    sent = loads_many([row[4] for row in rows])
    return [
        ToCall(row[0], row[1], row[2], row[3] or 0, values)
        for row, values in zip(rows, sent, strict=True)
    ]


def _take(
    handler: ListingsFeedJob,
    rt: Runtime,
    job_id: int,
    operation: Operation,
    item: ToCall,
    answered: Answer | None,
) -> bool:
    """Take the call's token and record its intent, in one transaction; False when the
    job must not call now (quota, a cancel, another step's call, another status).

    *answered*, the previous call's answer, is applied first in the same transaction:
    one transaction per call instead of two. Should the lease have passed to another
    worker meanwhile, the answer is still recorded (it is a fact) before giving up.
    """
    try:
        return _take_in(handler, rt, job_id, operation, item, answered)
    except LeaseLost:
        if answered is not None:
            _apply(handler, rt, job_id, answered)
        raise


def _take_in(
    handler: ListingsFeedJob,
    rt: Runtime,
    job_id: int,
    operation: Operation,
    item: ToCall,
    answered: Answer | None,
) -> bool:
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        now = rt.clock.now()
        if answered is not None:
            _record_answer(handler, session, job, answered, now)
        if job.status != JobStatus.PROCESSING or job.intent_op is not None:
            job.next_run_at = now
            return False
        if job.cancel_requested_at is not None:
            cancel_calls(session, job, now)
            return False
        wait = rt.throttle.acquire(session, job.account_id, [operation], now, quota_turn(job))
        if wait is not None:
            snooze_for_quota(session, job, wait.ready_at, now, wait.operation.value, wait.turn)
            return False
        job.intent_op, job.intent_at = operation.value, now
        record(job, now, quota_wait=None, quota_turn=None, calling=item.id)
        return True


def _send(
    handler: ListingsFeedJob,
    rt: Runtime,
    job_id: int,
    client: SpApiClient,
    account: Account,
    operation: Operation,
    item: ToCall,
) -> Answer:
    """The call; Amazon's answer, or a refusal of the request as the item's error.
    A 429 closes the intent (Amazon did nothing) and goes to the runner; other
    failures leave it open for :func:`_recovered`."""
    body = None
    if operation is not Operation.DELETE_LISTINGS_ITEM:
        message = handler.message(item.message_id, item.sku, item.sent or {}, account)
        body = request_body(message)
    try:
        submission = client.submit_listings_item(
            operation, account.seller_id, item.sku, account.marketplace_id, body
        )
    except AmazonThrottled:
        with rt.db.transaction() as session:
            _close(lock_job(session, job_id, fenced=False))
        raise
    except AmazonClientError as refused:
        if refused.status == 404 and operation is Operation.DELETE_LISTINGS_ITEM:
            return _answer(item, ())  # nothing to delete: the listing is gone, as asked
        issue = Issue("ERROR", refused.message, code=refused.code or str(refused.status))
        return Answer(item.id, item.listing_id, item.sku, item.sent, errors=(issue,))
    except AmazonError as error:
        answered(rt, job_id, error)
        raise
    return _answer(item, submission.issues, submission)


def _answer(item: ToCall, issues: tuple[Issue, ...], sub: ItemSubmission | None = None) -> Answer:
    errors = tuple(i for i in issues if i.is_error)
    if sub is not None and not sub.accepted and not errors:
        status = sub.status or "no status"
        errors = (Issue("ERROR", f"Amazon answered {status} without an issue"),)
    warnings = tuple(i for i in issues if not i.is_error)
    return Answer(item.id, item.listing_id, item.sku, item.sent, errors, warnings)


def _apply(handler: ListingsFeedJob, rt: Runtime, job_id: int, answer: Answer) -> None:
    """Amazon's answer, applied to the item and its listing with the intent closed (even
    if the lease passed to another worker meanwhile: the answer is a fact)."""
    now = rt.clock.now()
    with rt.db.transaction() as session:
        _record_answer(handler, session, lock_job(session, job_id, fenced=False), answer, now)


def _record_answer(
    handler: ListingsFeedJob, session: Session, job: Job, answer: Answer, now: datetime
) -> None:
    """Close the call's intent and apply its answer to the item and its listing."""
    _close(job)
    apply_answer(session, job, answer, handler.confirmed_columns, handler.error_columns, now)
    job.updated_at = now
    if answer.errors:
        text = "; ".join(issue.describe() for issue in answer.errors)
        append_log(session, job.id, now, f"{answer.sku}: Amazon refused it ({text})", level="error")


def _fail_unsent(session: Session, job_id: int) -> int:
    """Fail the items whose listing was deleted before the values were read (never
    numbered, so never sent); returns how many."""
    failed = session.execute(
        update(JobItem)
        .where(
            JobItem.job_id == job_id,
            JobItem.outcome == "pending",
            JobItem.message_id.is_(None),
        )
        .values(outcome="error", error_message=UNSENT),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(failed, "rowcount", 0) or 0)


def _close(job: Job) -> None:
    close_intent(job)
    job.data = {k: v for k, v in job.data.items() if k != "calling"}


def _all_answered(handler: ListingsFeedJob, rt: Runtime, job_id: int) -> None:
    """processing -> waiting_for_result; the listings of items that failed before
    sending (no ASIN found) are released with their error, as a feed's result does."""
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if job.status != JobStatus.PROCESSING:
            return
        settle_failed_early(session, job_id, handler.error_columns, rt.clock.now())
        job.items_failed += _fail_unsent(session, job_id)
        move(
            session,
            job,
            JobStatus.WAITING_FOR_RESULT,
            rt.clock.now(),
            f"every item answered by the Listings Items API ({job.items_ok} accepted, "
            f"{job.items_failed} refused); verification pending",
        )


# An interrupted call


def _recovered(
    handler: ListingsFeedJob, rt: Runtime, job: Job, account: Account, client: SpApiClient
) -> bool:
    """Settle the call of an earlier attempt: True once settled (confirmed from what
    Amazon shows, or to be sent again), False while the step cannot go on."""
    operation = job.intent_op or ""
    if not may_reconcile(rt, job.id, operation):
        return False
    item = _calling(rt, job)
    if item is None:
        with rt.db.transaction() as session:
            _close(lock_job(session, job.id))
        return True
    if not handler.spend(rt, job.id, [Operation.GET_LISTINGS_ITEM]):
        return False
    found = client.get_listings_item(account.seller_id, item.sku, account.marketplace_id)
    seen = (
        Seen(missing=True)
        if found is None
        else Seen(asin=found.asin, quantity=found.quantity, price=found.price)
    )
    job_type = JobType(job.type)
    wanted = expected(job_type, item.sent or {})
    arrived = _arrived(job_type, operation, wanted, seen)
    now = rt.clock.now()
    with rt.db.transaction() as session:  # the answer, if it came, and the intent closed
        current = lock_job(session, job.id)
        if arrived:
            _record_answer(handler, session, current, _answer(item, ()), now)
        _close(current)
        text = (
            f"{operation} of {item.sku} by an earlier attempt did reach Amazon (it shows the "
            "values sent): confirmed without sending it again"
            if arrived
            else f"{operation} of {item.sku} by an earlier attempt did not reach Amazon "
            f"(it shows {seen.as_values() or 'nothing'}): sending it now"
        )
        append_log(session, job.id, now, text, level="warning" if arrived else "info")
    return True


def _calling(rt: Runtime, job: Job) -> ToCall | None:
    """The item of the open intent, if it is still pending."""
    item_id = job.data.get("calling")
    if item_id is None:
        return None
    with rt.db.read() as session:
        row = session.execute(
            select(
                JobItem.id, JobItem.ref, JobItem.listing_id, JobItem.message_id, JobItem.sent
            ).where(JobItem.id == int(item_id), JobItem.outcome == "pending")
        ).one_or_none()
    if row is None:
        return None
    return ToCall(row.id, row.ref, row.listing_id, row.message_id or 0, row.sent)


def _arrived(job_type: JobType, operation: str, wanted: dict[str, Any], seen: Seen) -> bool:
    """Whether Amazon shows the effect of the item's call."""
    if operation == Operation.DELETE_LISTINGS_ITEM.value:
        return seen.missing
    if seen.missing:
        return False
    return shows(job_type, wanted, seen)
