"""StdlibTransport against a raw socket server: the bytes httpx's own transport sends,
keep-alive, stale connections, the errors httpx raises, no request sent twice."""

from __future__ import annotations

import io
import json
import random
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial

import httpx
import pytest
from pydantic import SecretStr

from amazon_jobs.amazon import gateway
from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.amazon.models import DocumentLocation
from amazon_jobs.amazon.transport import StdlibTransport
from amazon_jobs.errors import AmazonError, AmazonServerError

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
TOKEN = json.dumps({"access_token": "Atza|t", "expires_in": 3600}).encode()

Handler = Callable[[socket.socket, "Server"], None]


class Server:
    """Accepts connections on 127.0.0.1 and hands each to *handler* in a thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.connections = 0
        self.closed = threading.Event()
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            self.handler(conn, self)

    def read_request(self, conn: socket.socket) -> bytes | None:
        """One request's bytes (head and Content-Length body), or None at end of file."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += conn.recv(65536)
        self.requests.append(head + b"\r\n\r\n" + body)
        return head

    def close(self) -> None:
        self.listener.close()


@contextmanager
def serving(handler: Handler) -> Iterator[Server]:
    server = Server(handler)
    try:
        yield server
    finally:
        server.close()


def answering(*answers: bytes) -> Handler:
    """Answer each request on a connection with the next of *answers* (the last repeats)."""

    def handler(conn: socket.socket, server: Server) -> None:
        n = 0
        while server.read_request(conn) is not None:
            conn.sendall(answers[min(n, len(answers) - 1)])
            n += 1

    return handler


