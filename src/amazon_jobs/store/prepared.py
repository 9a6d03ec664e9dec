"""Statements compiled once per dialect and run on the driver's own connection.

A worker runs the same few dozen statements for every job step. Through
SQLAlchemy's execution path each one costs 25-35 µs of Python (execution
context, parameter and result set-up, events) before the driver's 2-5 µs; a
statement built anew per call costs as much again to build and key. A
:class:`Prepared` statement is built once (SQLAlchemy Core, so it is written
once for both databases), compiled once per dialect, and then run straight on
the DBAPI cursor of the session's connection, inside the session's transaction:

- parameters go through each bind's type, as SQLAlchemy would convert them
  (aware datetimes to SQLite's text, JSON to text);
- result columns come back through each column's type, so rows hold the same
  values a Core query returns (aware datetimes, decoded JSON);
- a driver error is raised as SQLAlchemy's :class:`~sqlalchemy.exc.DBAPIError`
  (what the worker's reconnect logic catches), and a connection the database
  dropped is invalidated so the pool replaces it.

On PostgreSQL (psycopg) the statement is compiled with ``$1`` placeholders and
run on libpq itself by a :class:`~amazon_jobs.store.pg_statements.LibpqCursor`,
which prepares it on the server once per connection: psycopg's own cursor costs
about 15 µs of Python per statement more.

Statements with an expanding ``IN`` are not supported (their SQL depends on the
list's length): run such an update once per id with :meth:`Prepared.many`.
"""

from __future__ import annotations

import copy
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, exc, literal
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import Compiled

__all__ = ["Prepared", "binds", "constants"]

Processor = Callable[[Any], Any] | None
#: Where a pooled connection keeps its cursor (see :func:`_cursor`).
_CURSOR = "amazon_jobs.prepared.cursor"
#: Where a session keeps its transaction's connection and cursor (see :func:`_bound`).
_BOUND = "amazon_jobs.prepared.bound"


