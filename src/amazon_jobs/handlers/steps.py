"""What every handler's steps share: loading, quota, recorded progress, the common moves.

A step never holds a transaction while it talks to Amazon: it reads, calls,
then records what happened in a short transaction. Progress inside a status
is kept in ``job.data`` so a step interrupted anywhere resumes where the
last record left it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import JobNotFound
from amazon_jobs.handlers.base import call_logger
from amazon_jobs.handlers.intents import claim_intent, close_intent, in_flight, retry_after
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import append_log, lock_job, move, step_snapshot, taken_over
from amazon_jobs.store.models import Account, Job

__all__ = ["Gate", "StepHandler", "keep_turn", "quota_turn", "record", "snooze_for_quota"]

#: Holds a job back (True) inside :meth:`StepHandler.start`'s transaction; records why.
Gate = Callable[[Runtime, Session, Job, datetime], bool]


class StepHandler:
    """What handlers share; each writes ``step`` and, where it holds items, the hooks
    :meth:`rollback` (undo everything, on cancel) and :meth:`release` (let go, on failure).
    """

    def rollback(self, session: Session, job: Job) -> None:
        """Put every item the job holds back exactly as it was (cancel)."""

    def release(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        """Let go of the job's items after a failure, marking what did not happen."""

    def cancel(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        self.rollback(session, job)
        move(session, job, JobStatus.CANCELED, now, reason)

    def fail(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        """End the job in error; before anything was sent, cancel it instead."""
        if job.status in (JobStatus.RESERVED, JobStatus.CREATED):
            self.cancel(session, job, now, f"nothing was sent to Amazon: {reason}")
            return
        self.release(session, job, now, reason)
        job.error = reason
        move(session, job, JobStatus.ERROR, now, reason, level="error")

    def load(self, rt: Runtime, job_id: int) -> tuple[Job, Account]:
        """The job and its account, to read only (see :mod:`amazon_jobs.store.snapshots`):
        as the worker read them when it claimed the job, the first time in a step
        (:func:`~amazon_jobs.store.jobs.handing_over`), else read now."""
        snapshot = taken_over(job_id)
        if snapshot is None:
            with rt.db.read() as session:
                snapshot = step_snapshot(session, job_id)
        if snapshot is None:
            raise JobNotFound(job_id)
        return snapshot

    def client(self, rt: Runtime, job_id: int, account: Account) -> SpApiClient:
        return rt.amazon(account, call_logger(rt, job_id, account.id))

    def spend(
        self,
        rt: Runtime,
        job_id: int,
        operations: Sequence[Operation],
        intent: str | None = None,
    ) -> datetime | None:
        """Take a token for each operation, right before the call; None while quota is short.

        Returns the time the tokens were taken (see :meth:`Throttle.settle`).

        Tokens are taken at the moment of the call, not earlier, so our copy of
        each bucket drains when Amazon's does: taken early, it would refill early
        and let a later call out before Amazon's bucket has a token for it. The
        time is read once the job's row is locked (on SQLite, once this process
        is the writer), and with *intent* the intent is recorded in the same
        transaction (see :mod:`amazon_jobs.handlers.intents`).
        """
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            return self.spend_locked(rt, session, job, operations, intent)

    def spend_locked(
        self,
        rt: Runtime,
        session: Session,
        job: Job,
        operations: Sequence[Operation],
        intent: str | None = None,
    ) -> datetime | None:
        """:meth:`spend` on a job already locked in *session*: the caller records what
        it has to (the previous call's answer, say) in the same transaction."""
        now = rt.clock.now()
        if intent is not None and not claim_intent(
            session, job, intent, now, in_flight_for=in_flight(rt), retry=retry_after(rt)
        ):
            return None
        wait = rt.throttle.acquire(session, job.account_id, operations, now, quota_turn(job))
        if wait is not None:
            close_intent(job)
            snooze_for_quota(session, job, wait.ready_at, now, wait.operation.value, wait.turn)
            return None
        if _WAITED.intersection(job.data):  # it waited for quota: not any more
            record(job, now, quota_wait=None, quota_turn=None)
        return now

    def assemble(self, rt: Runtime, job_id: int, message: str) -> None:
        """reserved -> created."""
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status == JobStatus.RESERVED:
                move(session, job, JobStatus.CREATED, rt.clock.now(), message)

    def start(
        self,
        rt: Runtime,
        job_id: int,
        operations: Sequence[Operation],
        message: str,
        *,
        blocked: Gate | None = None,
    ) -> bool:
        """created -> processing once every one of *operations* has a token to spend
        (and *blocked*, if given, does not hold the job back).

        The job waits for quota here, in ``created``, where it can still be
        canceled; the tokens themselves are taken by :meth:`spend` right before
        each call.
        """
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            return self.start_locked(rt, session, job, operations, message, blocked=blocked)

    def start_locked(
        self,
        rt: Runtime,
        session: Session,
        job: Job,
        operations: Sequence[Operation],
        message: str,
        *,
        blocked: Gate | None = None,
    ) -> bool:
        """:meth:`start` on a job already locked in *session* (by the caller, which has
        more to do in the same transaction)."""
        now = rt.clock.now()
        if job.status != JobStatus.CREATED:
            return False
        if blocked is not None and blocked(rt, session, job, now):
            return False
        wait = rt.throttle.next_wait(session, job.account_id, operations, now)
        if wait.ready_at > now:
            snooze_for_quota(session, job, wait.ready_at, now, wait.operation.value)
            return False
        record(job, now, quota_wait=None)
        move(session, job, JobStatus.PROCESSING, now, message)
        return True


#: What :func:`snooze_for_quota` keeps in a job's data while it waits for quota.
_WAITED = frozenset({"quota_wait", "quota_turn"})


def record(job: Job, now: datetime, **values: Any) -> None:
    """Merge *values* into the job's data (None removes a key)."""
    data = {**job.data, **values}
    job.data = {k: v for k, v in data.items() if v is not None}
    job.updated_at = now


def snooze_for_quota(
    session: Session,
    job: Job,
    ready_at: datetime,
    now: datetime,
    operation: str,
    turn: datetime | None = None,
) -> None:
    """Wait for quota until *ready_at*, logging it once per operation waited for.

    Each wait raises the job's priority by one, so a job that keeps losing the
    token to higher-priority work is eventually served first. *turn*, the job's
    turn in an application's line (:meth:`~amazon_jobs.throttle.Throttle.acquire`),
    is kept with it for its next try.
    """
    job.next_run_at = ready_at
    job.priority += 1
    keep_turn(job, turn)
    if job.data.get("quota_wait") != operation:
        wait_s = (ready_at - now).total_seconds()
        append_log(
            session,
            job.id,
            now,
            f"Waiting {wait_s:.0f} s for {operation} quota (until {ready_at:%H:%M:%S} UTC)",
        )
        job.data = {**job.data, "quota_wait": operation}


def quota_turn(job: Job) -> datetime | None:
    """The job's turn in an application's line, from its last wait for quota."""
    turn = job.data.get("quota_turn")
    return datetime.fromisoformat(turn) if turn else None


def keep_turn(job: Job, turn: datetime | None) -> None:
    """Keep *turn* (None: none) in the job's data for its next try."""
    value = turn.isoformat() if turn is not None else None
    if job.data.get("quota_turn") != value:
        data = {k: v for k, v in job.data.items() if k != "quota_turn"}
        job.data = data if value is None else {**data, "quota_turn": value}