def client(transport: httpx.BaseTransport, timeout: float = 5.0) -> httpx.Client:
    """Configured as AmazonGateway configures its client."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        transport=transport,
        headers={"user-agent": "amazon-jobs/0.1 (Language=Python)"},
        follow_redirects=False,
    )


def test_the_bytes_on_the_wire_are_httpx_own():
    sent: dict[str, list[bytes]] = {}
    for name, transport in (("httpx", httpx.HTTPTransport()), ("stdlib", StdlibTransport())):
        with serving(answering(OK)) as server, client(transport) as http:
            base = server.url
            http.get(f"{base}/feeds/2021-06-30/feeds/F%201", headers={"x-amz-access-token": "A"})
            http.get(f"{base}/orders", params={"MarketplaceIds": "A1,B2", "q": "a b"})
            http.post(f"{base}/feeds/2021-06-30/documents", json={"contentType": "text/x; a=1"})
            http.put(f"{base}/_s3/d?sig=x%2By", content=b"\x00" * 3000, headers={"X-Up": "1"})
            http.delete(f"{base}/feeds/2021-06-30/feeds/F1")
            http.post(f"{base}/auth/o2/token", data={"grant_type": "refresh_token", "a": "b c"})
            sent[name] = [r.replace(base.encode(), b"") for r in server.requests]
            sent[name] = [r.replace(server.url[7:].encode(), b"HOST") for r in sent[name]]
    assert sent["stdlib"] == sent["httpx"]
    assert sent["stdlib"][0].startswith(b"GET /feeds/2021-06-30/feeds/F%201 HTTP/1.1\r\nHost: HOST")


def test_one_connection_is_kept_for_the_requests_that_follow():
    with serving(answering(OK)) as server, client(StdlibTransport()) as http:
        assert [http.get(f"{server.url}/x").json() for _ in range(5)] == [{}] * 5
    assert server.connections == 1


def test_a_connection_the_server_closed_is_replaced_and_nothing_is_sent_twice():
    def close_after_one(conn: socket.socket, server: Server) -> None:
        if server.read_request(conn) is not None:
            conn.sendall(OK)
        conn.shutdown(socket.SHUT_RDWR)
        server.closed.set()

    with serving(close_after_one) as server, client(StdlibTransport()) as http:
        http.get(f"{server.url}/first")
        assert server.closed.wait(5)
        assert http.post(f"{server.url}/feeds", json={"n": 1}).status_code == 200
    assert server.connections == 2
    assert [r.split(b" ", 2)[:2] for r in server.requests] == [
        [b"GET", b"/first"],
        [b"POST", b"/feeds"],
    ]


def test_an_answer_asking_to_close_is_read_and_its_connection_not_kept():
    close = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    old = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    for answer in (close, old):
        with serving(answering(answer)) as server, client(StdlibTransport()) as http:
            assert http.get(f"{server.url}/a").json() == {}
            assert http.get(f"{server.url}/b").json() == {}
        assert server.connections == 2


def test_chunked_close_delimited_and_interim_answers():
    chunked = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Folded: a\r\n  b\r\n\r\n"
        b'3;ext=1\r\n{"a\r\n5\r\n": 1}\r\n0\r\nX-Trailer: t\r\n\r\n'
    )
    with serving(answering(chunked)) as server, client(StdlibTransport()) as http:
        for _ in range(2):
            response = http.get(f"{server.url}/c")
            assert response.json() == {"a": 1} and response.headers["x-folded"] == "a b"
    assert server.connections == 1

    def until_close(conn: socket.socket, server: Server) -> None:
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Amzn-RequestId: r1 \r\n\r\n" + b"x" * 200_000)

    with serving(until_close) as server, client(StdlibTransport()) as http:
        response = http.get(f"{server.url}/d")
        assert response.content == b"x" * 200_000 and response.headers["x-amzn-requestid"] == "r1"
        assert response.reason_phrase == "OK" and response.http_version == "HTTP/1.1"


@pytest.mark.parametrize(
    "answer",
    [
        None,  # closed without an answer
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"SPAM\r\n\r\n",
    ],
)
def test_broken_answers_are_protocol_errors(answer):
    def handler(conn: socket.socket, server: Server) -> None:
        server.read_request(conn)
        if answer:
            conn.sendall(answer)

    broken = pytest.raises(httpx.RemoteProtocolError)
    with serving(handler) as server, client(StdlibTransport()) as http, broken:
        http.get(f"{server.url}/x")


def test_timeouts_and_refused_connections_are_httpx_errors():
    answered = threading.Event()

    def silent(conn: socket.socket, server: Server) -> None:
        server.read_request(conn)
        answered.wait(5)

    with serving(silent) as server, client(StdlibTransport(), timeout=0.05) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get(f"{server.url}/x")
        answered.set()
    unused = socket.create_server(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    with client(StdlibTransport()) as http, pytest.raises(httpx.ConnectError):
        http.get(f"http://127.0.0.1:{port}/x")


def test_illegal_header_values_are_refused_before_anything_is_sent():
    with serving(answering(OK)) as server, client(StdlibTransport()) as http:
        with pytest.raises(httpx.LocalProtocolError):
            http.get(f"{server.url}/x", headers={"x-amz-access-token": "a\r\nX-Injected: 1"})
        assert server.requests == []


def test_threads_share_the_pool():
    with serving(answering(OK)) as server, client(StdlibTransport()) as http:
        results: list[int] = []

        def work() -> None:
            results.extend(http.get(f"{server.url}/x").status_code for _ in range(20))

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [200] * 120 and server.connections <= 6


def sp_api(server: Server, clock, *, direct: bool = False) -> SpApiClient:
    """A client over StdlibTransport; *direct*: sending to it straight, as the gateway's do."""
    credentials = LwaCredentials(
        f"{server.url}/auth/o2/token", "client", SecretStr("secret"), SecretStr("refresh")
    )
    transport = StdlibTransport()
    return SpApiClient(
        client(transport),
        server.url,
        LwaAuth(credentials, clock),
        clock,
        rng=random.Random(1),
        direct=transport if direct else None,
    )


FEED = json.dumps(
    {
        "feedId": "F1",
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": ["M"],
        "createdTime": "2026-12-07T00:00:00Z",
        "processingStatus": "DONE",
        "resultFeedDocumentId": "D9",
    }
).encode()