@dataclass
class _Plan:
    """One statement compiled for one dialect."""

    sql: str
    #: Parameter names in the order of the SQL's placeholders (positional drivers), or
    #: None where the driver takes a mapping by name.
    order: tuple[str, ...] | None
    binds: dict[str, Processor]
    #: Constant values the statement carries (``.where(col == 5)``), converted already.
    fixed: dict[str, Any]
    #: The result columns' types, turned into processors at the first execution
    #: (some depend on the type the driver reports).
    result_types: tuple[Any, ...]
    #: The type of :meth:`Prepared.named`'s rows.
    record: Any = None
    #: Each result column that needs converting: its index and its type's processor.
    converters: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Prepared:
    """A Core statement, compiled once per dialect, run on the driver connection."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._plans: dict[str, _Plan] = {}

    # Running

    def rows(
        self, session: Session, params: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run with *params*; the result rows (empty for a statement without one)."""
        return self._rows(session, params)[1]

    def named(self, session: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        """:meth:`rows` as named tuples, each value under its column's name."""
        plan, found = self._rows(session, params)
        return [plan.record._make(row) for row in found]

    def first(
        self, session: Session, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, ...] | None:
        """The first row, or None."""
        found = self.rows(session, params)
        return found[0] if found else None

    def scalar(self, session: Session, params: Mapping[str, Any] | None = None) -> Any:
        """The first row's first value, or None when there is no row."""
        row = self.first(session, params)
        return row[0] if row is not None else None

    def run(self, session: Session, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement without result rows; the number of rows it changed."""
        _, cursor, _ = self._send(session, params)
        return int(cursor.rowcount)

    def many(self, session: Session, params: Iterable[Mapping[str, Any]]) -> None:
        """Run once per mapping of *params*, in one ``executemany``."""
        connection, cursor = _bound(session)
        plan = self._plan(connection.dialect)
        values = [self._values(plan, p) for p in params]
        if not values:
            return
        try:
            cursor.executemany(plan.sql, values)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, cursor, plan.sql, values, error) from error

    def _send(
        self, session: Session, params: Mapping[str, Any] | None
    ) -> tuple[Connection, Any, _Plan]:
        """Run with *params* on the session's connection: that connection, its cursor
        (holding the result) and the plan run."""
        connection, cursor = _bound(session)
        plan = self._plan(connection.dialect)
        _execute(connection, cursor, plan.sql, self._values(plan, params or {}))
        return connection, cursor, plan

    def _rows(
        self, session: Session, params: Mapping[str, Any] | None
    ) -> tuple[_Plan, list[tuple[Any, ...]]]:
        """The plan run and its result rows, each value converted by its column's type."""
        connection, cursor, plan = self._send(session, params)
        if not plan.result_types:  # no result columns (an UPDATE, say)
            return plan, []
        raw = cursor.fetchall()
        converters = plan.converters
        if converters is None:
            converters = self._converters(plan, connection.dialect, cursor.description)
        if not converters:
            return plan, [tuple(row) for row in raw]
        rows = []
        for row in raw:
            cells = list(row)
            for i, convert in converters:
                cell = cells[i]
                if cell is not None:
                    cells[i] = convert(cell)
            rows.append(tuple(cells))
        return plan, rows

    # Compiling

    def _plan(self, dialect: Dialect) -> _Plan:
        key = f"{dialect.name}+{dialect.driver}"
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self.statement, dialect)
        return plan

    @staticmethod
    def _values(plan: _Plan, params: Mapping[str, Any]) -> Any:
        values = dict(plan.fixed)
        for name, process in plan.binds.items():
            if name in params:
                value = params[name]
                values[name] = (
                    process(value) if process is not None and value is not None else value
                )
            elif name not in values:
                raise KeyError(f"no value for the statement's parameter {name!r}")
        if plan.order is None:
            return values
        return tuple(values[name] for name in plan.order)

    @staticmethod
    def _converters(
        plan: _Plan, dialect: Dialect, description: Sequence[Any]
    ) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        with plan.lock:
            if plan.converters is None:
                processors = [
                    type_.dialect_impl(dialect).result_processor(dialect, column[1])
                    for type_, column in zip(plan.result_types, description, strict=True)
                ]
                plan.converters = tuple((i, p) for i, p in enumerate(processors) if p is not None)
            return plan.converters


def constants(values: Iterable[Any], type_: Any) -> list[Any]:
    """*values* as constants of an ``IN`` a :class:`Prepared` statement can hold
    (``column.in_(constants(values, column.type))``): one fixed bound value each, where
    a plain list would make an expanding ``IN``."""
    return [literal(value, type_) for value in values]


def binds(table: Table, names: Iterable[str], prefix: str = "") -> dict[str, Any]:
    """A bound parameter for each of *table*'s columns *names* (named *prefix* + name,
    typed as the column), for ``.values(...)`` of a prepared statement."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}


def _compile(statement: ClauseElement, dialect: Dialect) -> _Plan:
    if _on_libpq(dialect):  # LibpqCursor takes the server's own $1 placeholders
        dialect = copy.copy(dialect)
        dialect.paramstyle, dialect.positional = "numeric_dollar", True
        # the quoting of names and literals doubles a % for pyformat only: made anew
        dialect.identifier_preparer = dialect.preparer(dialect)
    compiled: Compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:  # type: ignore[attr-defined]
        raise ValueError("a prepared statement cannot hold an expanding IN or a literal_execute")
    binds: dict[str, Processor] = {}
    fixed: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():  # type: ignore[attr-defined]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        binds[name] = process  # a caller may pass its own value even for a constant
        if not bind.required:
            value = bind.effective_value
            fixed[name] = process(value) if process is not None and value is not None else value
    order = tuple(compiled.positiontup or ()) if compiled.positional else None  # type: ignore[attr-defined]
    columns = getattr(statement, "exported_columns", None)
    names = list(columns.keys()) if columns is not None else []
    return _Plan(
        sql=str(compiled),
        order=order,
        binds=binds,
        fixed=fixed,
        result_types=tuple(column.type for column in columns or ()),
        record=namedtuple("Record", names, rename=True),
    )


def _bound(session: Session) -> tuple[Connection, Any]:
    """The session's connection and its driver cursor, looked up once per transaction of
    the session (``Session.connection()`` costs several microseconds each time, and a step
    runs a few dozen statements)."""
    transaction = session.get_transaction()
    found = session.info.get(_BOUND)
    if (
        found is not None
        and transaction is not None
        and found[0] is transaction
        and transaction.is_active
        and not found[1].invalidated
    ):
        return found[1], found[2]
    connection = session.connection()
    cursor = _cursor(connection)
    session.info[_BOUND] = (session.get_transaction(), connection, cursor)
    return connection, cursor


def _cursor(connection: Connection) -> Any:
    """The driver connection's cursor (on psycopg a
    :class:`~amazon_jobs.store.pg_statements.LibpqCursor`), made once and
    kept with the pooled connection."""
    pooled = connection.connection
    driver = pooled.driver_connection
    cursor = pooled.info.get(_CURSOR)
    if cursor is None or cursor.connection is not driver:
        if _on_libpq(connection.dialect):
            # here: a SQLite installation need not load the driver
            from amazon_jobs.store.pg_statements import LibpqCursor

            cursor = LibpqCursor(driver)  # type: ignore[arg-type]
        else:
            cursor = driver.cursor()  # type: ignore[union-attr]
        pooled.info[_CURSOR] = cursor
    return cursor


def _on_libpq(dialect: Dialect) -> bool:
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def _execute(connection: Connection, cursor: Any, sql: str, values: Any) -> None:
    try:
        cursor.execute(sql, values)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _wrapped(connection, cursor, sql, values, error) from error


def _wrapped(
    connection: Connection, cursor: Any, sql: str, values: Any, error: Any
) -> BaseException:
    """*error* as SQLAlchemy raises it; a dropped connection is invalidated for the pool."""
    dialect = connection.dialect
    dropped = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if dropped:
        connection.invalidate(error)
    wrapped: BaseException = exc.DBAPIError.instance(
        sql,
        values,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=dropped,
        dialect=dialect,
    )
    return wrapped
