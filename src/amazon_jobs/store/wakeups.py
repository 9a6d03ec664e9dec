"""Waking idle workers when a job becomes due: LISTEN/NOTIFY on PostgreSQL.

The database notifies when a job is created, or when a job no worker holds is made
due earlier (migration 0020's triggers), on its schema's own channel (migration 0023;
see :data:`CHANNEL_SQL`). An idle worker waits on its own listening connection
instead of only sleeping, so a new job is claimed within milliseconds rather than at
the worker's next look (``IDLE_POLL_S``). The look stays:
jobs also become due by time passing and by leases ending, which nothing announces.

SQLite has no such channel; there :meth:`Wakeups.wait` is never used (see
:func:`listener_for`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import Engine

__all__ = ["CHANNEL_SQL", "Wakeups", "due_channel", "listener_for"]

logger = logging.getLogger(__name__)

#: The NOTIFY channel of the connection's schema, as migration 0023's trigger names it:
#: a channel is the whole database's, and two installations in one database (in two
#: schemas) must not wake each other's workers.
CHANNEL_SQL = "SELECT 'amazon_jobs_due_' || substr(md5(current_schema()), 1, 16)"


class Wakeups:
    """A dedicated connection listening on its schema's channel (opened on first use,
    opened again after the database went away)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Any = None

    def wait(self, seconds: float) -> bool | None:
        """Wait up to *seconds* (real) for a notification: True if one came, False if
        none did, None if the connection failed (it is dropped and opened again next
        time; the caller waits as it would without it).

        Notifications that arrived while the worker was busy count too: they are
        read at once.
        """
        try:
            connection = self._connection or self._listen()
            for _ in connection.notifies(timeout=max(0.0, seconds), stop_after=1):
                return True
            return False
        except Exception as exc:  # the database went away: listen again next time
            logger.warning("not listening for new jobs: %s", _first_line(exc))
            self.close()
            return None

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already gone
                self._connection.close()
            self._connection = None

    def _listen(self) -> Any:
        raw = self.engine.raw_connection()
        connection = raw.driver_connection
        raw.detach()  # ours for good: never handed back to the pool
        if connection is None:
            raise RuntimeError("the database driver has no connection to listen on")
        connection.autocommit = True
        connection.execute(f"LISTEN {due_channel(connection)}")
        self._connection = connection
        return connection


def due_channel(connection: Any) -> str:
    """The channel the jobs of *connection*'s schema notify (a psycopg connection)."""
    channel = connection.execute(CHANNEL_SQL).fetchone()[0]
    return str(channel)  # letters, digits and '_': an identifier as it is


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def listener_for(engine: Engine) -> Wakeups | None:
    """A :class:`Wakeups` on PostgreSQL; None elsewhere."""
    return Wakeups(engine) if engine.dialect.name == "postgresql" else None
