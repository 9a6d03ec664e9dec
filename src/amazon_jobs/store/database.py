"""Engine and transactions for SQLite (default) and PostgreSQL.

SQLite runs in WAL mode with a busy timeout; a write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue instead of failing half way, while
read transactions stay deferred and never block a writer.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database"]

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Real seconds a pooled PostgreSQL connection may sit idle before it is pinged at checkout.
PING_AFTER_IDLE_S = 1.0


class Database:
    """One engine and the two kinds of transaction the rest of the code uses."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5) -> None:
        self.url = url
        self.engine = _create_engine(url, echo=echo, pool_size=pool_size)
        writer = self.engine.execution_options(sqlite_immediate=True)
        self._write = sessionmaker(writer, expire_on_commit=False)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        #: Called with the session at the start of every write transaction.
        self.on_write: list[Callable[[Session], None]] = []
        #: Called with the session at the end of every write transaction that went
        #: well, just before it commits.
        self.before_commit: list[Callable[[Session], None]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on error."""
        with self._write() as session, session.begin():
            for hook in self.on_write:
                hook(session)
            yield session
            for hook in self.before_commit:
                hook(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction; objects stay usable (detached) after it."""
        with self._read() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"


def _create_engine(url: str, *, echo: bool, pool_size: int) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # psycopg's own automatic preparing is off: the hot statements are prepared by
        # amazon_jobs.store.pg_statements, and psycopg sends DEALLOCATE ALL at each
        # rollback of a connection where it prepared any, which would drop those too.
        args = {"prepare_threshold": None} if parsed.get_driver_name() == "psycopg" else {}
        engine = create_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=pool_size, connect_args=args
        )
        event.listen(engine, "checkout", _ping_if_idle)
        event.listen(engine, "checkin", _note_checkin)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a pooled connection that sat idle before handing it out.

    A server restart or a network cut kills idle connections; a dead one is
    replaced here (the pool retries on DisconnectionError) instead of failing
    the caller's first statement. Unlike ``pool_pre_ping``, a connection back
    from use a moment ago is not pinged: a busy worker checks out connections
    many times a second, and a round trip each would cost more than its queries.
    """
    checked_in = record.info.get("checked_in_at")
    if checked_in is not None and time.monotonic() - checked_in < PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as dead:
        raise exc.DisconnectionError(str(dead)) from dead


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """``BEGIN`` (``BEGIN IMMEDIATE`` for a write), on the driver itself: a worker begins
    several transactions a step, and SQLAlchemy's execution path would cost more than the
    statement. A failure is raised as SQLAlchemy raises it (:class:`~sqlalchemy.exc.DBAPIError`)."""
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    try:
        connection.connection.driver_connection.execute(statement)
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(statement, (), error, sqlite3.Error) from error
