"""Never sent twice: an intent recorded before each call that creates work at Amazon.

Before createFeed or createReport the job records its *intent* (operation and
time), and clears it in the same transaction that stores Amazon's answer. If
the process dies, or the answer is lost (timeout, 5xx), between the two, the
intent is still there when the job is picked up again, and the step first asks
Amazon (getFeeds / getReports) whether the work was created after all. Per
account only one job at a time may hold an intent for an operation, so a feed
or report created in that window belongs to that job without doubt (as long
as no other application submits the same type for the seller at that moment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import ACTIVE_STATUSES
from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Account, Job

__all__ = ["Created", "adoptable", "claim_intent", "close_intent"]

#: Clock skew allowed between our intent and Amazon's createdTime.
SKEW = timedelta(seconds=60)
#: How long another job's intent makes this one wait before trying again.
RETRY_AFTER = timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class Created:
    """Something Amazon created (a feed or report): its id and when."""

    ref: str
    created_at: datetime | None


def claim_intent(session: Session, job: Job, operation: str, now: datetime) -> bool:
    """Record, in the caller's transaction, that *operation* is about to be called.

    False if another job of the account holds an intent for it: the job is
    then rescheduled shortly.
    """
    session.get(Account, job.account_id, with_for_update=True)
    busy = session.scalar(
        select(
            exists().where(
                Job.account_id == job.account_id,
                Job.intent_op == operation,
                Job.id != job.id,
                Job.status.in_([s.value for s in ACTIVE_STATUSES]),
            )
        )
    )
    if busy:
        job.next_run_at = now + RETRY_AFTER
        return False
    job.intent_op, job.intent_at = operation, now
    return True


def close_intent(job: Job) -> None:
    job.intent_op = job.intent_at = None


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
