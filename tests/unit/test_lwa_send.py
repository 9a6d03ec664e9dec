"""LwaAuth.send (the engine's way) sends what LwaAuth's httpx flow sends, errors alike."""

from __future__ import annotations

import contextlib
import socket
import threading

import httpx
import pytest
from pydantic import SecretStr

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.amazon.transport import StdlibTransport
from amazon_jobs.errors import AmazonAuthError, AmazonServerError

CREDS = LwaCredentials(
    "https://lwa.test/auth/o2/token", "client-id", SecretStr("secret"), SecretStr("Atzr|r")
)
REFUSED = {"errors": [{"code": "Unauthorized", "message": "Access denied."}]}


class Amazon:
    """Grants tokens (or answers *lwa*), and answers *answers* in turn on any other path."""

    def __init__(self, answers: list[httpx.Response], lwa: httpx.Response | None = None):
        self.answers = answers
        self.lwa = lwa
        self.seen: list[tuple[str, str, list[tuple[bytes, bytes]], bytes]] = []
        self.granted = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.seen.append((request.method, str(request.url), list(request.headers.raw), body))
        if request.url.path == "/auth/o2/token":
            if self.lwa is not None:
                return self.lwa
            self.granted += 1
            return httpx.Response(200, json={"access_token": f"Atza|{self.granted}"})
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return httpx.Response(answer.status_code, content=answer.content)


def exchanges(clock, answers, lwa=None, calls=2, advance=0.0):
    """What each way sent and got: (flow's requests, flow's statuses or error),
    the same for send."""
    results = []
    for way in ("flow", "send"):
        amazon = Amazon(list(answers), lwa)
        start = clock.now()
        auth = LwaAuth(CREDS, clock)
        outcome: list[object] = []
        with httpx.Client(transport=httpx.MockTransport(amazon)) as http:
            for n in range(calls):
                request = http.build_request("POST", "https://sp.test/feeds", json={"n": n})
                try:
                    if way == "flow":
                        response = http.send(request, auth=auth)
                    else:
                        response = auth.send(http, request)
                    outcome.append(response.status_code)
                except (AmazonAuthError, AmazonServerError) as exc:
                    outcome.append(str(exc))
                clock.advance(advance)
        clock.advance((start - clock.now()).total_seconds())  # each way from the same time
        results.append((amazon.seen, outcome, auth.refreshes))
    return results


@pytest.mark.parametrize(
    ("answers", "lwa", "advance"),
    [
        ([httpx.Response(200, json={})], None, 0.0),
        ([httpx.Response(200, json={})], None, 3600.0),  # expired: a new token each call
        ([httpx.Response(403, json=REFUSED), httpx.Response(200, json={})], None, 0.0),
        ([httpx.Response(403, json=REFUSED)], None, 0.0),  # refused again: the 403 returned
        ([httpx.Response(403, json={"errors": [{"code": "Other"}]})], None, 0.0),
        ([httpx.Response(200, json={})], httpx.Response(400, json={"error": "bad"}), 0.0),
        ([httpx.Response(200, json={})], httpx.Response(503), 0.0),
    ],
)
def test_send_is_the_flow(clock, answers, lwa, advance):
    flow, send = exchanges(clock, answers, lwa, advance=advance)
    assert send == flow


class Silent:
    """A Login with Amazon that accepts connections and never answers (until closed)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/auth/o2/token"
        self.closed = threading.Event()
        self.accepted = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        held = []
        with contextlib.suppress(OSError):
            while not self.closed.is_set():
                conn, _ = self.server.accept()
                held.append(conn)
                self.accepted.set()
        for conn in held:
            conn.close()

    def close(self) -> None:
        self.closed.set()
        self.server.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("way", ["flow", "send"])
def test_the_token_request_keeps_the_calls_timeout(clock, way):
    """A Login with Amazon that never answers ends the call with a timeout (the token
    request is built outside the client, and had none: the step would hang for ever)."""
    silent = Silent()
    creds = LwaCredentials(silent.url, "client-id", SecretStr("secret"), SecretStr("Atzr|r"))
    auth = LwaAuth(creds, clock)
    try:
        with httpx.Client(transport=StdlibTransport(), timeout=httpx.Timeout(0.2)) as http:
            request = http.build_request("GET", "http://127.0.0.1:9/never-reached")
            with pytest.raises(httpx.ReadTimeout):
                if way == "flow":
                    http.send(request, auth=auth)
                else:
                    auth.send(http, request)
        assert silent.accepted.is_set(), "the token request reached Login with Amazon"
        assert auth.refreshes == 0
    finally:
        silent.close()


@pytest.mark.parametrize("way", ["flow", "send"])
def test_the_token_request_carries_the_calls_timeouts(clock, way):
    seen: dict[str, object] = {}

    def amazon(request: httpx.Request) -> httpx.Response:
        seen[request.url.path] = request.extensions.get("timeout")
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|1"})
        return httpx.Response(200, json={})

    auth = LwaAuth(CREDS, clock)
    timeout = httpx.Timeout(3.0, connect=1.5)
    with httpx.Client(transport=httpx.MockTransport(amazon), timeout=timeout) as http:
        request = http.build_request("GET", "https://sp.test/feeds")
        response = http.send(request, auth=auth) if way == "flow" else auth.send(http, request)
    assert response.status_code == 200
    assert seen["/auth/o2/token"] == seen["/feeds"] == timeout.as_dict()
