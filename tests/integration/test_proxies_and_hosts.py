"""Trusted proxies, allowed hosts, security headers and cookie flags, over real HTTP.

The app is served by uvicorn on 127.0.0.1 (as ``amazon-jobs serve`` serves it), so
every request's direct peer is 127.0.0.1: the address uvicorn believed forwarded
headers from by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from amazon_jobs.clock import VirtualClock
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.store.users import add_user, create_api_token
from amazon_jobs.web.app import create_app
from tests.conftest import make_runtime
from tests.integration.api_helpers import assert_error
from tests.integration.conftest import WEB_PASSWORD, WEB_USER

pytestmark = pytest.mark.timeout(120)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
}
PER_ADDRESS = 3


@pytest.fixture
def serve(sqlite_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Serve the app of a runtime with these settings; returns its URL."""
    stack = ExitStack()

    def start(**settings: object) -> str:
        rt: Runtime = make_runtime(
            sqlite_url,
            clock,
            tmp_path,
            login_max_failures=100,
            login_max_failures_per_address=PER_ADDRESS,
            **settings,
        )
        stack.callback(rt.close)
        with rt.db.transaction() as session:
            user = add_user(session, WEB_USER, WEB_PASSWORD, clock.now())
            start.token = create_api_token(session, user, "t", clock.now())  # type: ignore[attr-defined]
        return stack.enter_context(serve_in_thread(create_app(rt))).url

    with stack:
        yield start


def client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, follow_redirects=False, timeout=30)


def wrong_login(http: httpx.Client, n: int, **headers: str) -> httpx.Response:
    data = {"username": f"guess{n}", "password": "wrong password", "next": "/"}
    return http.post("/login", data=data, headers=headers)


def test_rotating_x_forwarded_for_does_not_reset_the_address_limit(serve):
    with client(serve()) as http:
        for n in range(PER_ADDRESS - 1):
            spoofed = {"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": f"for=192.0.2.{n}"}
            assert wrong_login(http, n, **spoofed).status_code == 401
        locked = wrong_login(http, 99, **{"X-Forwarded-For": "198.51.100.99"})
        assert locked.status_code == 429
        # Every "address" is the one real peer: 127.0.0.1 is locked out.
        assert wrong_login(http, 100, **{"X-Forwarded-For": "203.0.113.1"}).status_code == 429


def test_a_trusted_proxys_forwarded_address_is_the_client(serve):
    with client(serve(trusted_proxies="127.0.0.1")) as http:
        first = {"X-Forwarded-For": "203.0.113.5"}
        for n in range(PER_ADDRESS - 1):
            assert wrong_login(http, n, **first).status_code == 401
        assert wrong_login(http, 9, **first).status_code == 429
        # Another client behind the same proxy has its own counter...
        other = {"X-Forwarded-For": "203.0.113.6"}
        assert wrong_login(http, 10, **other).status_code == 401
        # ...also when the proxy writes RFC 7239's Forwarded header.
        assert wrong_login(http, 11, Forwarded='for="203.0.113.7:4711"').status_code == 401
        # A spoofed left part does not help: the client is the right-most untrusted address.
        chained = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
        assert wrong_login(http, 12, **chained).status_code == 429


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/login"), ("POST", "/login"), ("GET", "/"), ("GET", "/healthz")]
)
def test_an_unknown_host_gets_400(serve, method, path):
    with client(serve()) as http:
        data = {"username": WEB_USER, "password": WEB_PASSWORD} if method == "POST" else None
        answer = http.request(method, path, data=data, headers={"Host": "attacker.example"})
        assert_error(answer, 400, "host name")
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, name
        assert "aj_session" not in answer.cookies
        # A spoofed X-Forwarded-Host from an untrusted peer changes nothing either way.
        spoofed = {"Host": "attacker.example", "X-Forwarded-Host": "localhost"}
        assert http.request(method, path, data=data, headers=spoofed).status_code == 400
        ok = http.request(method, path, data=data, headers={"Host": "localhost:8000"})
        assert ok.status_code in (200, 303), ok.text


