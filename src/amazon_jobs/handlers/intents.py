"""Never sent twice: an intent recorded before each call that creates work at Amazon.

Before createFeed or createReport the job records its *intent* (operation and
time), and clears it in the same transaction that stores Amazon's answer. If
the process dies, or the answer is lost (timeout, 5xx), between the two, the
intent is still there when the job is picked up again, and the step first asks
Amazon (getFeeds / getReports) whether the work was created after all. Per
account only one job at a time may hold an intent for an operation, so a feed
or report created in that window belongs to that job without doubt (as long
as no other application submits the same type for the seller at that moment).

An open intent whose call may still be on its way is left alone. A worker can
lose its lease while it is still alive (a heartbeat late on a busy machine)
and go on with its step while another worker takes the job over; if the
newcomer looked at getFeeds while the first one's createFeed was still in
flight, it would find nothing and send the feed a second time. So an intent
is reconciled only once its call cannot arrive any more: two HTTP timeouts
(LWA, then the call) and a margin after it was recorded, unless Amazon has
already answered it (a 5xx or a 429, so the call is over); and no second
intent is recorded on a job that holds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobStatus
from amazon_jobs.errors import AmazonError
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import append_log, lock_job
from amazon_jobs.store.models import Account, Job
from amazon_jobs.store.prepared import Prepared, constants

__all__ = [
    "Created",
    "adoptable",
    "answered",
    "claim_intent",
    "close_intent",
    "in_flight",
    "may_reconcile",
    "retry_after",
]

#: Clock skew allowed between our intent and Amazon's createdTime.
SKEW = timedelta(seconds=60)
#: How long another job's intent makes this one wait before trying again (at least
#: :data:`RETRY_AFTER_REAL_S` real seconds, so a fast clock does not spin).
RETRY_AFTER = timedelta(seconds=2)
RETRY_AFTER_REAL_S = 0.5
#: Real seconds, beyond two HTTP timeouts, that a call may still take to arrive.
IN_FLIGHT_MARGIN_S = 5.0
#: ``job.data`` key: Amazon answered the intent's call (5xx, 429), so it is over.
ANSWERED = "intent_answered"


@dataclass(frozen=True, slots=True)
class Created:
    """Something Amazon created (a feed or report): its id and when."""

    ref: str
    created_at: datetime | None


def in_flight(rt: Runtime) -> timedelta:
    """How long after its intent a call may still reach Amazon, in clock time (never
    less than the same number of clock seconds, so a virtual clock keeps it too)."""
    real = 2 * rt.settings.http_timeout_s + IN_FLIGHT_MARGIN_S
    return timedelta(seconds=max(real, rt.clock.from_real(real)))


def retry_after(rt: Runtime) -> timedelta:
    """How long a job waits while another job of its account holds the intent."""
    return max(RETRY_AFTER, timedelta(seconds=rt.clock.from_real(RETRY_AFTER_REAL_S)))


#: :func:`claim_intent`'s lock on the account's row, built once.
_LOCK_ACCOUNT = Prepared(
    select(Account.id)
    .where(Account.id == bindparam("account_id", type_=Account.id.type))
    .with_for_update(key_share=True)
)
#: Whether another active job of the account holds an intent for the operation.
_BUSY = Prepared(
    select(
        exists().where(
            Job.account_id == bindparam("account_id", type_=Job.account_id.type),
            Job.intent_op == bindparam("operation", type_=Job.intent_op.type),
            Job.id != bindparam("job_id", type_=Job.id.type),
            Job.status.in_(constants(sorted(s.value for s in ACTIVE_STATUSES), Job.status.type)),
        )
    )
)


def claim_intent(
    session: Session,
    job: Job,
    operation: str,
    now: datetime,
    *,
    in_flight_for: timedelta,
    retry: timedelta = RETRY_AFTER,
) -> bool:
    """Record, in the caller's transaction, that *operation* is about to be called.

    False if the job already holds an intent (another step of it is calling:
    wait until that call cannot arrive any more), or if another job of the
    account holds one for the operation (try again shortly).
    """
    if job.status != JobStatus.PROCESSING:  # another step moved it on: start again from there
        job.next_run_at = now
        return False
    if job.intent_op is not None:
        until = (job.intent_at or now) + in_flight_for
        job.next_run_at = max(now + retry, until)
        return False
    # FOR NO KEY UPDATE: serialises the account's intents, yet never waits for (nor
    # deadlocks with) a transaction that only references the account, such as one
    # inserting a job of it (whose foreign key check takes FOR KEY SHARE).
    _LOCK_ACCOUNT.rows(session, {"account_id": job.account_id})
    busy = _BUSY.scalar(
        session, {"account_id": job.account_id, "operation": operation, "job_id": job.id}
    )
    if busy:
        job.next_run_at = now + retry
        return False
    job.intent_op, job.intent_at = operation, now
    return True


def close_intent(job: Job) -> None:
    job.intent_op = job.intent_at = None
    if ANSWERED in job.data:
        job.data = {k: v for k, v in job.data.items() if k != ANSWERED}


def answered(rt: Runtime, job_id: int, error: AmazonError) -> None:
    """Note that Amazon answered the intent's call (so it cannot arrive later), when
    *error* carries an HTTP status; a timeout or a broken connection does not."""
    if error.status is None:
        return
    with rt.db.transaction() as session:
        job = lock_job(session, job_id, fenced=False)
        if job.intent_op is not None:
            job.data = {**job.data, ANSWERED: True}


def may_reconcile(rt: Runtime, job_id: int, operation: str) -> bool:
    """Whether the job's open intent for *operation* can be looked for at Amazon now.

    Not while its call may still be on its way (:func:`in_flight`): the job then
    waits until it cannot be, and says so once. Not when the intent has been
    closed meanwhile by another step: the job then runs again at once.
    """
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if job.intent_op != operation or job.intent_at is None:
            job.next_run_at = now
            return False
        until = job.intent_at + in_flight(rt)
        if job.data.get(ANSWERED) or until <= now:
            return True
        job.next_run_at = until
        append_log(
            session,
            job_id,
            now,
            f"{operation} of an earlier attempt may still be on its way to Amazon; "
            f"looking for it at {until:%H:%M:%S} UTC, once it cannot arrive any more",
        )
        return False


def adoptable(
    session: Session,
    job: Job,
    found: Sequence[Created],
    now: datetime,
) -> Created | None:
    """What Amazon created in the intent's window that no job of the account owns yet."""
    assert job.intent_at is not None
    owned = set(
        session.scalars(
            select(Job.amazon_ref).where(
                Job.account_id == job.account_id, Job.amazon_ref.is_not(None)
            )
        )
    )
    since = job.intent_at - SKEW
    candidates = [
        c for c in found if c.ref not in owned and (c.created_at is None or c.created_at >= since)
    ]
    candidates.sort(key=lambda c: c.created_at or now)
    if candidates:
        append_log(
            session,
            job.id,
            now,
            f"{job.intent_op} of an earlier attempt did reach Amazon: adopting {candidates[0].ref} "
            "instead of sending again",
            level="warning",
        )
        return candidates[0]
    append_log(
        session,
        job.id,
        now,
        f"{job.intent_op} of an earlier attempt did not reach Amazon: sending it now",
    )
    return None
