"""A keep-alive HTTP/1.1 transport for ``httpx`` over the standard library's sockets.

httpx's default transport (httpcore over h11) spends about twice the CPU of
the standard library on each small exchange, and a worker makes two SP-API
exchanges per job step. :class:`StdlibTransport` puts on the wire the bytes
httpcore puts there (the request line, the headers in the request's order
with ``Host`` first, the body framed by its ``Content-Length`` or chunked)
and reads the answer as h11 does (status line, header fields checked against
the same grammar, the body framed by ``Transfer-Encoding: chunked``, else
``Content-Length``, else the end of the connection; none after HEAD, 204 and
304; interim 1xx answers skipped); the client, requests and responses stay
httpx's, and so do the errors:

- connecting: ``ConnectTimeout`` / ``ConnectError`` (TLS included);
- sending: ``WriteTimeout``; any other failure to send is left for the read
  to report, as httpcore does (a server may answer before it closes);
- reading: ``ReadTimeout``, ``ReadError``, and ``RemoteProtocolError`` when
  the server closes without an answer, sends a malformed one, or cuts a body
  short.

A connection is kept for the next request only when the answer was read to
its end and neither side said ``Connection: close`` (nor answered HTTP/1.0).

Connections are kept per origin (at most :data:`MAX_IDLE` idle ones, each
for :data:`KEEPALIVE_EXPIRY` seconds, httpx's defaults) and shared by
threads: a connection is used by one request at a time. An idle connection
that the server has closed (its socket reads as ready: end of file) or that
has expired is dropped before a request goes out, and a request is never
sent a second time: a failure goes to the caller, who decides whether a
repeat is safe. No proxies, no HTTP/2: :class:`AmazonGateway` uses this
transport only where httpx would connect directly over HTTP/1.1.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import httpx

__all__ = ["KEEPALIVE_EXPIRY", "MAX_IDLE", "StdlibTransport"]

#: Idle connections kept at most, over all origins (httpx's default).
MAX_IDLE = 20
#: Seconds an idle connection is kept (httpx's default).
KEEPALIVE_EXPIRY = 5.0
#: Bytes read from a response body at a time.
READ_CHUNK = 1 << 16
#: A body up to this size goes out in one write with its headers.
COALESCE_LIMIT = 1 << 20
DEFAULT_PORTS = {"http": 80, "https": 443}

#: Longest status line, header line or chunk-size line read (h11 allows 16 KiB for
#: a whole head, http.client 64 KiB a line).
MAX_LINE = 1 << 14
#: Most header fields read in an answer (http.client's limit).
MAX_FIELDS = 100

# The grammar h11 checks header fields against (RFC 7230 token, field-value).
_FIELD_NAME = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")
_FIELD_VALUE = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")
_STATUS_LINE = re.compile(rb"HTTP/([0-9]\.[0-9]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?\r?\n")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,20})[ \t]*(?:;[^\r\n]*)?\r?\n")

Origin = tuple[str, str, int]


@dataclass(eq=False)
class _Connection:
    """One socket to an origin, and when it last went idle."""

    sock: socket.socket
    idle_since: float = field(default_factory=time.monotonic)

    def stale(self, now: float) -> bool:
        """Expired, or closed by the server (readable while idle means end of file)."""
        if now - self.idle_since > KEEPALIVE_EXPIRY:
            return True
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True
        return _readable(self.sock)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class StdlibTransport(httpx.BaseTransport):
    """HTTP/1.1 with keep-alive over :mod:`socket`, :mod:`ssl` and :mod:`http.client`."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}
        self._idle_count = 0
        self._lock = threading.Lock()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin = _origin(request.url)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        head, body, chunked, close = _serialise(request)
        conn = self._checkout(origin, timeouts.get("connect"), request)
        fp = conn.sock.makefile("rb")
        try:
            _send(conn.sock, head, body, chunked, timeouts.get("write"), request)
            conn.sock.settimeout(timeouts.get("read"))
            answer = _read_head(fp, request)
        except BaseException:
            fp.close()
            conn.close()
            raise
        return httpx.Response(
            answer.status,
            headers=answer.fields,
            stream=_Body(
                self, origin, conn, answer, request, reusable=answer.keep_alive and not close
            ),
            extensions={"http_version": answer.version, "reason_phrase": answer.reason},
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
            self._idle_count = 0
        for conn in idle:
            conn.close()

    def _checkout(
        self, origin: Origin, connect_timeout: float | None, request: httpx.Request
    ) -> _Connection:
        """An idle connection to *origin* that is still open, or a new one."""
        now = time.monotonic()
        while True:
            with self._lock:
                conns = self._idle.get(origin)
                if not conns:
                    break
                conn = conns.pop()
                self._idle_count -= 1
            if not conn.stale(now):
                return conn
            conn.close()
        return _Connection(self._connect(origin, connect_timeout, request))

    def _release(self, origin: Origin, conn: _Connection) -> None:
        """Keep *conn* for the next request to *origin*, or close it if the pool is full."""
        conn.idle_since = time.monotonic()
        with self._lock:
            if not self._closed and self._idle_count < MAX_IDLE:
                self._idle.setdefault(origin, []).append(conn)
                self._idle_count += 1
                return
        conn.close()

    def _connect(
        self, origin: Origin, timeout: float | None, request: httpx.Request
    ) -> socket.socket:
        scheme, host, port = origin
        try:
            sock = socket.create_connection((host, port), timeout)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc), request=request) from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                return self._tls_context().wrap_socket(sock, server_hostname=host)
        except TimeoutError as exc:
            sock.close()
            raise httpx.ConnectTimeout(str(exc), request=request) from exc
        except OSError as exc:
            sock.close()
            raise httpx.ConnectError(str(exc), request=request) from exc
        except BaseException:
            sock.close()
            raise
        return sock

    def _tls_context(self) -> ssl.SSLContext:
        """httpx's own context (certifi's roots, ``SSL_CERT_FILE``), offering HTTP/1.1."""
        with self._lock:
            if self._ssl_context is None:
                self._ssl_context = httpx.create_ssl_context()
                self._ssl_context.set_alpn_protocols(["http/1.1"])
            return self._ssl_context


