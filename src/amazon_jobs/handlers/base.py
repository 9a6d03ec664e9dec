"""What every job handler offers the worker, the CLI and the web app."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Protocol

from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import CallRecord, Observer
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import log_buffer
from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Job

__all__ = ["Handler", "call_logger"]


class Handler(Protocol):
    """One job type: its steps, its cancel and its failure."""

    job_type: ClassVar[JobType]

    def step(self, rt: Runtime, job_id: int) -> None:
        """Advance the job by one step; every change it makes is committed."""
        ...

    def cancel(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        """Roll every item back to its exact prior state and mark the job canceled."""
        ...

    def fail(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        """End the job in error (or canceled, if nothing was sent); release its items."""
        ...


def call_logger(rt: Runtime, job_id: int, account_id: int) -> Observer:
    """An observer that logs each Amazon call to the job and adopts announced rates."""

    def observe(record: CallRecord) -> None:
        now = rt.clock.now()
        message, level = _describe(record), _level(record)
        announced = (
            record.rate_limit is not None
            and record.operation in _OPERATIONS
            and not rt.throttle.knows(account_id, Operation(record.operation), record.rate_limit)
        )
        deferred = log_buffer.defer(job_id, now, message, level=level, request_id=record.request_id)
        if deferred and not announced:
            return
        with rt.db.transaction() as session:
            if not deferred:
                append_log(session, job_id, now, message, level=level, request_id=record.request_id)
            if announced:
                rt.throttle.announce_rate(
                    session, account_id, Operation(record.operation), record.rate_limit, now
                )

    return observe


_OPERATIONS = frozenset(op.value for op in Operation)


def _describe(record: CallRecord) -> str:
    outcome = record.error or f"HTTP {record.status}"
    retry = f" (attempt {record.attempt})" if record.attempt > 1 else ""
    return f"{record.operation} {record.method} {record.path}: {outcome}{retry}"


def _level(record: CallRecord) -> str:
    if record.status is None or record.status == 429 or record.status >= 500:
        return "warning"
    return "error" if record.status >= 400 else "info"
