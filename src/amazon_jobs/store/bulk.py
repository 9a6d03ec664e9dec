"""Executemany UPDATE of many rows, each with its own values, in one round trip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, bindparam, update
from sqlalchemy.orm import DeclarativeBase, Session

__all__ = ["update_rows"]


def update_rows(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[dict[str, Any]],
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> int:
    """Set each row's columns, found by its ``id``; *where* narrows which rows qualify.

    Every dict must hold ``id`` and the same column names. Returns the number
    of rows changed.
    """
    if not rows:
        return 0
    table: Table = model.__table__  # type: ignore[assignment]
    statement = update(table).where(table.c.id == bindparam("_row_id"), *where)
    params = [{"_row_id": row["id"], **{k: v for k, v in row.items() if k != "id"}} for row in rows]
    result = cast(CursorResult[Any], session.execute(statement, params))
    return int(result.rowcount or 0)
