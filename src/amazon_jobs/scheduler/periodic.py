"""Jobs created on a schedule or when work is due, one active per account and type.

- Orders Import every ``orders_import_every_s`` and Inventory Report every
  ``inventory_report_every_s`` (0: never), counted from the creation of the
  previous job of that type, and only while none of that type is active.
- The orders reconciliation, an Orders Import in ``reconcile`` mode, every
  ``orders_reconcile_every_s`` (a day; 0: never) while periodic imports are on,
  counted apart (:mod:`~amazon_jobs.scheduler.reconcile`); when it is due it
  goes before the regular import, which waits for it.
- Orders Fulfillment as soon as a package is due (shipped by the shop, not
  confirmed, held by no job) and no Orders Fulfillment job is active.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobType
from amazon_jobs.errors import AccountUnavailable, SelectionError
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler.reconcile import last_regular_import, reconcile_due_since
from amazon_jobs.service import (
    create_fulfillment_job,
    create_inventory_job,
    create_orders_import_job,
    create_orders_reconciliation_job,
)
from amazon_jobs.store.actions import SCHEDULER
from amazon_jobs.store.models import Job, Order, Shipment

__all__ = ["PERIODIC_JOB_TYPES", "create_due_fulfillment", "create_periodic", "is_due"]

#: Job types created on an interval, with the setting that holds it.
PERIODIC_JOB_TYPES = {
    JobType.ORDERS_IMPORT: "orders_import_every_s",
    JobType.INVENTORY_REPORT: "inventory_report_every_s",
}


def is_due(last_created: datetime | None, every_s: float, now: datetime) -> bool:
    """Whether a job made every *every_s* seconds (0: never) is due at *now*."""
    if every_s <= 0:
        return False
    return last_created is None or now - last_created >= timedelta(seconds=every_s)


def last_of_type(
    session: Session, account_id: int, job_type: JobType
) -> tuple[datetime | None, bool]:
    """When the account's latest job of *job_type* was created, and whether one is active.

    Two indexed lookups (the latest at the end of ix_jobs_account_type_created, an
    active one through ix_jobs_account_type_status), not a pass over the jobs kept."""
    mine = (Job.account_id == account_id, Job.type == job_type.value)
    last = session.scalar(select(func.max(Job.created_at)).where(*mine))
    running = session.scalar(
        select(Job.id).where(*mine, Job.status.in_([s.value for s in ACTIVE_STATUSES])).limit(1)
    )
    return last, running is not None


def create_periodic(rt: Runtime, account_id: int, job_type: JobType) -> int | None:
    """A new job of *job_type* if its interval has passed and none is active; its id.

    For Orders Import: the reconciliation when it is due, else the regular import.
    """
    if job_type is JobType.ORDERS_IMPORT:
        return _create_orders_import(rt, account_id)
    every_s = float(getattr(rt.settings, PERIODIC_JOB_TYPES[job_type]))
    if every_s <= 0:
        return None
    with rt.db.read() as session:
        last, running = last_of_type(session, account_id, job_type)
    if running or not is_due(last, every_s, rt.clock.now()):
        return None
    return _created(lambda: create_inventory_job(rt, account_id, actor=SCHEDULER))


def _create_orders_import(rt: Runtime, account_id: int) -> int | None:
    """The account's reconciliation if due, else its regular import if due; none while
    one is active or while periodic imports are off (``orders_import_every_s`` 0)."""
    settings, now = rt.settings, rt.clock.now()
    if settings.orders_import_every_s <= 0:
        return None
    with rt.db.read() as session:
        _, running = last_of_type(session, account_id, JobType.ORDERS_IMPORT)
        since = reconcile_due_since(session, account_id)
        last = last_regular_import(session, account_id)
    if running:
        return None
    if since is not None and is_due(since, settings.orders_reconcile_every_s, now):
        return _created(lambda: create_orders_reconciliation_job(rt, account_id, actor=SCHEDULER))
    if is_due(last, settings.orders_import_every_s, now):
        return _created(lambda: create_orders_import_job(rt, account_id, actor=SCHEDULER))
    return None


def _created(create: Callable[[], Job]) -> int | None:
    """The id of the job *create* makes; None if one was made meanwhile or the account
    was paused."""
    try:
        return create().id
    except (SelectionError, AccountUnavailable):
        return None


def has_due_packages(session: Session, account_id: int) -> bool:
    due = session.scalar(
        select(Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .where(
            Order.account_id == account_id,
            Shipment.state == "due",
            Shipment.locked_by_job_id.is_(None),
        )
        .limit(1)
    )
    return due is not None


def create_due_fulfillment(rt: Runtime, account_id: int) -> int | None:
    """An Orders Fulfillment job for the account's due packages, unless one is active."""
    with rt.db.read() as session:
        _, running = last_of_type(session, account_id, JobType.ORDERS_FULFILLMENT)
        if running or not has_due_packages(session, account_id):
            return None
    try:
        return create_fulfillment_job(rt, account_id, actor=SCHEDULER).id
    except (SelectionError, AccountUnavailable):  # taken meanwhile, or the account paused
        return None
