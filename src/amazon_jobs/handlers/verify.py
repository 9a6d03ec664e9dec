"""Read-after-write verification: a Done listings job looks at what Amazon shows.

Amazon applies an accepted change later, and some never. Once a listings job
is Done, each item Amazon accepted is ``pending``; the scheduler
(:mod:`amazon_jobs.scheduler.verify`) makes the job due again, and the worker
then steps the Done job like any other: each step is part of a *pass* over
its pending items, on the schedule of
:func:`~amazon_jobs.domain.verification.next_check_at`. A pass

1. marks ``superseded`` the items whose listing a later job changed since;
2. marks ``verified`` those the account's inventory report shows with the
   sent value, when Amazon accepted that report's request after the job ended;
3. asks getListingsItem about the others, up to :data:`BATCH` a step, one
   token from the account's bucket (and the application's) right before each
   call, so Amazon's quota is never exceeded: without a token the job waits
   for it (``next_run_at``); a 429 anyway empties our bucket and waits for the
   refill.

An item Amazon shows as sent is ``verified``; one that differs at a look
``verify_after_s`` or more after the job ended is a ``mismatch`` (the
scheduler sends it again, once) or, when it was already a resend or Amazon
has no listing for an update, ``flagged``: on its listing (its error, and its
state as Amazon shows it) and in the job (the item and the log).

Every look is recorded with the next token's transaction, fenced by the
job's lease; a pass interrupted anywhere resumes with the items not looked at
since it began, and a lost answer is asked again. Verification is done when no
item is pending (``next_run_at`` cleared). Amazon refusing getListingsItem
(a 4xx) ends it with the items ``unverified``; other failures are retried
with growing delays up to ``max_attempts``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import CallRecord, Observer, SpApiClient
from amazon_jobs.domain.backoff import retry_delay
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.verification import (
    NO_LISTING,
    UPDATE_TYPES,
    Seen,
    Verification,
    deadline,
    differences,
    expected,
    flagged_columns,
    next_check_at,
)
from amazon_jobs.errors import AmazonClientError, AmazonJobsError, AmazonThrottled, LeaseLost
from amazon_jobs.feeds.processing_report import Issue
from amazon_jobs.handlers.inventory_report import report_requested_at
from amazon_jobs.handlers.steps import keep_turn, quota_turn
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import verification as store
from amazon_jobs.store.jobs import append_log, lock_job
from amazon_jobs.store.models import Account, Job, JobItem
from amazon_jobs.testing import checkpoint

__all__ = ["BATCH", "verify"]

logger = logging.getLogger(__name__)

#: Items looked at with getListingsItem per step (then the step ends and the job is
#: due again at once, so that a big job does not keep a worker to itself).
BATCH = 50
GET_ITEM = Operation.GET_LISTINGS_ITEM
PENDING = Verification.PENDING.value


@dataclass(frozen=True, slots=True)
class Look:
    """One answer of getListingsItem about one item."""

    item: store.ToCheck
    seen: Seen
    issues: tuple[Issue, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Plan:
    """What the looks of one job are measured against."""

    job_id: int
    job_type: JobType
    finished_at: datetime
    deadline: datetime
    #: The job whose mismatches this one sends again (None: a first attempt).
    resend_of: int | None

    @classmethod
    def of(cls, job: Job, verify_after_s: float) -> Plan:
        assert job.finished_at is not None
        resend_of = job.data.get("resend_of")
        return cls(
            job.id,
            JobType(job.type),
            job.finished_at,
            deadline(job.finished_at, verify_after_s),
            int(resend_of) if resend_of is not None else None,
        )


def verify(rt: Runtime, job_id: int) -> None:
    """One step of a Done listings job's verification (see the module's docstring)."""
    with rt.db.read() as session:
        row = session.execute(
            select(Job, Account).join(Account, Account.id == Job.account_id).where(Job.id == job_id)
        ).one()
    job, account = row.Job, row.Account
    if job.status != JobStatus.DONE:
        _stop(rt, job_id)
        return
    if job.items_to_verify <= 0:  # the last batch settled every item
        _end_pass(rt, Plan.of(job, rt.settings.verify_after_s))
        return
    try:
        _step(rt, job, account)
    except LeaseLost:
        raise
    except AmazonThrottled as exc:
        _throttled(rt, job_id, account.id, exc)
    except AmazonClientError as exc:
        _give_up(rt, job_id, f"Amazon refused getListingsItem: {exc.message}")
    except AmazonJobsError as exc:
        _retry_later(rt, job_id, exc.message)
    except Exception as exc:  # a step of a Done job must never be left due: retried later
        logger.exception("job %s: verification failed", job_id, extra={"action": "step_failed"})
        _retry_later(rt, job_id, f"internal error {type(exc).__name__}: {exc}")


def _step(rt: Runtime, job: Job, account: Account) -> None:
    plan = Plan.of(job, rt.settings.verify_after_s)
    since = _begin(rt, plan, account.id)
    with rt.db.read() as session:
        todo = store.due_items(session, job.id, since, BATCH)
    if not todo:
        _end_pass(rt, plan)
        return
    client = rt.amazon(account, _observer(rt, job.id, account.id))
    looks: list[Look] = []
    verdicts: Counter[Verification] = Counter()
    for item in todo:
        if not _take_token(rt, plan, account.id, looks, verdicts):
            return
        looks = [_look(client, account, item, rt.clock.now())]
        checkpoint("verify:looked")
    _record_batch(rt, plan, looks, verdicts)


def _begin(rt: Runtime, plan: Plan, account_id: int) -> datetime:
    """Start a pass, or go on with the one under way; returns when it began."""
    with rt.db.transaction() as session:
        job = lock_job(session, plan.job_id)
        now = rt.clock.now()
        started = job.data.get("verify_pass")
        if started is not None:
            return datetime.fromisoformat(started)
        superseded = store.supersede(session, job, now)
        by_report = _verify_from_report(session, plan, account_id, now)
        job.items_to_verify -= superseded + by_report
        job.data = {**job.data, "verify_pass": now.isoformat()}
        job.updated_at = now
        if superseded:
            append_log(
                session,
                job.id,
                now,
                f"{superseded} item(s) not verified: a later job changed their listing since",
            )
        return now


def _verify_from_report(session: Session, plan: Plan, account_id: int, now: datetime) -> int:
    """Items the account's inventory report shows as sent, when Amazon accepted the
    report's request after the job ended (an older report proves nothing)."""
    snapshot = store.snapshot_of(session, account_id)
    if snapshot is None:
        return 0
    snapshot_id, requested_at = snapshot.id, report_requested_at(snapshot)
    if requested_at <= plan.finished_at:
        return 0
    items = store.pending_unchecked(session, plan.job_id, requested_at)
    by_report = f"inventory report (job {snapshot_id})"
    seen = store.snapshot_seen(session, account_id, snapshot_id, [i.sku for i in items])
    rows = [
        _row(item.id, Verification.VERIFIED, requested_at, seen[item.sku], (), by_report)
        for item in items
        if item.sku in seen
        and not differences(plan.job_type, expected(plan.job_type, item.confirmed), seen[item.sku])
    ]
    store.save_checks(session, rows)
    if rows:
        append_log(
            session,
            plan.job_id,
            now,
            f"{len(rows)} item(s) verified: the inventory report of job {snapshot_id}, "
            f"requested at {requested_at:%H:%M:%S} UTC, shows the values sent",
        )
    return len(rows)


