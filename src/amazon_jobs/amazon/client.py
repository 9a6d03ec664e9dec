"""The SP-API client: one method per operation, over an injected ``httpx.Client``.

Policy lives here, I/O in the transport: the caller hands in the
``httpx.Client`` (a real one, or one over ``httpx.MockTransport`` in unit
tests). Each call:

- carries the LWA access token (:class:`~amazon_jobs.amazon.auth.LwaAuth`);
- reports a :class:`CallRecord` (operation, status, ``x-amzn-RequestId``,
  ``x-amzn-RateLimit-Limit``) to the observer, which writes the job log and
  adopts announced rates;
- on 5xx or a failed connection, is retried with exponential backoff through
  the clock when the operation is safe to repeat; createFeed is not, since a
  repeat could submit the feed twice, so its failure goes to the caller;
- on 429 raises :class:`AmazonThrottled` at once: the caller empties its
  bucket and reschedules the step after the refill.
"""

from __future__ import annotations

import gzip
import random
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from amazon_jobs.amazon.models import DocumentLocation, DocumentUpload, Feed
from amazon_jobs.clock import Clock
from amazon_jobs.domain.backoff import retry_delay
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import (
    AmazonClientError,
    AmazonDocumentError,
    AmazonError,
    AmazonServerError,
    AmazonThrottled,
)

__all__ = ["CallRecord", "Observer", "SpApiClient"]

