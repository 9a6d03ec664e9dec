"""The documents a job exchanged with Amazon, kept (gzip) so a seller can download them."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from amazon_jobs.store.models import JobDocument
from amazon_jobs.store.prepared import Prepared, binds

__all__ = ["Document", "get_document", "save_document"]

#: Documents larger than this are not kept (a huge feed costs more than it helps).
MAX_KEPT_BYTES = 50 * 1024 * 1024
_EXTENSIONS = {"application/json": "json", "text/plain": "txt", "text/xml": "xml"}
_TABLE = cast(Table, JobDocument.__table__)
#: Replacing a job's document, prepared once (every feed job keeps two).
_DELETE = Prepared(
    delete(_TABLE).where(
        _TABLE.c.job_id == bindparam("job_id", type_=_TABLE.c.job_id.type),
        _TABLE.c.kind == bindparam("kind", type_=_TABLE.c.kind.type),
    )
)


def _upsert(insert: Callable[[Table], Any]) -> Prepared:
    """Insert a job's document, or replace the one of its kind, in one statement."""
    statement = insert(_TABLE).values(
        binds(_TABLE, ("job_id", "kind", "content_type", "gzipped", "created_at"))
    )
    kept = ("content_type", "gzipped", "created_at")
    return Prepared(
        statement.on_conflict_do_update(
            index_elements=[_TABLE.c.job_id, _TABLE.c.kind],
            set_={name: statement.excluded[name] for name in kept},
        )
    )


#: The upsert of each dialect (both know ``ON CONFLICT ... DO UPDATE``).
_UPSERTS = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(pg_insert)}


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content_type: str
    content: bytes


def save_document(
    session: Session, job_id: int, kind: str, content_type: str, content: bytes, now: datetime
) -> None:
    """Keep *content* as the job's *kind* document ("feed" or "result"), replacing any."""
    if len(content) > MAX_KEPT_BYTES:
        _DELETE.run(session, {"job_id": job_id, "kind": kind})
        return
    _UPSERTS[session.connection().dialect.name].run(
        session,
        {
            "job_id": job_id,
            "kind": kind,
            "content_type": content_type,
            "gzipped": gzip.compress(content, compresslevel=6, mtime=0),
            "created_at": now,
        },
    )


def get_document(session: Session, job_id: int, kind: str) -> Document | None:
    row = session.get(JobDocument, (job_id, kind))
    if row is None:
        return None
    base = row.content_type.split(";")[0].strip()
    extension = _EXTENSIONS.get(base, "bin")
    return Document(
        f"job-{job_id}-{kind}.{extension}", row.content_type, gzip.decompress(row.gzipped)
    )
