"""The documents a job exchanged with Amazon, kept (gzip) so a seller can download them."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from amazon_jobs.store.models import JobDocument

__all__ = ["Document", "get_document", "save_document"]

#: Documents larger than this are not kept (a huge feed costs more than it helps).
MAX_KEPT_BYTES = 50 * 1024 * 1024
_EXTENSIONS = {"application/json": "json", "text/plain": "txt", "text/xml": "xml"}


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content_type: str
    content: bytes


def save_document(
    session: Session, job_id: int, kind: str, content_type: str, content: bytes, now: datetime
) -> None:
    """Keep *content* as the job's *kind* document ("feed" or "result"), replacing any."""
    session.execute(
        delete(JobDocument).where(JobDocument.job_id == job_id, JobDocument.kind == kind)
    )
    if len(content) > MAX_KEPT_BYTES:
        return
    session.add(
        JobDocument(
            job_id=job_id,
            kind=kind,
            content_type=content_type,
            gzipped=gzip.compress(content, compresslevel=6, mtime=0),
            created_at=now,
        )
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
