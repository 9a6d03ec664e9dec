"""Where documents live: the simulator's stand-in for Amazon's S3 bucket, and their URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amazon_jobs.simulator.common.presign import UrlSigner
from amazon_jobs.simulator.common.query import Params
from amazon_jobs.simulator.models import StoredDocument

__all__ = [
    "GZIP_ENCODING_PARAM",
    "S3_PREFIX",
    "document_json",
    "document_path",
    "download_url",
    "upload_url",
]

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


def document_json(
    signer: UrlSigner,
    base_url: str,
    document: StoredDocument,
    now: datetime,
    params: Params,
    id_field: str,
) -> dict[str, Any]:
    """The model's ``FeedDocument`` or ``ReportDocument`` (its id under *id_field*).

    ``enableContentEncodingUrlHeader=true`` in *params* makes the URL of a
    compressed document answer with ``Content-Encoding: gzip``.
    """
    wants_header = any(k == "enableContentEncodingUrlHeader" and v == "true" for k, v in params)
    url = download_url(signer, base_url, document, now, wants_header and document.compressed)
    body: dict[str, Any] = {id_field: document.document_id, "url": url}
    if document.compressed:
        body["compressionAlgorithm"] = "GZIP"
    return body