def test_allowed_hosts_and_a_proxys_forwarded_host(serve):
    url = serve(allowed_hosts="shop.example", trusted_proxies="127.0.0.0/8")
    with client(url) as http:
        assert http.get("/login").status_code == 400  # 127.0.0.1 is not in the list now
        assert http.get("/login", headers={"Host": "shop.example"}).status_code == 200
        forwarded = {"X-Forwarded-Host": "shop.example"}
        assert http.get("/login", headers=forwarded).status_code == 200
        bad = {"X-Forwarded-Host": "attacker.example", "Host": "shop.example"}
        assert http.get("/login", headers=bad).status_code == 400


def log_in(http: httpx.Client, **headers: str) -> httpx.Response:
    data = {"username": WEB_USER, "password": WEB_PASSWORD, "next": "/"}
    answer = http.post("/login", data=data, headers=headers)
    assert answer.status_code == 303, answer.text
    return answer


def set_cookie(answer: httpx.Response, name: str) -> list[str]:
    """The attributes of the Set-Cookie of *name*, lower-cased."""
    for header in answer.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return [part.strip().lower() for part in header.split(";")[1:]]
    raise AssertionError(f"no cookie {name}: {answer.headers}")


def flash_answer(http: httpx.Client, csrf: str, **headers: str) -> httpx.Response:
    """A form whose answer sets the flash cookie (a check of a job that does not exist)."""
    data = {"csrf_token": csrf, "next": "/"}
    answer = http.post("/jobs/7/check", data=data, headers=headers)
    assert answer.status_code == 303, answer.text
    return answer


def csrf_of(http: httpx.Client, **headers: str) -> str:
    page = http.get("/", headers=headers).text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_cookie_flags_over_plain_http(serve):
    with client(serve()) as http:
        # X-Forwarded-Proto from an untrusted peer: still plain HTTP.
        answer = log_in(http, **{"X-Forwarded-Proto": "https"})
        session = set_cookie(answer, "aj_session")
        assert "httponly" in session and "samesite=lax" in session
        assert "secure" not in session
        flash = set_cookie(flash_answer(http, csrf_of(http)), "aj_flash")
        assert "httponly" in flash and "samesite=lax" in flash and "secure" not in flash


def test_cookies_are_secure_behind_a_tls_proxy(serve):
    tls = {"X-Forwarded-Proto": "https"}
    with client(serve(trusted_proxies="127.0.0.1")) as http:
        session = set_cookie(log_in(http, **tls), "aj_session")
        assert {"secure", "httponly", "samesite=lax"} <= set(session)
        # httpx keeps Secure cookies for https only: hand the session on by hand.
        cookie = {"Cookie": f"aj_session={http.cookies['aj_session']}", **tls}
        flash = set_cookie(flash_answer(http, csrf_of(http, **cookie), **cookie), "aj_flash")
        assert {"secure", "httponly", "samesite=lax"} <= set(flash)


def test_every_answer_has_the_security_headers_and_private_ones_are_not_stored(serve):
    with client(serve()) as http:
        log_in(http)
        token = serve.token  # type: ignore[attr-defined]
        answers = {
            "page": http.get("/"),
            "login": http.get("/login"),
            "missing page": http.get("/jobs/424242"),
            "bad id": http.get("/jobs/99999999999999999999999"),
            "api": http.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token}"}),
            "api error": http.get("/api/v1/jobs"),
            "static": http.get("/static/style.css"),
        }
        for what, answer in answers.items():
            for name, value in SECURITY_HEADERS.items():
                assert answer.headers.get(name) == value, (what, name)
            if what != "static":
                assert answer.headers.get("cache-control") == "no-store", what
        assert answers["static"].headers.get("cache-control") != "no-store"


def test_a_500_carries_the_security_headers(sqlite_url, clock, tmp_path):
    rt = make_runtime(sqlite_url, clock, tmp_path)
    app: FastAPI = create_app(rt)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with serve_in_thread(app) as server, client(server.url) as http:
        answer = http.get("/boom")
    assert_error(answer, 500)
    for name, value in {**SECURITY_HEADERS, "cache-control": "no-store"}.items():
        assert answer.headers.get(name) == value, name
    rt.close()
