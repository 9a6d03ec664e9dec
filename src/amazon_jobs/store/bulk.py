"""Many rows at once: executemany UPDATE, and JSON columns read as one document.

Reading 100 000 JSON values one ``json.loads`` each costs more than the query;
:func:`json_text` selects the column as text and :func:`loads_many` parses
them a thousand at a time in one call.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, bindparam, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session

from amazon_jobs.store.prepared import Prepared, binds

__all__ = ["json_text", "loads_many", "paused_gc", "update_rows"]

#: Values parsed per ``json.loads`` call by :func:`loads_many`.
PARSE_BATCH = 1000
#: Rows per ``executemany`` of :func:`update_rows`.
UPDATE_BATCH = 10_000


def update_rows(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    *,
    where: Mapping[str, Any] | None = None,
) -> None:
    """Set each row's columns, found by its ``id``; *where* (column: value) narrows which
    rows qualify.

    Every dict must hold ``id`` and the same column names. The statement is
    prepared once per model, columns and *where* columns
    (:class:`~amazon_jobs.store.prepared.Prepared`) and run in one ``executemany``
    with each row's values converted by its column type: SQLAlchemy's own
    executemany spends more per row than the database does.
    """
    if not rows:
        return
    table: Table = model.__table__  # type: ignore[assignment]
    names = tuple(name for name in rows[0] if name != "id")
    fixed = {f"_where_{name}": value for name, value in (where or {}).items()}
    statement = _update_statement(table, names, tuple(where or ()))
    for start in range(0, len(rows), UPDATE_BATCH):  # memory stays bounded
        statement.many(
            session,
            ({**fixed, **row, "_row_id": row["id"]} for row in rows[start : start + UPDATE_BATCH]),
        )


@lru_cache(maxsize=256)
def _update_statement(table: Table, names: tuple[str, ...], where: tuple[str, ...]) -> Prepared:
    """``UPDATE table SET names WHERE id = :_row_id AND where...``, prepared once."""
    conditions = [table.c[name] == bind for name, bind in binds(table, where, "_where_").items()]
    return Prepared(
        update(table)
        .where(table.c.id == bindparam("_row_id", type_=table.c.id.type), *conditions)
        .values(binds(table, names))
    )


def json_text(column: InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """A JSON column as its text (``CAST(... AS TEXT)``: JSONB on PostgreSQL, text on SQLite)."""
    return sql_cast(column, Text)


def loads_many(texts: Sequence[str | None]) -> Iterator[Any]:
    """The values of *texts* (JSON documents, or None for SQL NULL), in order."""
    for start in range(0, len(texts), PARSE_BATCH):
        part = texts[start : start + PARSE_BATCH]
        yield from json.loads("[" + ",".join(t if t is not None else "null" for t in part) + "]")


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting goes on).

    Work that creates hundreds of thousands of small objects (a feed's
    messages, a report's rows) otherwise triggers collection after
    collection, each walking every object alive: a third of the time of
    building a 100 000-message feed. Threads pausing at the same time share
    the pause; collection resumes as it was when the last one leaves.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