def _take_token(
    rt: Runtime, plan: Plan, account_id: int, looks: list[Look], verdicts: Counter[Verification]
) -> bool:
    """Record *looks* (adding their verdicts to the step's), then take a getListingsItem
    token; False (and the job waits for quota) when there is none."""
    with rt.db.transaction() as session:
        job = lock_job(session, plan.job_id)
        now = rt.clock.now()
        verdicts.update(_record(session, job, plan, looks, now))
        wait = rt.throttle.acquire(session, account_id, [GET_ITEM], now, quota_turn(job))
        if wait is None:
            if "quota_wait" in job.data or "quota_turn" in job.data:
                job.data = {
                    k: v for k, v in job.data.items() if k not in ("quota_wait", "quota_turn")
                }
            return True
        job.next_run_at = wait.ready_at
        keep_turn(job, wait.turn)
        if verdicts:
            append_log(session, job.id, now, _batch_line(verdicts))
        if job.data.get("quota_wait") != GET_ITEM.value:
            job.data = {**job.data, "quota_wait": GET_ITEM.value}
            append_log(
                session,
                job.id,
                now,
                f"Verification waits {(wait.ready_at - now).total_seconds():.0f} s for "
                f"{wait.operation.value} quota (until {wait.ready_at:%H:%M:%S} UTC)",
            )
        return False


def _look(client: SpApiClient, account: Account, item: store.ToCheck, now: datetime) -> Look:
    found = client.get_listings_item(account.seller_id, item.sku, account.marketplace_id)
    if found is None:
        return Look(item, Seen(missing=True), (), now)
    seen = Seen(asin=found.asin, quantity=found.quantity, price=found.price)
    return Look(item, seen, found.issues, now)


