"""Where documents live: the simulator's stand-in for Amazon's S3 bucket."""

from __future__ import annotations

from datetime import datetime

from amazon_jobs.simulator.models import StoredDocument
from amazon_jobs.simulator.presign import UrlSigner

__all__ = ["GZIP_ENCODING_PARAM", "S3_PREFIX", "document_path", "download_url", "upload_url"]

#: Not an SP-API path: no access token, no throttling, like S3.
S3_PREFIX = "/_s3/tortuga"
#: S3's query parameter that overrides the Content-Encoding of a download.
GZIP_ENCODING_PARAM = "response-content-encoding"


def document_path(document_id: str) -> str:
    return f"{S3_PREFIX}/{document_id}"


def upload_url(signer: UrlSigner, base_url: str, document: StoredDocument, now: datetime) -> str:
    """A PUT URL that accepts exactly the document's content type."""
    path = document_path(document.document_id)
    return f"{base_url}{path}?{signer.query('PUT', path, now, document.content_type)}"


def download_url(
    signer: UrlSigner, base_url: str, document: StoredDocument, now: datetime, gzip_header: bool
) -> str:
    """A GET URL; with *gzip_header* the download says ``Content-Encoding: gzip``."""
    path = document_path(document.document_id)
    extra = {GZIP_ENCODING_PARAM: "gzip"} if gzip_header else None
    return f"{base_url}{path}?{signer.query('GET', path, now, extra=extra)}"
