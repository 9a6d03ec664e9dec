"""Presigned document URLs: upload (PUT) and download (GET), answered like S3.

No access token and no throttling; the URL's signature and expiry are the only
checks, and refusals are S3's XML errors.
"""

from __future__ import annotations

import hashlib
import uuid
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from amazon_jobs.simulator.common.presign import UrlRefusal
from amazon_jobs.simulator.common.urls import GZIP_ENCODING_PARAM, S3_PREFIX, document_path
from amazon_jobs.simulator.state import Simulator

__all__ = ["s3_router"]


def s3_router(simulator: Simulator) -> APIRouter:
    """PUT and GET of ``/_s3/tortuga/{document_id}``."""
    router = APIRouter(prefix=S3_PREFIX)

    @router.put("/{document_id}")
    async def upload(request: Request, document_id: str) -> Response:
        body = await request.body()
        params = dict(request.query_params)
        content_type = request.headers.get("content-type", "")
        return await run_in_threadpool(_upload, simulator, document_id, params, content_type, body)

    @router.get("/{document_id}")
    async def download(request: Request, document_id: str) -> Response:
        params = dict(request.query_params)
        return await run_in_threadpool(_download, simulator, document_id, params)

    return router


def _upload(
    simulator: Simulator,
    document_id: str,
    params: dict[str, str],
    content_type: str,
    body: bytes,
) -> Response:
    with simulator.lock:
        now = simulator.sync()
        path = document_path(document_id)
        refusal = simulator.signer.check("PUT", path, params, content_type, now)
        if refusal is not None:
            return _error(403, refusal)
        document = simulator.documents.get(document_id)
        if document is None:
            return _error(404, UrlRefusal("NoSuchKey", "The specified key does not exist."))
        document.content = body
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    return Response(status_code=200, headers={**_ids(), "ETag": etag})


def _download(simulator: Simulator, document_id: str, params: dict[str, str]) -> Response:
    with simulator.lock:
        now = simulator.sync()
        refusal = simulator.signer.check("GET", document_path(document_id), params, "", now)
        if refusal is not None:
            return _error(403, refusal)
        document = simulator.documents.get(document_id)
        if document is None or document.content is None:
            return _error(404, UrlRefusal("NoSuchKey", "The specified key does not exist."))
        headers = _ids()
        if GZIP_ENCODING_PARAM in params:
            headers["Content-Encoding"] = params[GZIP_ENCODING_PARAM]
        content = document.content
        if document.result and simulator.faults.take_corruption():
            content = _truncated(content, document.compressed)  # an injected fault
        return Response(content, 200, headers, media_type=document.content_type)


def _truncated(content: bytes, compressed: bool) -> bytes:
    """*content* cut in half; text is cut in the middle of the line where its half falls,
    so a tab-separated report ends inside a row, never between two."""
    half = len(content) // 2
    if compressed:
        return content[:half]
    start = content.rfind(b"\n", 0, half) + 1
    end = content.find(b"\n", half)
    end = len(content) if end < 0 else end
    return content[: max(start + 1, (start + end) // 2)]


def _error(status: int, refusal: UrlRefusal) -> Response:
    request_id = uuid.uuid4().hex[:16].upper()
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(refusal.code)}</Code><Message>{escape(refusal.message)}</Message>"
        f"<RequestId>{request_id}</RequestId></Error>"
    )
    return Response(xml, status, {"x-amz-request-id": request_id}, media_type="application/xml")


def _ids() -> dict[str, str]:
    return {"x-amz-request-id": uuid.uuid4().hex[:16].upper()}