FEEDS = "/feeds/2021-06-30"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What one HTTP exchange with Amazon looked like (no secrets in it)."""

    operation: str
    method: str
    path: str
    status: int | None
    request_id: str | None
    rate_limit: str | None
    attempt: int
    elapsed_s: float
    error: str | None = None


Observer = Callable[[CallRecord], None]


def _ignore(_record: CallRecord) -> None:
    return None


@dataclass(frozen=True, slots=True)
class _Call:
    operation: Operation
    method: str
    path: str
    ok: frozenset[int]
    retry_safe: bool = True


class SpApiClient:
    """Typed access to the SP-API operations amazon-jobs uses."""

    def __init__(
        self,
        http: httpx.Client,
        endpoint: str,
        auth: httpx.Auth,
        clock: Clock,
        *,
        observer: Observer = _ignore,
        max_attempts: int = 4,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth
        self.clock = clock
        self.observer = observer
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()

    # Feeds API 2021-06-30

    def create_feed_document(self, content_type: str) -> DocumentUpload:
        call = _Call(Operation.CREATE_FEED_DOCUMENT, "POST", f"{FEEDS}/documents", _OK_201)
        body = self._json(call, json={"contentType": content_type})
        return DocumentUpload.from_api(body)

    def upload_document(self, url: str, content: bytes, content_type: str) -> None:
        """PUT *content* to a presigned upload URL (no token, no quota)."""
        self._raw("uploadFeedDocument", "PUT", url, content, {"Content-Type": content_type})

    def create_feed(
        self, feed_type: str, marketplace_ids: list[str], input_document_id: str
    ) -> str:
        call = _Call(Operation.CREATE_FEED, "POST", f"{FEEDS}/feeds", _OK_202, retry_safe=False)
        spec = {
            "feedType": feed_type,
            "marketplaceIds": marketplace_ids,
            "inputFeedDocumentId": input_document_id,
        }
        return str(self._json(call, json=spec)["feedId"])

    def get_feed(self, feed_id: str) -> Feed:
        call = _Call(Operation.GET_FEED, "GET", f"{FEEDS}/feeds/{_seg(feed_id)}", _OK_200)
        return Feed.from_api(self._json(call))

    def get_feed_document(self, document_id: str) -> DocumentLocation:
        path = f"{FEEDS}/documents/{_seg(document_id)}"
        call = _Call(Operation.GET_FEED_DOCUMENT, "GET", path, _OK_200)
        return DocumentLocation.from_api(self._json(call), id_field="feedDocumentId")

    def download_document(self, location: DocumentLocation) -> tuple[bytes, str | None]:
        """The document's bytes, decompressed, and the charset its Content-Type names."""
        response = self._raw("downloadDocument", "GET", location.url, None, {})
        content = response.content
        if location.compression_algorithm == "GZIP" and content[:2] == b"\x1f\x8b":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError, zlib.error) as exc:
                raise AmazonDocumentError(
                    f"document {location.document_id} is not valid gzip: {exc}",
                    operation="downloadDocument",
                ) from exc
        return content, response.charset_encoding

    # The engine

    def _json(self, call: _Call, **kwargs: Any) -> dict[str, Any]:
        response = self._send(call, **kwargs)
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError as exc:
            raise AmazonServerError(
                f"{call.operation} answered HTTP {response.status_code} with a body that is "
                "not JSON",
                operation=call.operation,
                status=response.status_code,
                request_id=response.headers.get("x-amzn-RequestId"),
            ) from exc
        if not isinstance(body, dict):
            raise AmazonServerError(f"{call.operation} answered with unexpected JSON")
        return body

    def _send(self, call: _Call, **kwargs: Any) -> httpx.Response:
        url = self.endpoint + call.path
        last: AmazonError | None = None
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                response = self.http.request(call.method, url, auth=self.auth, **kwargs)
            except httpx.HTTPError as exc:
                last = self._transport_failure(call, attempt, started, exc)
            else:
                self._observe(call, attempt, started, response)
                if response.status_code in call.ok:
                    return response
                last = _status_error(call, response)
                if not isinstance(last, AmazonServerError):
                    raise last
            if not call.retry_safe or attempt == self.max_attempts:
                break
            self.clock.sleep(retry_delay(attempt, self.rng))
        assert last is not None
        raise last

    def _raw(
        self,
        name: str,
        method: str,
        url: str,
        content: bytes | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        """A call to a presigned URL: no token, no quota, retried like a safe call."""
        call = _Call(Operation.GET_FEED_DOCUMENT, method, _path_only(url), frozenset({200}))
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                response = self.http.request(method, url, content=content, headers=dict(headers))
            except httpx.HTTPError as exc:
                self._transport_failure(call, attempt, started, exc, name=name)
            else:
                self._observe(call, attempt, started, response, name=name)
                if response.status_code == 200:
                    return response
                if response.status_code < 500:
                    raise AmazonDocumentError(
                        f"{name} refused with HTTP {response.status_code} (the presigned URL "
                        "may have expired)",
                        operation=name,
                        status=response.status_code,
                    )
            if attempt < self.max_attempts:
                self.clock.sleep(retry_delay(attempt, self.rng))
        raise AmazonDocumentError(f"{name} failed after {self.max_attempts} attempts")

    def _observe(
        self,
        call: _Call,
        attempt: int,
        started: float,
        response: httpx.Response,
        name: str | None = None,
    ) -> None:
        self.observer(
            CallRecord(
                operation=name or str(call.operation),
                method=call.method,
                path=call.path,
                status=response.status_code,
                request_id=response.headers.get("x-amzn-RequestId"),
                rate_limit=response.headers.get("x-amzn-RateLimit-Limit"),
                attempt=attempt,
                elapsed_s=time.perf_counter() - started,
            )
        )

    def _transport_failure(
        self,
        call: _Call,
        attempt: int,
        started: float,
        exc: httpx.HTTPError,
        name: str | None = None,
    ) -> AmazonServerError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
        message = f"{name or call.operation} {kind}: {type(exc).__name__}"
        self.observer(
            CallRecord(
                operation=name or str(call.operation),
                method=call.method,
                path=call.path,
                status=None,
                request_id=None,
                rate_limit=None,
                attempt=attempt,
                elapsed_s=time.perf_counter() - started,
                error=message,
            )
        )
        return AmazonServerError(message, operation=name or str(call.operation))


_OK_200 = frozenset({200})
_OK_201 = frozenset({201})
_OK_202 = frozenset({202})


def _status_error(call: _Call, response: httpx.Response) -> AmazonError:
    request_id = response.headers.get("x-amzn-RequestId")
    code, message = _first_error(response)
    where = f"{call.operation} answered HTTP {response.status_code}"
    detail = f" {code}: {message}" if code or message else ""
    suffix = f" (request id {request_id})" if request_id else ""
    fields: dict[str, Any] = {
        "operation": str(call.operation),
        "status": response.status_code,
        "request_id": request_id,
        "code": code,
    }
    if response.status_code == 429:
        return AmazonThrottled(0.0, message=f"{where}: quota exceeded{suffix}", **fields)
    if response.status_code >= 500:
        return AmazonServerError(f"{where}{detail}{suffix}", **fields)
    return AmazonClientError(f"{where}{detail}{suffix}", **fields)


def _first_error(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        errors = response.json().get("errors") or []
        first = errors[0]
        return str(first.get("code") or "") or None, str(first.get("message") or "") or None
    except (ValueError, AttributeError, IndexError, TypeError):
        return None, None


def _seg(value: str) -> str:
    """*value* as one URL path segment."""
    return quote(value, safe="")


def _path_only(url: str) -> str:
    """The path of a presigned URL, without its signature."""
    return httpx.URL(url).path
