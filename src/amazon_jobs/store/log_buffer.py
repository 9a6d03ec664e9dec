"""Job log lines that ride along with the next write transaction.

A step logs every Amazon call it makes. Writing each line in a transaction
of its own would cost a commit per call, so inside :func:`deferred_logs`
(one job step) lines wait in memory and are inserted, in order, at the start
of the step's next write transaction, which records what the call changed
anyway. Outside it (the CLI, the web app) a line is written at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from amazon_jobs.store.models import JobLog
from amazon_jobs.store.prepared import Prepared, binds

#: A log line's insert, run on the driver's connection: built and compiled once. (An ORM
#: insert is rebuilt, re-keyed and run through the bulk machinery each time, several times
#: the cost of the line itself.)
_TABLE = cast(Table, JobLog.__table__)
INSERT_LOG = Prepared(
    insert(_TABLE).values(binds(_TABLE, ("job_id", "at", "level", "message", "request_id")))
)

__all__ = ["INSERT_LOG", "defer", "deferred_logs", "flush", "pending"]

_pending: ContextVar[list[dict[str, object]] | None] = ContextVar("job_log_pending", default=None)


@contextmanager
def deferred_logs() -> Iterator[None]:
    """Within this block (one thread's step), :func:`defer` keeps lines for :func:`flush`."""
    token = _pending.set([])
    try:
        yield
    finally:
        _pending.reset(token)


def defer(job_id: int, at: datetime, message: str, *, level: str, request_id: str | None) -> bool:
    """Keep a line for the next write transaction; False outside :func:`deferred_logs`."""
    pending = _pending.get()
    if pending is None:
        return False
    pending.append(
        {"job_id": job_id, "at": at, "level": level, "message": message, "request_id": request_id}
    )
    return True


def pending() -> bool:
    """Whether lines wait for a write transaction (in this thread's step)."""
    return bool(_pending.get())


def flush(session: Session) -> None:
    """Insert the lines kept so far (a write transaction calls this as it begins)."""
    pending = _pending.get()
    if pending:
        INSERT_LOG.many(session, pending)
        pending.clear()