@dataclass
class _Head:
    """An answer's status line and header fields, and how its body is framed."""

    fp: BinaryIO
    version: bytes
    status: int
    reason: bytes
    fields: list[tuple[bytes, bytes]]
    #: "chunked", "length" (then *length* bytes) or "close" (to the end of the connection).
    framing: str
    length: int
    keep_alive: bool


class _Body(httpx.SyncByteStream):
    """A response body read from its connection; the connection goes back when it is done."""

    def __init__(
        self,
        transport: StdlibTransport,
        origin: Origin,
        conn: _Connection,
        head: _Head,
        request: httpx.Request,
        *,
        reusable: bool,
    ) -> None:
        self._transport = transport
        self._origin = origin
        self._conn: _Connection | None = conn
        self._head = head
        self._request = request
        self._reusable = reusable and head.framing != "close"
        self._complete = head.framing == "length" and head.length == 0

    def __iter__(self) -> Iterator[bytes]:
        if self._complete:
            return
        head, request = self._head, self._request
        try:
            if head.framing == "chunked":
                yield from _chunked(head.fp, request)
            elif head.framing == "length":
                yield from _sized(head.fp, head.length, request)
            else:
                yield from iter(lambda: head.fp.read(READ_CHUNK), b"")
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        self._complete = True

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        self._head.fp.close()
        if self._complete and self._reusable:
            self._transport._release(self._origin, conn)
        else:
            conn.close()


def _origin(url: httpx.URL) -> Origin:
    scheme = url.scheme
    if scheme not in DEFAULT_PORTS:
        raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{scheme}://'.")
    host = url.raw_host.decode("ascii")
    if not host:
        raise httpx.UnsupportedProtocol("Request URL is missing a host.")
    return scheme, host, url.port or DEFAULT_PORTS[scheme]


def _serialise(request: httpx.Request) -> tuple[bytes, bytes | None, bool, bool]:
    """The request line and headers as h11 writes them, the body, whether it is chunked,
    and whether the request asks to close the connection after it."""
    hosts, others = [], []
    length: bytes | None = None
    chunked = close = False
    for name, value in request.headers.raw:
        if not _FIELD_NAME.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
            raise httpx.LocalProtocolError(f"illegal header {name!r}", request=request)
        lower = name.lower()
        if lower == b"host":
            hosts.append(b"%s: %s\r\n" % (name, value))
            continue
        if lower == b"content-length":
            if length is not None:
                if value != length:
                    raise httpx.LocalProtocolError("conflicting Content-Length", request=request)
                continue
            length = value
        elif lower == b"transfer-encoding":
            value = value.lower()
            if value != b"chunked" or chunked:
                raise httpx.LocalProtocolError("only chunked transfers", request=request)
            chunked = True
        elif lower == b"connection":
            close = close or b"close" in _tokens(value)
        others.append(b"%s: %s\r\n" % (name, value))
    if not hosts:
        raise httpx.LocalProtocolError("Missing mandatory Host: header", request=request)
    line = b"%s %s HTTP/1.1\r\n" % (request.method.encode("ascii"), request.url.raw_path)
    head = b"".join([line, *hosts, *others, b"\r\n"])
    if chunked:
        return head, None, True, close
    if length is not None and not length.isdigit():
        raise httpx.LocalProtocolError("malformed Content-Length", request=request)
    body = b"".join(request.stream)  # type: ignore[arg-type]
    if len(body) != (0 if length is None else int(length)):
        raise httpx.LocalProtocolError(
            "body does not match its declared Content-Length", request=request
        )
    return head, body, False, close