def _record_batch(
    rt: Runtime, plan: Plan, looks: list[Look], verdicts: Counter[Verification]
) -> None:
    """Record the batch's last looks and log what the batch found; the pass goes on at
    once (the next step ends it if no item is left)."""
    with rt.db.transaction() as session:
        job = lock_job(session, plan.job_id)
        now = rt.clock.now()
        verdicts.update(_record(session, job, plan, looks, now))
        append_log(session, job.id, now, _batch_line(verdicts))
        job.next_run_at = now


def _record(
    session: Session, job: Job, plan: Plan, looks: list[Look], now: datetime
) -> Counter[Verification]:
    """Each look's verdict on its item, its listing where flagged, and the job's counts."""
    verdicts: Counter[Verification] = Counter()
    if not looks:
        return verdicts
    rows = []
    for look in looks:
        state, row = _verdict(plan, look)
        verdicts[state] += 1
        rows.append(row)
    store.save_checks(session, rows)
    flagged = [
        look for look, row in zip(looks, rows, strict=True) if row["verification"] == "flagged"
    ]
    _flag(session, plan, flagged, now)
    done = sum(n for state, n in verdicts.items() if state is not Verification.PENDING)
    job.items_to_verify -= done
    job.items_flagged += verdicts[Verification.FLAGGED]
    job.attempts = 0
    job.updated_at = now
    return verdicts


def _verdict(plan: Plan, look: Look) -> tuple[Verification, dict[str, object]]:
    """What a look makes of its item, and the item's row."""
    wanted = expected(plan.job_type, look.item.confirmed)
    found = differences(plan.job_type, wanted, look.seen)
    if not found:
        state = Verification.VERIFIED
    elif look.at < plan.deadline:
        state = Verification.PENDING
    elif plan.resend_of is not None or (look.seen.missing and plan.job_type in UPDATE_TYPES):
        state = Verification.FLAGGED
    else:
        state = Verification.MISMATCH
    return state, _row(
        look.item.id, state, look.at, look.seen, look.issues, "getListingsItem", found
    )


def _row(
    item_id: int,
    state: Verification,
    at: datetime,
    seen: Seen,
    issues: tuple[Issue, ...],
    by: str,
    found: list[str] | None = None,
) -> dict[str, object]:
    detail: dict[str, object] = {"seen": seen.as_values(), "checked_by": by}
    if found:
        detail["differs"] = found
    if issues:
        detail["issues"] = [issue.tagged() for issue in issues]
    return {
        "id": item_id,
        "verification": state.value,
        "verify_checked_at": at,
        "verification_detail": detail,
    }


def _flag(session: Session, plan: Plan, looks: list[Look], now: datetime) -> None:
    """Put each flagged item's listing as Amazon shows it, with Amazon's issues as its
    error; say so in the job's log (and in the job it was resent from)."""
    if not looks:
        return
    priors: dict[int, dict[str, Any]] = dict(
        session.execute(
            select(JobItem.id, JobItem.prior).where(JobItem.id.in_([k.item.id for k in looks]))
        ).all()
    )
    lines = []
    for look in looks:
        text = _flag_text(plan, look)
        columns = flagged_columns(plan.job_type, priors.get(look.item.id) or {}, look.seen, text)
        store.flag_listing(session, look.item.listing_id, columns, now)
        lines.append(f"{look.item.sku}: {text}")
    message = f"Flagged {len(looks)} item(s) Amazon does not show as sent: " + "; ".join(lines[:20])
    append_log(session, plan.job_id, now, message, level="error")
    if plan.resend_of is not None and session.get(Job, plan.resend_of) is not None:
        line = f"Sent again in job {plan.job_id}, still not shown: {message}"
        append_log(session, plan.resend_of, now, line, level="error")


def _flag_text(plan: Plan, look: Look) -> str:
    """The listing's error: what Amazon shows, and Amazon's own issues about it."""
    issues = "; ".join(issue.describe() for issue in look.issues)
    if look.seen.missing:
        text = NO_LISTING
    else:
        found = ", ".join(
            differences(plan.job_type, expected(plan.job_type, look.item.confirmed), look.seen)
        )
        text = f"Amazon still shows {found} after the change was sent twice"
    return f"{text}. Amazon's issues: {issues}" if issues else text


def _batch_line(verdicts: Counter[Verification]) -> str:
    parts = ", ".join(f"{verdicts[s]} {_FOUND[s]}" for s in Verification if verdicts[s])
    return f"getListingsItem: looked at {sum(verdicts.values())} item(s): {parts}"


