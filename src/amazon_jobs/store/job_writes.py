"""A job's changes, written by one prepared ``UPDATE`` as its write transaction ends.

Every step changes its job row two or three times, in short transactions of
its own. Through the ORM's unit of work each of those writes costs about
0.25 ms of Python (a flush plans, sorts and compiles for one row); the
statement itself costs the database a few microseconds. So, as a write
transaction is about to commit (:attr:`~amazon_jobs.store.database.Database.before_commit`),
:func:`save_changed_jobs` writes each changed :class:`~amazon_jobs.store.models.Job`
of the session itself: one ``UPDATE jobs SET <the changed columns> WHERE id = ?``,
prepared once per set of columns, and takes the job out of the session, so the
commit's flush has nothing left to do for it.

The outcome is the ORM's: the same row values, in the same transaction, and a
job whose row is gone is an error (:class:`~sqlalchemy.orm.exc.StaleDataError`),
as the ORM reports it. New jobs (inserts) are left to the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, bindparam, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from amazon_jobs.store.models import Job
from amazon_jobs.store.prepared import Prepared

__all__ = ["save_changed_jobs"]

_TABLE = cast(Table, Job.__table__)
#: Each mapped attribute's column name, by attribute key.
_COLUMNS = {attr.key: attr.columns[0].name for attr in inspect(Job).column_attrs}
_KEYS = frozenset(_COLUMNS) - {"id"}
_UPDATES: dict[frozenset[str], Prepared] = {}


def save_changed_jobs(session: Session) -> None:
    """Write every changed job of *session* with its own ``UPDATE``, then let go of it."""
    jobs = [obj for obj in session.dirty if isinstance(obj, Job)]
    for job in jobs:
        state = inspect(job)
        changed = frozenset(_KEYS - state.unmodified)
        if changed:
            values: dict[str, Any] = {key: state.dict[key] for key in changed}
            values["_job_id"] = job.id
            if _update(changed).run(session, values) != 1:
                raise StaleDataError(f"UPDATE of job {job.id} matched no row (it was deleted)")
        session.expunge(job)


def _update(keys: Iterable[str]) -> Prepared:
    key = frozenset(keys)
    statement = _UPDATES.get(key)
    if statement is None:
        columns = sorted(key)
        statement = _UPDATES[key] = Prepared(
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("_job_id", type_=_TABLE.c.id.type))
            .values({_COLUMNS[k]: bindparam(k, type_=_TABLE.c[_COLUMNS[k]].type) for k in columns})
        )
    return statement
