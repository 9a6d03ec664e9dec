"""Retention: prune old finished jobs with their items and log, in small transactions.

Pruned: ``done`` and ``canceled`` jobs that finished more than
``retention_days`` ago, and ``error`` jobs as old that a seller acknowledged.
An unacknowledged error job is never pruned, nor the Inventory Report job
whose rows are an account's current inventory.

Foreign keys cascade, but items and log lines are deleted explicitly first,
a bounded number of rows per transaction, so a database without cascade
support cannot keep orphans and a backlog of millions of rows never makes one
giant transaction. References to the pruned jobs (a child's ``parent_id``,
a leftover lock) are cleared before the jobs themselves go, 1000 per
transaction. An interrupted pass leaves only jobs that are still prunable:
the next pass finishes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Account, Job, JobItem, JobLog, Listing, Shipment

__all__ = ["JOBS_PER_BATCH", "ROWS_PER_BATCH", "prunable_jobs", "prune_jobs"]

#: Jobs deleted per transaction.
JOBS_PER_BATCH = 1000
#: Items or log lines deleted per transaction.
ROWS_PER_BATCH = 20_000
#: Batches of jobs per pass; the rest waits for the next pass.
MAX_BATCHES = 100


def prunable_jobs(cutoff: datetime) -> Select[int]:
    """Ids of the jobs retention may delete: finished before *cutoff*, oldest first."""
    current_snapshots = select(Account.inventory_snapshot_id).where(
        Account.inventory_snapshot_id.is_not(None)
    )
    return (
        select(Job.id)
        .where(
            or_(
                Job.status.in_([JobStatus.DONE.value, JobStatus.CANCELED.value]),
                and_(Job.status == JobStatus.ERROR.value, Job.acknowledged_at.is_not(None)),
            ),
            Job.finished_at < cutoff,
            Job.id.not_in(current_snapshots),
        )
        .order_by(Job.id)
    )


def prune_jobs(
    db: Database,
    now: datetime,
    retention_days: float,
    *,
    jobs_per_batch: int = JOBS_PER_BATCH,
    rows_per_batch: int = ROWS_PER_BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Delete prunable jobs with their items and log; returns how many jobs went."""
    cutoff = now - timedelta(days=retention_days)
    pruned = 0
    for _ in range(max_batches):
        with db.read() as session:
            ids = list(session.scalars(prunable_jobs(cutoff).limit(jobs_per_batch)))
        if not ids:
            break
        _delete_children(db, JobItem.job_id, ids, rows_per_batch)
        _delete_children(db, JobLog.job_id, ids, rows_per_batch)
        pruned += _delete_jobs(db, ids, cutoff)
        if len(ids) < jobs_per_batch:
            break
    return pruned


def _delete_children(
    db: Database, job_column: InstrumentedAttribute[int], ids: Sequence[int], limit: int
) -> None:
    """Delete the rows of *job_column*'s table that belong to *ids*, *limit* per transaction."""
    table = job_column.class_
    while True:
        some = select(table.id).where(job_column.in_(ids)).limit(limit)
        with db.transaction() as session:
            result = session.execute(
                delete(table)
                .where(table.id.in_(some.scalar_subquery()))
                .execution_options(synchronize_session=False)
            )
        if _rowcount(result) < limit:
            return


def _delete_jobs(db: Database, ids: Sequence[int], cutoff: datetime) -> int:
    with db.transaction() as session:
        # Re-checked here: nothing but a prunable job is ever deleted.
        doomed = list(session.scalars(prunable_jobs(cutoff).where(Job.id.in_(ids))))
        if not doomed:
            return 0
        for column, model in (
            (Job.parent_id, Job),
            (Listing.locked_by_job_id, Listing),
            (Shipment.locked_by_job_id, Shipment),
        ):
            session.execute(
                update(model)
                .where(column.in_(doomed))
                .values({column.key: None})
                .execution_options(synchronize_session=False)
            )
        # Children written after the first sweep (never expected) go with their job.
        for child in (JobItem.job_id, JobLog.job_id):
            session.execute(
                delete(child.class_)
                .where(child.in_(doomed))
                .execution_options(synchronize_session=False)
            )
        result = session.execute(
            delete(Job).where(Job.id.in_(doomed)).execution_options(synchronize_session=False)
        )
        return _rowcount(result)


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
