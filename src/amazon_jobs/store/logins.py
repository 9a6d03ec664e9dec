"""Wrong passwords, counted per user name and per client address, to refuse guessing.

After ``max_failures`` wrong passwords for one user name (or ``max_per_address``
from one client address, whatever the user names) within ``window``, logins
with that key are refused for ``window``, even with the right password. The
counts are rows of ``login_failures``, so every web process shares them; a
login locks its rows first (``FOR UPDATE`` on PostgreSQL; SQLite serialises
writers), so parallel guesses are counted one after the other, never past the
limit. Time comes from the injected clock.

The per-user-name limit lets anyone who knows a user name keep that user out
for a window at a time (the price of stopping a guesser who changes address);
the per-address limit stops one address from trying many user names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amazon_jobs.store.models import LoginFailure

__all__ = ["LoginKeys", "LoginLimits", "forget_user", "lock_and_check", "record_failure"]

#: The length of ``login_failures.key``.
_KEY_LENGTH = 160


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int
    max_per_address: int
    window: timedelta


@dataclass(frozen=True)
class LoginKeys:
    """The counters one login attempt concerns."""

    user: str
    address: str

    @classmethod
    def of(cls, username: str, address: str) -> LoginKeys:
        return cls(f"user:{username.strip()}"[:_KEY_LENGTH], f"address:{address}"[:_KEY_LENGTH])

    @property
    def all(self) -> tuple[str, str]:
        return self.user, self.address


def lock_and_check(session: Session, keys: LoginKeys, now: datetime) -> datetime | None:
    """Lock the attempt's counters; the time until which logins are refused, if they are."""
    rows = _locked_rows(session, keys.all, now)
    ends = [r.locked_until for r in rows if r.locked_until is not None and r.locked_until > now]
    return max(ends) if ends else None


def record_failure(
    session: Session, keys: LoginKeys, now: datetime, limits: LoginLimits
) -> datetime | None:
    """Count a wrong password; the time until which logins are now refused, if they are."""
    rows = {r.key: r for r in _locked_rows(session, keys.all, now)}
    until: datetime | None = None
    for key, limit in ((keys.user, limits.max_failures), (keys.address, limits.max_per_address)):
        row = rows[key]
        if row.window_start + limits.window <= now:
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + limits.window
            until = max(until or row.locked_until, row.locked_until)
    # Forget counters whose window and lock are over (keeps the table small).
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.key.not_in(keys.all),
            LoginFailure.window_start < now - limits.window,
            or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= now),
        )
    )
    return until


def forget_user(session: Session, keys: LoginKeys) -> None:
    """A successful login clears its user name's count (not its address's)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == keys.user))


def _locked_rows(session: Session, keys: Sequence[str], now: datetime) -> list[LoginFailure]:
    """The counters of *keys*, created if missing, locked in key order (no deadlock)."""
    ordered = sorted(keys)
    dialect = session.get_bind().dialect.name
    values = [{"key": k, "failures": 0, "window_start": now, "locked_until": None} for k in ordered]
    if dialect == "postgresql":
        session.execute(postgresql.insert(LoginFailure).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(LoginFailure).values(values).on_conflict_do_nothing())
    query = (
        select(LoginFailure)
        .where(LoginFailure.key.in_(ordered))
        .order_by(LoginFailure.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))
