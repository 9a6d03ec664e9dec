"""Prepared statements on PostgreSQL, run on libpq itself.

psycopg's ``Cursor.execute`` spends about 15 µs of Python per statement on its
general machinery (the query's conversion, its prepare manager, the pipeline and
wait generators, the result's description) on top of what libpq and the socket
cost. For the few dozen fixed statements of a job step, :class:`LibpqCursor` does
the same work directly on the connection's ``pgconn``:

- parameters are dumped by a psycopg ``Transformer`` of the connection (the same
  adapters, formats and type OIDs ``Cursor.execute`` would send);
- each statement is prepared on the server once per connection and per parameter
  types (``PQprepare``), then run with ``PQexecPrepared``, which releases the GIL
  while it waits for the server;
- rows are loaded by the same ``Transformer`` (psycopg's loaders, in C);
- a transaction is begun first when the connection is idle and not in autocommit,
  with the ``BEGIN`` psycopg itself would send, so the statement runs inside the
  transaction SQLAlchemy's session holds;
- a failed statement raises the same :mod:`psycopg.errors` class psycopg raises,
  and a dropped connection shows as ``Connection.closed``, which SQLAlchemy's
  ``is_disconnect`` reads.

psycopg's own automatic preparing is turned off on such a connection
(``prepare_threshold=None``; :class:`~amazon_jobs.store.database.Database`
connects so already): psycopg answers a rollback of a connection where it has
prepared statements with ``DEALLOCATE ALL``, which drops these as well. Should
they be dropped all the same, the statement fails and the connection's next one
prepares them again. So does a statement whose table was altered since it was
prepared.

It offers the few cursor members :mod:`amazon_jobs.store.prepared` uses: ``execute``,
``executemany``, ``fetchall``, ``description``, ``rowcount`` and ``connection``.
SQL must use ``$1``-style placeholders (a statement compiled with the
``numeric_dollar`` paramstyle) and take a sequence of values.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import errors, pq
from psycopg.adapt import PyFormat, Transformer

__all__ = ["MAX_PREPARED", "LibpqCursor"]

#: Statements prepared on one connection at most; beyond, statements run unnamed
#: (a fixed set of statements never gets near it: it guards against a caller
#: preparing SQL built per call).
MAX_PREPARED = 500

_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)


class LibpqCursor:
    """Runs ``$n`` statements on one psycopg connection's libpq connection."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        # psycopg's automatic preparing off (see the module's notes), where a connection
        # was not opened so already.
        connection.prepare_threshold = None
        self.connection = connection
        self._pgconn = connection.pgconn
        self._tx = Transformer(connection)
        self._encoding = connection.info.encoding
        #: (SQL, parameter type OIDs) -> the name it is prepared under on the server.
        self._names: dict[tuple[str, tuple[int, ...]], bytes] = {}
        self._serial = itertools.count()
        self._result: pq.abc.PGresult | None = None

    # The cursor members prepared.py uses

    def execute(self, sql: str, values: Sequence[Any]) -> None:
        """Run *sql* with *values*, in the connection's transaction (begun if idle)."""
        self._result = None
        self._begin_if_idle()
        tx = self._tx
        params: Sequence[Any] = ()
        formats: Sequence[pq.Format] | None = None
        types: tuple[int, ...] = ()
        if values:
            params = tx.dump_sequence(values, [PyFormat.AUTO] * len(values))
            formats, types = tx.formats, tuple(tx.types or ())
        key = (sql, types)
        name = self._names.get(key)
        if name is None:
            name = self._prepare(key)
        if name is None:  # too many statements prepared already: run it unnamed
            result = self._pgconn.exec_params(sql.encode(), params, types or None, formats)
        else:
            result = self._pgconn.exec_prepared(name, params, formats)
        self._check(result)
        self._result = result

    def executemany(self, sql: str, many: Iterable[Sequence[Any]]) -> None:
        """:meth:`execute` once per sequence of values."""
        for values in many:
            self.execute(sql, values)

    def fetchall(self) -> list[tuple[Any, ...]]:
        result = self._result
        if result is None or result.status != pq.ExecStatus.TUPLES_OK:
            raise errors.ProgrammingError("the last statement returned no rows")
        self._tx.set_pgresult(result)
        rows: list[tuple[Any, ...]] = self._tx.load_rows(0, result.ntuples, tuple)
        return rows

    @property
    def description(self) -> list[tuple[str, int]] | None:
        """Each result column's name and type OID (what a result processor reads)."""
        result = self._result
        if result is None or result.status != pq.ExecStatus.TUPLES_OK:
            return None
        return [
            ((result.fname(i) or b"").decode(self._encoding), result.ftype(i))
            for i in range(result.nfields)
        ]

    @property
    def rowcount(self) -> int:
        result = self._result
        count = result.command_tuples if result is not None else None
        return count if count is not None else -1

    # Inside

    def _begin_if_idle(self) -> None:
        connection = self.connection
        if connection.autocommit or self._pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return
        self._check(self._pgconn.exec_(_begin_statement(connection)))

    def _prepare(self, key: tuple[str, tuple[int, ...]]) -> bytes | None:
        if len(self._names) >= MAX_PREPARED:
            return None
        name = f"aj_{next(self._serial)}".encode()
        self._check(self._pgconn.prepare(name, key[0].encode(), key[1] or None))
        self._names[key] = name
        return name

    def _check(self, result: pq.abc.PGresult) -> None:
        if result.status not in _OK:
            error = errors.error_from_result(result, encoding=self._encoding)
            if _stale(error):
                # This transaction is lost; the connection's next one prepares the
                # statements again (under new names).
                self._names.clear()
            raise error


def _stale(error: errors.Error) -> bool:
    """Whether *error* says a statement prepared here is gone (``DEALLOCATE ALL``,
    ``DISCARD ALL``) or no longer fits its table (altered since it was prepared)."""
    if isinstance(error, errors.InvalidSqlStatementName):
        return True
    return isinstance(error, errors.FeatureNotSupported) and "cached plan" in str(error)


def _begin_statement(connection: psycopg.Connection[Any]) -> bytes:
    """The ``BEGIN`` psycopg sends before a statement on an idle connection."""
    parts = [b"BEGIN"]
    if connection.isolation_level is not None:
        level = psycopg.IsolationLevel(connection.isolation_level)
        parts += [b"ISOLATION LEVEL", level.name.replace("_", " ").encode()]
    if connection.read_only is not None:
        parts.append(b"READ ONLY" if connection.read_only else b"READ WRITE")
    if connection.deferrable is not None:
        parts.append(b"DEFERRABLE" if connection.deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)