def amazon(conn: socket.socket, server: Server) -> None:
    """A token for the token URL, a feed for the feeds API, a document elsewhere."""
    while (head := server.read_request(conn)) is not None:
        body = TOKEN if b"/auth/o2/token" in head else FEED if b"/feeds/" in head else b"doc"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def cutting_off(conn: socket.socket, server: Server) -> None:
    """A token for the token URL; any other request: the connection closed, no answer."""
    while (head := server.read_request(conn)) is not None:
        if b"/auth/o2/token" not in head:
            return
        body = TOKEN
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def outcomes_of(api: SpApiClient, url: str) -> list[object]:
    """getFeed, an upload and a download: each one's answer, or its error."""
    location = DocumentLocation("D1", f"{url}/_s3/D1?sig=1", None)
    calls: list[Callable[[], object]] = [
        lambda: api.get_feed("F1").processing_status,
        partial(api.upload_document, f"{url}/_s3/up?sig=2", b"{}", "text/plain"),
        partial(api.download, location),
    ]
    outcomes: list[object] = []
    for call in calls:
        try:
            outcomes.append(call())
        except AmazonError as exc:
            outcomes.append(f"{type(exc).__name__}: {exc}")
    return outcomes


@pytest.mark.parametrize("cut_off", [False, True])
def test_sending_to_the_transport_straight_is_sending_through_httpx(clock, cut_off):
    """The gateway's clients skip httpx's client layer: the same bytes go out, the same
    answers come back, the same errors end a call."""
    seen: dict[bool, tuple[list[bytes], list[object]]] = {}
    for direct in (False, True):
        with serving(cutting_off if cut_off else amazon) as server:
            api = sp_api(server, clock, direct=direct)
            outcomes = outcomes_of(api, server.url)
            api.http.close()
            requests = [r.replace(server.url.encode(), b"URL") for r in server.requests]
            seen[direct] = (
                [r.replace(server.url[7:].encode(), b"HOST") for r in requests],
                outcomes,
            )
    assert seen[True] == seen[False]
    if cut_off:
        assert (
            seen[True][1][0] == "AmazonServerError: getFeed connection failed: RemoteProtocolError"
        )
    else:
        assert seen[True][1] == ["DONE", None, (b"doc", None)]


def test_the_gateway_sends_straight_only_to_its_own_transport(monkeypatch, clock):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    credentials = LwaCredentials("http://127.0.0.1:9/t", "c", SecretStr("s"), SecretStr("r"))
    own = gateway.AmazonGateway(clock, allow_custom_endpoints=True)
    handed = gateway.AmazonGateway(clock, allow_custom_endpoints=True, transport=StdlibTransport())
    try:
        assert isinstance(own.client(1, "http://127.0.0.1:9", credentials, print).direct,
                          StdlibTransport)  # fmt: skip
        assert handed.client(1, "http://127.0.0.1:9", credentials, print).direct is None
    finally:
        own.close()
        handed.close()


def test_create_feed_cut_off_by_the_server_is_sent_once(clock):
    def handler(conn: socket.socket, server: Server) -> None:
        while (head := server.read_request(conn)) is not None:
            if b"/auth/o2/token" not in head:
                return  # closes the connection without an answer
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(TOKEN), TOKEN))

    with serving(handler) as server:
        api = sp_api(server, clock)
        with (
            api.http,
            pytest.raises(AmazonServerError, match="connection failed: RemoteProtocolError"),
        ):
            api.create_feed("JSON_LISTINGS_FEED", ["M"], "D1")
    feeds = [r for r in server.requests if r.startswith(b"POST /feeds/2021-06-30/feeds ")]
    assert len(feeds) == 1 and b"x-amz-access-token: Atza|t\r\n" in feeds[0]


def test_a_download_streams_into_its_sink(clock):
    body = bytes(random.Random(2).getrandbits(8) for _ in range(300_000))
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=cp1252\r\n"
    answer += b"Content-Length: %d\r\n\r\n" % len(body) + body
    with serving(answering(answer)) as server:
        api = sp_api(server, clock)
        sink = io.BytesIO(b"old")
        location = DocumentLocation("D1", f"{server.url}/_s3/D1?sig=1", None)
        assert api.download_to(location, sink) == "cp1252"
        assert sink.getvalue() == body
        assert api.download(location) == (body, "cp1252")
        api.http.close()
    assert server.connections == 1


def test_the_gateway_leaves_proxies_to_httpx(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    transport = gateway._default_transport()
    assert isinstance(transport, StdlibTransport)
    transport.close()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    assert gateway._default_transport() is None
