"""Job log lines that ride along with the next write transaction.

A step logs every Amazon call it makes. Writing each line in a transaction
of its own would cost a commit per call, so inside :func:`deferred_logs`
(one job step) lines wait in memory and go with the step's next write
transaction, which records what the call changed anyway. Outside it (the CLI,
the web app) a line goes with the transaction it is written in.

Within a write transaction (:meth:`Database.transaction
<amazon_jobs.store.database.Database.transaction>` with :func:`open_batch` and
:func:`write_batch` as its hooks), the lines it logs, after those the step kept,
are inserted together, in order, by one ``executemany`` just before it commits: on
PostgreSQL one round trip instead of one per line. A rolled-back transaction
writes none of them, as before. In a session without these hooks a line is
inserted at once.
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

__all__ = [
    "INSERT_LOG",
    "add",
    "defer",
    "deferred_logs",
    "open_batch",
    "pending",
    "write_batch",
]

#: ``Session.info`` key of the lines a write transaction inserts as it commits.
_BATCH = "job_log_batch"

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


def open_batch(session: Session) -> None:
    """A write transaction begins: the lines the step kept so far go with it, first."""
    pending = _pending.get()
    session.info[_BATCH] = list(pending) if pending else []
    if pending:
        pending.clear()


def add(session: Session, line: dict[str, object]) -> None:
    """A line logged in *session*: with its batch, or at once where it has none."""
    batch = session.info.get(_BATCH)
    if batch is None:
        INSERT_LOG.run(session, line)
    else:
        batch.append(line)


def write_batch(session: Session) -> None:
    """Insert the transaction's lines (it calls this just before it commits)."""
    batch = session.info.pop(_BATCH, None)
    if batch:
        INSERT_LOG.many(session, batch)