def _send(
    sock: socket.socket,
    head: bytes,
    body: bytes | None,
    chunked: bool,
    timeout: float | None,
    request: httpx.Request,
) -> None:
    """Write the request; a failure other than a timeout is left for the read to report."""
    sock.settimeout(timeout)
    try:
        if chunked:
            sock.sendall(head)
            for chunk in request.stream:  # type: ignore[union-attr]
                if chunk:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        elif body and len(body) > COALESCE_LIMIT:
            sock.sendall(head)
            sock.sendall(body)
        else:
            sock.sendall(head + body if body else head)
    except TimeoutError as exc:
        raise httpx.WriteTimeout(str(exc), request=request) from exc
    except OSError:
        pass  # the server may have answered before closing: read what it sent


def _read_head(fp: BinaryIO, request: httpx.Request) -> _Head:
    """The answer's status line and header fields (interim 1xx answers skipped)."""
    try:
        while True:
            line = fp.readline(MAX_LINE + 1)
            if not line:
                raise _protocol("Server disconnected without sending a response.", request)
            status_line = _STATUS_LINE.fullmatch(line)
            if status_line is None:
                raise _protocol("malformed status line", request)
            fields = _read_fields(fp, request)
            status = int(status_line[2])
            if not 100 <= status < 200 or status == 101:
                break
    except TimeoutError as exc:
        raise httpx.ReadTimeout(str(exc), request=request) from exc
    except OSError as exc:
        raise httpx.ReadError(str(exc), request=request) from exc
    version = status_line[1]
    framing, length = _framing(request.method, status, fields, request)
    connection = [t for n, v in fields if n.lower() == b"connection" for t in _tokens(v)]
    return _Head(
        fp,
        b"HTTP/" + version,
        status,
        status_line[3] or b"",
        fields,
        framing,
        length,
        keep_alive=version >= b"1.1" and b"close" not in connection and status != 101,
    )


def _read_fields(fp: BinaryIO, request: httpx.Request) -> list[tuple[bytes, bytes]]:
    """Header fields up to the empty line; folded lines joined with a space, as h11 does."""
    fields: list[tuple[bytes, bytes]] = []
    while True:
        line = fp.readline(MAX_LINE + 1)
        if line in (b"\r\n", b"\n"):
            return fields
        if not line.endswith(b"\n"):
            raise _protocol("incomplete or overlong header line", request)
        line = line.rstrip(b"\r\n")
        if line[:1] in (b" ", b"\t"):
            if not fields:
                raise _protocol("continuation line before any header field", request)
            name, value = fields[-1]
            fields[-1] = (name, _field_value(value + b" " + line.strip(b" \t"), request))
            continue
        name, colon, value = line.partition(b":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            raise _protocol("malformed header field", request)
        fields.append((name, _field_value(value.strip(b" \t"), request)))
        if len(fields) > MAX_FIELDS:
            raise _protocol(f"more than {MAX_FIELDS} header fields", request)


def _field_value(value: bytes, request: httpx.Request) -> bytes:
    if not _FIELD_VALUE.fullmatch(value):
        raise _protocol("illegal header field value", request)
    return value


def _framing(
    method: str, status: int, fields: list[tuple[bytes, bytes]], request: httpx.Request
) -> tuple[str, int]:
    """How the body ends (h11's rules): none, chunked, a length, or the connection's end."""
    if status in (204, 304) or status < 200 or method == "HEAD":
        return "length", 0
    encodings = [t for n, v in fields if n.lower() == b"transfer-encoding" for t in _tokens(v)]
    if encodings:
        if encodings != [b"chunked"]:
            raise _protocol("unsupported Transfer-Encoding", request)
        return "chunked", 0
    lengths = {t for n, v in fields if n.lower() == b"content-length" for t in _tokens(v)}
    if not lengths:
        return "close", 0
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        raise _protocol("bad Content-Length", request)
    return "length", int(lengths.pop())


def _sized(fp: BinaryIO, length: int, request: httpx.Request) -> Iterator[bytes]:
    received = 0
    while received < length:
        chunk = fp.read(min(length - received, READ_CHUNK))
        if not chunk:
            raise _protocol(
                "peer closed connection without sending complete message body: "
                f"received {received} bytes, expected {length}",
                request,
            )
        received += len(chunk)
        yield chunk


def _chunked(fp: BinaryIO, request: httpx.Request) -> Iterator[bytes]:
    while True:
        size_line = _CHUNK_SIZE.fullmatch(fp.readline(MAX_LINE + 1))
        if size_line is None:
            raise _protocol("malformed or missing chunk size", request)
        size = int(size_line[1], 16)
        if size == 0:
            _read_fields(fp, request)  # the trailer, dropped as httpcore drops it
            return
        yield from _sized(fp, size, request)
        if fp.readline(3) not in (b"\r\n", b"\n"):
            raise _protocol("chunk not followed by its line end", request)


def _tokens(value: bytes) -> list[bytes]:
    """A comma-separated header value's items, lower case (h11's ``get_comma_header``)."""
    return [t.strip(b" \t").lower() for t in value.split(b",") if t.strip(b" \t")]


def _protocol(message: str, request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(message, request=request)


def _readable(sock: socket.socket) -> bool:
    """Whether *sock* has something to read (or reached end of file), without waiting."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    ready, _, _ = select.select([sock], [], [], 0)
    return bool(ready)
