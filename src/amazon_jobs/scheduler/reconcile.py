"""When the daily orders reconciliation of an account is due, and when its regular import is.

Both are Orders Import jobs (one active per account); a reconciliation is told
apart by ``mode: reconcile`` in its data (:mod:`amazon_jobs.handlers.orders_reconcile`),
so each counts its interval from the last job of its own mode. The first
reconciliation of an account comes ``orders_reconcile_every_s`` after its first
Orders Import: before that nothing was imported to compare with, and the first
import reaches further back than a reconciliation does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.handlers.orders_reconcile import RECONCILE
from amazon_jobs.store.models import Job

__all__ = ["last_regular_import", "reconcile_due_since"]

_IMPORT = JobType.ORDERS_IMPORT.value


def _is_reconcile() -> ColumnElement[bool]:
    return func.coalesce(Job.data["mode"].as_string(), "") == RECONCILE


def last_regular_import(session: Session, account_id: int) -> datetime | None:
    """When the account's latest Orders Import that is not a reconciliation was created."""
    return _latest(session, account_id, ~_is_reconcile())


def reconcile_due_since(session: Session, account_id: int) -> datetime | None:
    """Where the reconciliation interval of the account starts: its last reconciliation,
    else its first Orders Import; None if it never imported orders (nothing to reconcile)."""
    last = _latest(session, account_id, _is_reconcile())
    if last is not None:
        return last
    return session.scalar(
        select(func.min(Job.created_at)).where(Job.account_id == account_id, Job.type == _IMPORT)
    )


def _latest(session: Session, account_id: int, mode: ColumnElement[bool]) -> datetime | None:
    """The latest Orders Import of the account in *mode*: the index read from its end
    until one matches, not every import kept."""
    return session.scalar(
        select(Job.created_at)
        .where(Job.account_id == account_id, Job.type == _IMPORT, mode)
        .order_by(Job.created_at.desc())
        .limit(1)
    )
