"""Leader leases: a named role (e.g. the scheduler) held by one process at a time.

A lease is one row of ``leader_leases``: who holds the role and until when.
:func:`acquire` takes it when it is free or expired, renews it when the caller
already holds it, and refuses otherwise, in one conditional UPDATE: on
PostgreSQL the row lock makes a second contender re-check the condition after
the first commits; SQLite serialises writers. Either way exactly one process
holds a role at any time, however many try.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from amazon_jobs.store.models import LeaderLease

__all__ = ["acquire", "holder", "release"]


def acquire(session: Session, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease *name* for *owner* until ``now + ttl``; False if held by another."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(LeaderLease)
        .values(name=name, owner=None, expires_at=None)
        .on_conflict_do_nothing(index_elements=[LeaderLease.name])
    )
    taken = session.execute(
        update(LeaderLease)
        .where(
            LeaderLease.name == name,
            or_(
                LeaderLease.owner.is_(None),
                LeaderLease.owner == owner,
                LeaderLease.expires_at.is_(None),
                LeaderLease.expires_at <= now,
            ),
        )
        .values(owner=owner, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], taken).rowcount == 1


def release(session: Session, name: str, owner: str) -> None:
    """Give the lease up, if *owner* still holds it."""
    session.execute(
        update(LeaderLease)
        .where(LeaderLease.name == name, LeaderLease.owner == owner)
        .values(owner=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )


def holder(session: Session, name: str, now: datetime) -> str | None:
    """Who holds the lease *name* at *now*, or None when it is free or expired."""
    row = session.execute(
        select(LeaderLease.owner, LeaderLease.expires_at).where(LeaderLease.name == name)
    ).first()
    if row is None or row.owner is None or row.expires_at is None or row.expires_at <= now:
        return None
    return str(row.owner)