#: A look's verdicts, as a batch's log line says them.
_FOUND = {
    Verification.PENDING: "not shown yet",
    Verification.VERIFIED: "shown as sent",
    Verification.MISMATCH: "still different, to send again",
    Verification.FLAGGED: "flagged",
}


def _end_pass(rt: Runtime, plan: Plan) -> None:
    """Every item due was looked at: done, or the next look is scheduled."""
    with rt.db.transaction() as session:
        job = lock_job(session, plan.job_id)
        now = rt.clock.now()
        job.data = {k: v for k, v in job.data.items() if k != "verify_pass"}
        job.updated_at = now
        if job.items_to_verify <= 0:
            job.next_run_at = None
            append_log(session, job.id, now, _summary(store.count_states(session, job.id)))
            return
        job.next_run_at = next_check_at(plan.finished_at, rt.settings.verify_after_s, now)
        append_log(
            session,
            job.id,
            now,
            f"{job.items_to_verify} item(s) not shown by Amazon as sent yet: next look at "
            f"{job.next_run_at:%H:%M:%S} UTC",
        )


def _summary(states: dict[str, int]) -> str:
    parts = ", ".join(f"{n} {Verification(state).label}" for state, n in sorted(states.items()))
    return f"Verification finished: {parts}"


def _stop(rt: Runtime, job_id: int) -> None:
    with rt.db.transaction() as session:
        lock_job(session, job_id).next_run_at = None


def _throttled(rt: Runtime, job_id: int, account_id: int, exc: AmazonThrottled) -> None:
    """A 429 although our bucket allowed the call: empty it, wait for the refill."""
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        now = rt.clock.now()
        job.next_run_at = rt.throttle.throttled(session, account_id, GET_ITEM, now)
        append_log(
            session,
            job_id,
            now,
            f"Amazon throttled getListingsItem (429) although our bucket allowed it; "
            f"verification goes on at {job.next_run_at:%H:%M:%S} UTC",
            level="warning",
            request_id=exc.request_id,
        )


def _retry_later(rt: Runtime, job_id: int, reason: str) -> None:
    """A failed step: try again after a growing delay; give up after ``max_attempts``."""
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        now = rt.clock.now()
        job.attempts += 1
        if job.attempts >= rt.settings.max_attempts:
            _unverified(session, job, now, f"{reason} (gave up after {job.attempts} attempts)")
            return
        delay = retry_delay(job.attempts, rt.rng)
        job.next_run_at = now + timedelta(seconds=delay)
        append_log(
            session,
            job_id,
            now,
            f"Verification: {reason}; attempt {job.attempts} of {rt.settings.max_attempts} "
            f"failed, retrying in {delay:.0f} s",
            level="warning",
        )


def _give_up(rt: Runtime, job_id: int, reason: str) -> None:
    with rt.db.transaction() as session:
        _unverified(session, lock_job(session, job_id), rt.clock.now(), reason)


def _unverified(session: Session, job: Job, now: datetime, reason: str) -> None:
    """End the verification: the items still pending stay unverified."""
    rows = session.scalars(
        select(JobItem.id).where(JobItem.job_id == job.id, JobItem.verification == PENDING)
    ).all()
    store.save_checks(
        session,
        [
            {
                "id": i,
                "verification": Verification.UNVERIFIED.value,
                "verification_detail": {"reason": reason},
            }
            for i in rows
        ],
    )
    job.items_to_verify = 0
    job.next_run_at = None
    job.attempts = 0
    job.data = {
        k: v for k, v in job.data.items() if k not in ("verify_pass", "quota_wait", "quota_turn")
    }
    job.updated_at = now
    append_log(
        session,
        job.id,
        now,
        f"Verification stopped, {len(rows)} item(s) not verified: {reason}",
        level="error",
    )


def _observer(rt: Runtime, job_id: int, account_id: int) -> Observer:
    """Logs a failed call (each look's outcome goes in its batch's line instead) and
    adopts a rate Amazon announces."""

    def observe(record: CallRecord) -> None:
        status = record.status
        failed = status is None or status == 429 or (status >= 400 and status != 404)
        announced = record.rate_limit is not None and not rt.throttle.knows(
            account_id, GET_ITEM, record.rate_limit
        )
        if not (failed or announced):
            return
        now = rt.clock.now()
        with rt.db.transaction() as session:
            if failed:
                outcome = record.error or f"HTTP {status}"
                message = f"{record.operation} {record.method} {record.path}: {outcome}"
                append_log(
                    session, job_id, now, message, level="warning", request_id=record.request_id
                )
            if announced:
                rt.throttle.announce_rate(session, account_id, GET_ITEM, record.rate_limit, now)

    return observe
