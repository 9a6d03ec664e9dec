"""The engine under every SP-API call, over an injected ``httpx.Client``.

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
from functools import lru_cache
from typing import IO, Any
from urllib.parse import quote

import httpx

from amazon_jobs.amazon.auth import AS_IS, LwaAuth
from amazon_jobs.amazon.models import DocumentLocation
from amazon_jobs.amazon.transport import StdlibTransport
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

__all__ = ["ApiEngine", "Call", "CallRecord", "Observer", "segment"]

DOWNLOAD_CHUNK = 1 << 16


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
class Call:
    """One SP-API operation: which bucket it draws from, where it goes, what success is."""

    operation: Operation
    method: str
    path: str
    ok: frozenset[int] = frozenset({200})
    #: False where repeating the call after a failure could do the work twice.
    retry_safe: bool = True


class ApiEngine:
    """Sends SP-API calls with the policy above; the API classes add one method per operation."""

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
        direct: StdlibTransport | None = None,
    ) -> None:
        self.http = http
        #: *http*'s transport, when it is a :class:`StdlibTransport`: requests go to it
        #: straight (see :meth:`_deliver`).
        self.direct = direct
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth
        self.clock = clock
        self.observer = observer
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()

    def _json(self, call: Call, **kwargs: Any) -> dict[str, Any]:
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

    def _send(self, call: Call, **kwargs: Any) -> httpx.Response:
        url = _url(self.endpoint + call.path)
        last: AmazonError | None = None
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                response = self._request(call.method, url, kwargs)
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

    def _request(self, method: str, url: httpx.URL, kwargs: dict[str, Any]) -> httpx.Response:
        """One exchange, with the token: as ``http.request(..., auth=self.auth)``, and
        through :meth:`LwaAuth.send` when the auth is LWA's (less CPU, same requests)."""
        request = self.http.build_request(method, url, **kwargs)
        auth = self.auth
        if type(auth) is LwaAuth:  # not a subclass: it could change the flow
            return auth.send(self.http, request, deliver=self._deliver)
        return self.http.send(request, auth=auth)

    def _deliver(self, request: httpx.Request) -> httpx.Response:
        """``http.send(request, auth=AS_IS)``: the answer, read to its end.

        With :attr:`direct`, straight to the transport: the same request on the wire
        and the same errors, without httpx's client layer around it (the cookie jar
        that parses every answer, the auth and redirect loops, the event hooks), which
        none of our calls uses and which cost about a fifth of an exchange's CPU.
        """
        transport = self.direct
        if transport is None:
            return self.http.send(request, auth=AS_IS)
        try:
            response = transport.handle_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as httpx's client does
            raise
        response.request = request
        try:
            response.read()
        except BaseException:
            response.close()
            raise
        return response

    def _raw(
        self,
        name: str,
        method: str,
        url: str,
        content: bytes | None,
        headers: Mapping[str, str],
        sink: IO[bytes] | None = None,
    ) -> httpx.Response:
        """A call to a presigned URL: no token, no quota, retried like a safe call.

        With *sink*, the body is streamed into it instead of being kept.
        """
        parsed = httpx.URL(url)  # once, for the record (path only: no signature) and the calls
        call = Call(Operation.GET_FEED_DOCUMENT, method, parsed.path)
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                response = self._exchange(method, parsed, content, headers, sink)
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

    def _exchange(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        headers: Mapping[str, str],
        sink: IO[bytes] | None,
    ) -> httpx.Response:
        if sink is None:
            request = self.http.build_request(method, url, content=content, headers=dict(headers))
            return self._deliver(request)
        with self.http.stream(method, url, headers=dict(headers)) as response:
            if response.status_code == 200:
                sink.seek(0)
                sink.truncate()
                for chunk in response.iter_raw(DOWNLOAD_CHUNK):
                    sink.write(chunk)
            else:
                response.read()
            return response

    def download(self, location: DocumentLocation) -> tuple[bytes, str | None]:
        """A document's bytes, decompressed, and the charset its Content-Type names."""
        response = self._raw("downloadDocument", "GET", location.url, None, {})
        content = response.content
        if location.compression_algorithm == "GZIP" and content[:2] == GZIP_MAGIC:
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError, zlib.error) as exc:
                raise _not_gzip(location, exc) from exc
        return content, response.charset_encoding

    def download_to(self, location: DocumentLocation, sink: IO[bytes]) -> str | None:
        """Stream a document as served (maybe gzip) into *sink*; return its charset."""
        response = self._raw("downloadDocument", "GET", location.url, None, {}, sink)
        return response.charset_encoding

    def _observe(
        self,
        call: Call,
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
        call: Call,
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


GZIP_MAGIC = b"\x1f\x8b"


def _not_gzip(location: DocumentLocation, exc: Exception) -> AmazonDocumentError:
    return AmazonDocumentError(
        f"document {location.document_id} is not valid gzip: {exc}",
        operation="downloadDocument",
    )


def _status_error(call: Call, response: httpx.Response) -> AmazonError:
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


def segment(value: str) -> str:
    """*value* as one URL path segment."""
    return quote(value, safe="")


@lru_cache(maxsize=512)
def _url(text: str) -> httpx.URL:
    """*text* parsed; an operation's URL recurs (a feed polled, a fixed path), and a URL
    does not change, so each is parsed once."""
    return httpx.URL(text)
