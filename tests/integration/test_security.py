"""Security: logins, sessions, every route behind a login, CSRF, XSS, SQL injection, secrets.

Time only moves through the injected virtual clock: no test sleeps.
"""

from __future__ import annotations

import logging
import re
import signal
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import SecretStr
from sqlalchemy import func, select, text, update
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from typer.testing import CliRunner

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.crypto import Cipher
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.errors import AmazonAuthError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.security import DEMO_PASSWORD, DEMO_USER
from amazon_jobs.service import create_inventory_job, create_listings_job
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.models import (
    Account,
    Job,
    JobItem,
    JobLog,
    Listing,
    Product,
    User,
    WebSession,
)
from amazon_jobs.store.users import add_user, create_api_token
from amazon_jobs.web.app import create_app
from amazon_jobs.worker import Worker
from tests.conftest import T0, make_runtime
from tests.integration.api_helpers import assert_error
from tests.integration.conftest import WEB_PASSWORD, WEB_USER, make_shop, sku
from tests.webapp import web_app

with warnings.catch_warnings():
    # Starlette would rather use httpx2 (not installed); httpx serves the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.timeout(120)

WINDOW_S = 600.0
IDLE_S = 1800.0
LIFETIME_S = 7200.0
LIMITS = {
    "login_max_failures": 3,
    "login_max_failures_per_address": 5,
    "login_window_s": WINDOW_S,
    "session_idle_s": IDLE_S,
    "session_lifetime_s": LIFETIME_S,
}


# Logins and sessions, through the app in process (TestClient, any client address).


@pytest.fixture
def login_rt(sqlite_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Runtime]:
    # The session and lockout timers run on this test's clock (real time otherwise).
    rt = make_runtime(sqlite_url, clock, tmp_path, security_clock=clock, **LIMITS)
    with rt.db.transaction() as session:
        add_user(session, WEB_USER, WEB_PASSWORD, clock.now())
    yield rt
    rt.close()


def browser(rt: Runtime, address: str = "10.0.0.1") -> TestClient:
    return TestClient(
        web_app(rt), base_url=BASE_URL, client=(address, 50000), follow_redirects=False
    )


#: A host the app answers to by default (allowed_hosts).
BASE_URL = "http://localhost"


def log_in(
    client: TestClient, username: str = WEB_USER, password: str = WEB_PASSWORD, **headers: str
) -> httpx.Response:
    return client.post(
        "/login", data={"username": username, "password": password, "next": "/"}, headers=headers
    )


def signed_in(client: TestClient) -> bool:
    answer = client.get("/")
    if answer.status_code == 303:
        assert answer.headers["location"].startswith("/login?next=")
        return False
    assert answer.status_code == 200, answer.text
    return True


def csrf_of(client: TestClient) -> str:
    page = client.get("/").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_login_is_limited_per_user_name(login_rt, clock):
    client = browser(login_rt)
    for _ in range(2):
        assert log_in(client, password="wrong password 1").status_code == 401
    locked = log_in(client, password="wrong password 3")
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) == WINDOW_S
    assert "Too many wrong passwords" in locked.text
    # The right password is refused while the user name is locked, from any address.
    clock.advance(WINDOW_S - 10)
    right = log_in(client)
    assert right.status_code == 429 and int(right.headers["retry-after"]) == 10
    assert "aj_session" not in right.cookies
    assert log_in(browser(login_rt, "10.0.0.99")).status_code == 429
    assert not signed_in(client)
    # Once the window is over, the right password works again.
    clock.advance(10)
    assert log_in(client).status_code == 303
    assert signed_in(client)


def test_login_is_limited_per_address(login_rt, clock):
    client = browser(login_rt, "10.0.0.2")
    for n in range(4):
        assert log_in(client, username=f"guess{n}", password="wrong password").status_code == 401
    locked = log_in(client, username="guess4", password="wrong password")
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) == WINDOW_S
    # Every user name is refused from that address, even with the right password...
    assert log_in(client).status_code == 429
    # ...but not from another address.
    assert log_in(browser(login_rt, "10.0.0.3")).status_code == 303
    clock.advance(WINDOW_S)
    assert log_in(client).status_code == 303


def test_failures_older_than_the_window_do_not_count(login_rt, clock):
    client = browser(login_rt)
    for _ in range(3):
        assert log_in(client, password="wrong password").status_code == 401
        assert log_in(client, password="wrong password").status_code == 401
        clock.advance(WINDOW_S)
    assert log_in(client).status_code == 303


def test_a_session_expires_at_its_lifetime_even_in_use(login_rt, clock):
    client = browser(login_rt)
    assert log_in(client).status_code == 303
    used = 0.0
    while used + IDLE_S / 2 < LIFETIME_S:
        clock.advance(IDLE_S / 2)
        used += IDLE_S / 2
        assert signed_in(client), used
    clock.advance(LIFETIME_S - used)
    assert not signed_in(client)


def test_a_session_unused_for_the_idle_time_is_over(login_rt, clock):
    client = browser(login_rt)
    assert log_in(client).status_code == 303
    clock.advance(IDLE_S - 1)
    assert signed_in(client)  # used: the idle time starts again
    clock.advance(IDLE_S - 1)
    assert signed_in(client)
    clock.advance(IDLE_S)
    assert not signed_in(client)
    # The API schema, which a session may read, is refused with the session too.
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_an_expired_session_says_so_on_the_login_page(login_rt, clock):
    client = browser(login_rt)
    assert log_in(client).status_code == 303
    clock.advance(IDLE_S)
    answer = client.get("/jobs/1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fjobs%2F1&expired=1"
    page = client.get(answer.headers["location"])
    assert "Your session expired; log in again" in page.text
    # A browser that never logged in is not told its session expired.
    fresh = TestClient(web_app(login_rt), base_url=BASE_URL, follow_redirects=False)
    first = fresh.get("/")
    assert "expired" not in first.headers["location"]
    assert "session expired" not in fresh.get(first.headers["location"]).text


def test_security_timers_run_on_real_time_not_the_injected_clock(sqlite_url, tmp_path):
    """The demo's clock runs 60x faster: its logins must not end after a minute, nor
    its lockouts after ten seconds. Only the wall clock (rt.security_clock) counts."""
    app_clock = VirtualClock(T0)
    rt = make_runtime(sqlite_url, app_clock, tmp_path, **LIMITS)  # real security clock
    with rt.db.transaction() as session:
        add_user(session, WEB_USER, WEB_PASSWORD, app_clock.now())
    client = browser(rt)
    assert log_in(client).status_code == 303
    app_clock.advance(LIFETIME_S * 10)
    assert signed_in(client)
    locked_out = browser(rt, "10.0.0.9")
    for _ in range(3):
        log_in(locked_out, "nobody", "wrong password")
    assert log_in(locked_out, "nobody", "wrong password").status_code == 429
    app_clock.advance(WINDOW_S * 10)
    assert log_in(locked_out, "nobody", "wrong password").status_code == 429
    rt.close()


def test_logout_ends_the_session(login_rt, clock):
    client = browser(login_rt)
    assert log_in(client).status_code == 303
    cookie = client.cookies["aj_session"]
    out = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    with login_rt.db.read() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    # The old cookie, replayed, opens nothing.
    replay = browser(login_rt)
    replay.cookies.set("aj_session", cookie)
    assert not signed_in(replay)


def test_the_demo_password_works_only_in_demo_mode(sqlite_url, clock, tmp_path):
    plain = make_runtime(sqlite_url, clock, tmp_path)
    with plain.db.transaction() as session:
        add_user(session, DEMO_USER, DEMO_PASSWORD, clock.now(), is_demo=True)
        # The demo's password on an ordinary user (a database edited by hand).
        session.add(
            User(
                username="copycat",
                password_hash=session.scalar(
                    select(User.password_hash).where(User.username == DEMO_USER)
                ),
                created_at=clock.now(),
                is_demo=False,
            )
        )
    refused = log_in(browser(plain), DEMO_USER, DEMO_PASSWORD)
    assert refused.status_code == 401 and "Wrong user name or password" in refused.text
    assert log_in(browser(plain), "copycat", DEMO_PASSWORD).status_code == 401
    plain.close()

    demo = make_runtime(sqlite_url, clock, tmp_path, demo=True)
    client = browser(demo)
    assert log_in(client, DEMO_USER, DEMO_PASSWORD).status_code == 303
    assert signed_in(client)
    demo.close()


def test_a_login_posted_from_another_site_is_refused(login_rt):
    client = browser(login_rt)
    for origin in ("http://evil.example", "null", "http://localhost.evil.example"):
        refused = log_in(client, Origin=origin)
        assert_error(refused, 403, "did not come from this site")
        assert "aj_session" not in refused.cookies
    assert log_in(client, Origin="http://localhost").status_code == 303
    # From a peer that is not a trusted proxy, X-Forwarded-Host means nothing.
    forwarded = {"X-Forwarded-Host": "localhost.evil.example"}
    assert log_in(client, Origin="http://localhost.evil.example", **forwarded).status_code == 403
    assert log_in(browser(login_rt)).status_code == 303  # a program sends no Origin


def test_behind_a_trusted_proxy_the_forwarded_host_is_the_origin(sqlite_url, clock, tmp_path):
    rt = make_runtime(
        sqlite_url,
        clock,
        tmp_path,
        trusted_proxies="10.0.0.0/8",
        allowed_hosts="localhost,shop.example",
    )
    with rt.db.transaction() as session:
        add_user(session, WEB_USER, WEB_PASSWORD, clock.now())
    client = browser(rt, "10.0.0.1")
    forwarded = {"X-Forwarded-Host": "shop.example", "X-Forwarded-Proto": "https"}
    assert log_in(client, Origin="https://shop.example", **forwarded).status_code == 303
    assert log_in(client, Origin="https://evil.example", **forwarded).status_code == 403
    rt.close()


# Every route needs a login.

#: Routes open to anyone: the health check, and the login form and its answer.
PUBLIC = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")}
PATH_VALUES = {"sku": sku(1), "kind": "feed", "amazon_order_id": "111-1111111-1111111"}


def fill(path: str, values: dict[str, str] | None = None) -> str:
    given = {**PATH_VALUES, **(values or {})}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: given.get(m.group(1), "1"), path)


def app_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route of *app*, including routers included in routers."""
    found = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if isinstance(original, Mount):
            assert original.path == "/static" and isinstance(original.app, StaticFiles)
            continue  # stylesheets and scripts of the login page: no data
        assert isinstance(original, APIRoute), original
        found.extend((method, route.path) for method in sorted(route.methods or ()))
    return found


def test_every_route_but_healthz_refuses_anonymous_requests(login_rt):
    app = web_app(login_rt)
    routes = app_routes(app)
    assert len(routes) > 40 and set(routes) >= PUBLIC
    anonymous = TestClient(app, base_url=BASE_URL, follow_redirects=False)
    with login_rt.db.transaction() as session:
        user = session.scalars(select(User)).one()
        token = create_api_token(session, user, "t", login_rt.clock.now())
    signed = browser(login_rt)
    assert log_in(signed).status_code == 303
    checked = 0
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        url = fill(path)
        is_api = path.startswith("/api/") or path == "/metrics"
        for headers in ({}, {"Authorization": "Bearer aj_not-a-token"}, {"Cookie": "aj_session=x"}):
            answer = anonymous.request(method, url, headers=headers)
            if is_api:
                assert_error(answer, 401)
                assert answer.headers["www-authenticate"] == "Bearer"
            else:
                assert answer.status_code == 303, (method, url, answer.text)
                assert answer.headers["location"].startswith("/login?next="), (method, url)
        if is_api and path not in ("/api/v1/openapi.json", "/api/docs"):
            # A browser's session does not open the API: it needs the token.
            assert_error(signed.request(method, url), 401)
            assert anonymous.request(
                method, url, headers={"Authorization": f"Bearer {token}"}
            ).status_code not in (401, 403)
        checked += 1
    assert checked == len(routes) - len(PUBLIC)
    # A browser asking for the API docs without a login goes to the login page.
    docs = anonymous.get("/api/docs", headers={"Accept": "text/html"})
    assert docs.status_code == 303 and docs.headers["location"].startswith("/login?next=")
    assert signed.get("/api/docs").status_code == 200
    assert signed.get("/api/v1/openapi.json").json()["info"]["title"] == "amazon-jobs"
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/login").status_code == 200


def test_every_state_changing_form_needs_the_csrf_token(login_rt):
    app = web_app(login_rt)
    forms = [
        (method, path)
        for method, path in app_routes(app)
        if method in {"POST", "PUT", "PATCH", "DELETE"}
        and not path.startswith("/api/")
        and (method, path) not in PUBLIC
    ]
    assert ("POST", "/logout") in forms and ("POST", "/jobs/{job_id}/cancel") in forms
    client = browser(login_rt)
    assert log_in(client).status_code == 303
    good = csrf_of(client)
    for method, path in forms:
        url = fill(path)
        for data, headers in (
            ({}, {}),
            ({"csrf_token": ""}, {}),
            ({"csrf_token": good[:-2] + "xx"}, {}),
            ({}, {"X-CSRF-Token": "forged"}),
            ({"csrf_token": "forged"}, {"HX-Request": "true"}),
        ):
            answer = client.request(method, url, data=data, headers=headers)
            assert_error(answer, 403, "did not come from this site")
    assert signed_in(client)  # the refused logouts ended nothing
    assert client.post("/logout", data={"csrf_token": good}).status_code == 303


# XSS: what the seller and Amazon wrote is shown as text.

TITLE_XSS = '<script>alert("title")</script>'
SKU_XSS = '"><img src=x onerror=alert(1)>'
ERROR_XSS = "<iframe src=javascript:alert('amazon')></iframe>"
QUERY_XSS = "<svg onload=alert('q')>"


def escaped(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def test_xss_in_titles_skus_and_amazon_errors_renders_as_text(shop, web):
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(
            session,
            [
                ProductRow(SKU_XSS, None, "A plain title", 3, Decimal("1.00")),
                ProductRow("XSS-TITLE", None, TITLE_XSS, 3, Decimal("1.00")),
            ],
            now,
        )
        catalog.upsert_listings(
            session,
            shop.account_id,
            [
                ListingRow(SKU_XSS, "B0HOSTILE1", 1, Decimal("1.00")),
                ListingRow("XSS-TITLE", "B0HOSTILE2", 1, Decimal("1.00")),
            ],
            now,
        )
    # SKU_XSS is unknown to Amazon: the processing report's issue names it.
    job = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1), SKU_XSS))
    ).jobs[0]
    shop.run_worker()
    with shop.rt.db.transaction() as session:
        message = session.scalar(
            select(JobItem.error_message).where(
                JobItem.job_id == job.id, JobItem.outcome == "error"
            )
        )
        assert message  # Amazon refused the hostile SKU; its 13013 text does not name it,
        # so the item's error is made to carry the payload as well.
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job.id, JobItem.outcome == "error")
            .values(error_message=f"{message} (SKU {SKU_XSS})")
        )
        session.execute(
            update(Listing)
            .where(
                Listing.product_id
                == select(Product.id).where(Product.sku == sku(2)).scalar_subquery()
            )
            .values(last_error=ERROR_XSS)
        )
        session.add(JobLog(job_id=job.id, at=now, level="error", message=ERROR_XSS))

    app = web_app(shop.rt)
    pages = [
        fill(path, {"job_id": str(job.id), "account_id": str(shop.account_id)})
        for method, path in app_routes(app)
        if method == "GET" and not path.startswith("/api/") and path != "/metrics"
    ]
    account = str(shop.account_id)
    pages += [
        f"/listings?account={account}&q=XSS",
        f"/listings?account={account}&q=%22",
        f"/listings?account={account}",
        f"/jobs/{job.id}?failed=true",
        f"/inventory?account={account}",
    ]
    shown: dict[str, str] = {}
    for url in pages:
        answer = web.browser.get(url)
        assert answer.status_code in (200, 204, 303, 404), (url, answer.status_code)
        if "/documents/" in url and answer.status_code == 200:
            # The feed as sent, Amazon's report as received: a download, never a page.
            assert answer.headers["content-disposition"].startswith("attachment;")
            assert "html" not in answer.headers["content-type"]
            assert answer.headers["x-content-type-options"] == "nosniff"
            continue
        shown[url] = answer.text
    for url, html in shown.items():
        for payload in (TITLE_XSS, SKU_XSS, ERROR_XSS):
            assert payload not in html, url
        assert "<iframe" not in html and "<img src=x" not in html, url
    listings = shown[f"/listings?account={account}"]
    for payload in (TITLE_XSS, SKU_XSS, ERROR_XSS):
        assert escaped(payload) in listings, payload
    job_page = shown[f"/jobs/{job.id}"]
    assert job_page.count(escaped(SKU_XSS)) >= 2  # the item and Amazon's message naming it
    assert escaped(ERROR_XSS) in job_page

    # What a visitor puts in a URL is echoed as text too.
    for url in (
        f"/listings?account={account}&q={QUERY_XSS}",
        f"/?account={QUERY_XSS}&status={QUERY_XSS}&type={QUERY_XSS}",
        f"/orders?account={account}&q={QUERY_XSS}",
        f"/login?next=/{QUERY_XSS}",
    ):
        html = web.browser.get(url).text
        assert QUERY_XSS not in html and "<svg" not in html, url
    assert QUERY_XSS not in httpx.get(f"{web.url}/login?next=/{QUERY_XSS}").text


# SQL injection in the filters: normal answers, nothing changed.

INJECTIONS = (
    "' OR '1'='1",
    "us' OR 1=1 --",
    "1; DROP TABLE jobs; --",
    "%' OR 1=1; DELETE FROM listings; --",
    '") OR ("1"="1',
    "1 UNION SELECT lwa_client_secret_enc FROM accounts --",
)
TABLES = (Account, Job, JobItem, Listing, Product, User)


def table_counts(rt: Runtime) -> dict[str, int]:
    with rt.db.read() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in TABLES
        }


def test_sql_injection_in_filters_changes_nothing(shop, web):
    for n in range(2):
        create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(n),)))
    before = table_counts(shop.rt)
    listings_before = shop.listing_rows()
    all_jobs = web.api.get("/api/v1/jobs").json()["items"]
    assert len(all_jobs) == 2
    for bad in INJECTIONS:
        pages = [
            ("/", {"account": bad}),
            ("/", {"status": bad, "type": bad}),
            ("/", {"from": bad[:20], "to": bad[:20]}),
            ("/listings", {"account": bad}),
            ("/listings", {"account": str(shop.account_id), "q": bad, "state": bad}),
            ("/inventory", {"account": str(shop.account_id), "q": bad}),
            ("/orders", {"account": str(shop.account_id), "q": bad[:40]}),
        ]
        for path, params in pages:
            answer = web.browser.get(path, params=params)
            assert answer.status_code == 200, (path, params, answer.text[:300])
        html = web.browser.get("/listings", params={"account": str(shop.account_id), "q": bad}).text
        assert sku(0) not in html  # nothing matched: the filter was a plain string
        for path, params in [
            ("/api/v1/jobs", {"account": bad}),
            ("/api/v1/jobs", {"status": bad}),
            ("/api/v1/listings", {"account": bad}),
        ]:
            answer = web.api.get(path, params=params)
            assert answer.status_code in (404, 422), (path, params, answer.text)
            assert_error(answer, answer.status_code)
        for path, params in [
            ("/api/v1/listings", {"account": "us", "q": bad}),
            ("/api/v1/inventory", {"account": "us", "q": bad}),
            ("/api/v1/products", {"q": bad}),
        ]:
            answer = web.api.get(path, params=params)
            assert answer.status_code == 200, (path, params, answer.text)
            assert answer.json()["items"] == [], (path, params)
    assert table_counts(shop.rt) == before
    assert shop.listing_rows() == listings_before
    assert web.api.get("/api/v1/jobs").json()["items"] == all_jobs


# Commands that use the credentials refuse to start without the right key.


@pytest.fixture
def cli_env(sqlite_url: str, tmp_path: Path) -> Iterator[dict[str, str | None]]:
    handlers = list(logging.getLogger().handlers)
    term = signal.getsignal(signal.SIGTERM)
    yield {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": sqlite_url,
        "AMAZON_JOBS_SECRET_KEY": None,
        "AMAZON_JOBS_LWA_CLIENT_SECRET": "cli-client-secret",
        "AMAZON_JOBS_LWA_REFRESH_TOKEN": "Atzr|cli-refresh-token",
        "COLUMNS": "300",
    }
    signal.signal(signal.SIGTERM, term)
    logging.getLogger().handlers[:] = handlers


#: Keys of `amazon-jobs keygen`'s format.
RIGHT_KEY, ANOTHER_KEY, ADDED_KEY = (
    "YUcncKTEuuWhuVsbAdjSYsb30sJNiUQWcDXu_by6ZL4=",
    "Yd9FTlFJnlONnR_Zq36lXdedW3VUFQF1oTmaM8iWVok=",
    "QV0tjxxDQKzyGk1kOgEgC7KOXVgC0lNEwbF3hdl3ZlI=",
)

COMMANDS = (
    ["worker", "--until-idle"],
    ["worker"],
    ["scheduler"],
    ["serve", "--port", "1"],
    ["accounts", "add", "--name", "x", "--seller-id", "A1", "--marketplace", "ATVPDKIKX0DER",
     "--client-id", "amzn1.application-oa2-client.x"],
)  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_commands_refuse_to_start_without_the_secret_key(cli_env, command):
    for key in (None, ""):
        result = CliRunner().invoke(
            cli_app, command, env={**cli_env, "AMAZON_JOBS_SECRET_KEY": key}
        )
        assert result.exit_code == 1, result.output
        assert "needs the secret key" in result.output
        assert "AMAZON_JOBS_SECRET_KEY" in result.output and "amazon-jobs keygen" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_commands_refuse_to_start_with_another_key(cli_env, sqlite_url, command, clock):
    from amazon_jobs.store.database import Database

    db = Database(sqlite_url)
    with db.transaction() as session:
        add_account(session, account_spec("shop-us"), Cipher(ADDED_KEY), clock.now())
    db.dispose()
    env = {**cli_env, "AMAZON_JOBS_SECRET_KEY": ANOTHER_KEY}
    result = CliRunner().invoke(cli_app, command, env=env)
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "does not decrypt the credentials of account(s) 'shop-us'" in out
    assert "set it to the key they were added with" in out
    assert ANOTHER_KEY not in result.output


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["demo", "--until-idle"]], ids=" ".join)
def test_demo_mode_cannot_be_switched_on_from_outside(cli_env, tmp_path, command):
    env = {**cli_env, "AMAZON_JOBS_SECRET_KEY": RIGHT_KEY, "AMAZON_JOBS_DEMO": "true"}
    result = CliRunner().invoke(cli_app, command, env=env)
    assert result.exit_code == 1, result.output
    assert "AMAZON_JOBS_DEMO is not a setting" in " ".join(result.output.split())
    config = tmp_path / "demo.toml"
    config.write_text("demo = true\n", encoding="utf-8")
    env = {**cli_env, "AMAZON_JOBS_SECRET_KEY": RIGHT_KEY, "AMAZON_JOBS_CONFIG": str(config)}
    result = CliRunner().invoke(cli_app, command, env=env)
    assert result.exit_code == 1, result.output
    assert "demo is not a setting of the configuration file" in " ".join(result.output.split())


def account_spec(
    name: str, secret: str = "s3cret-client", refresh: str = "Atzr|r3fresh"
) -> AccountSpec:
    return AccountSpec(
        name=name,
        seller_id="A1",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="amzn1.application-oa2-client.x",
        lwa_client_secret=SecretStr(secret),
        refresh_token=SecretStr(refresh),
    )


def test_accounts_add_works_with_the_key(cli_env):
    env = {**cli_env, "AMAZON_JOBS_SECRET_KEY": RIGHT_KEY}
    command = list(COMMANDS[-1])
    result = CliRunner().invoke(cli_app, command, env=env)
    assert result.exit_code == 0, result.output
    assert "Account x added" in result.output
    assert "cli-client-secret" not in result.output


def test_the_web_app_refuses_to_be_built_without_a_key(sqlite_url, clock, tmp_path):
    settings = load_settings(environ={}, home=tmp_path, database_url=sqlite_url)
    rt = Runtime.build(settings, clock=clock)
    with pytest.raises(Exception, match="needs the secret key"):
        create_app(rt)
    rt.close()


# The secrets never show: a full run with logging at DEBUG, every page and answer.

SECRET_KEY = "B4sAnZRkAligZALu7vb9-mbqLoGNneW5DvUcTIaYrqQ="
CLIENT_SECRET = "cs-Distinctive-Client-Secret-3b9d7a"
REFRESH_TOKEN = "Atzr|rt-Distinctive-Refresh-Token-8e4c0f"


class RecordingTransport(httpx.HTTPTransport):
    """Keeps every access token Login with Amazon issues, to look for it later."""

    def __init__(self) -> None:
        super().__init__()
        self.access_tokens: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path.endswith("/auth/o2/token"):
            body = response.read()
            response = httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )
            if response.status_code == 200:
                self.access_tokens.append(response.json()["access_token"])
        return response


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    names = ("", "httpx", "httpcore", "uvicorn", "uvicorn.access", "uvicorn.error", "amazon_jobs")
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    handler.close()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_no_secret_shows_in_any_log_page_answer_or_error(db_url, clock, tmp_path, debug_log):
    settings = load_settings(
        environ={},
        home=tmp_path,
        database_url=db_url,
        secret_key=SECRET_KEY,
        clock="virtual",
        allow_custom_endpoints=True,
    )
    transport = RecordingTransport()
    rt = Runtime.build(settings, clock=clock, transport=transport)
    sim_config = SimulatorConfig.focused(client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)
    shop, sim_server = make_shop(rt, clock, sim_config=sim_config, unknown_on_amazon=(3,))
    seen: list[str] = []
    try:
        with rt.db.transaction() as session:
            user = add_user(session, WEB_USER, WEB_PASSWORD, clock.now())
            token = create_api_token(session, user, "tests", clock.now())
        with ExitStack() as stack:
            server = stack.enter_context(serve_in_thread(web_app(rt)))
            # A long timeout: the first /api/v1/openapi.json builds the schema, which takes
            # seconds on a busy machine.
            web = stack.enter_context(
                httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
            )
            api = stack.enter_context(
                httpx.Client(
                    base_url=server.url,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                )
            )
            assert log_in(web).status_code == 303  # type: ignore[arg-type]
            csrf = csrf_of(web)  # type: ignore[arg-type]

            def keep(answer: httpx.Response) -> httpx.Response:
                seen.append(f"{answer.request.method} {answer.request.url} {answer.status_code}")
                seen.append(str(answer.headers))
                seen.append(answer.text)
                return answer

            # The seller types the secrets into the form and the API.
            fields = {
                "csrf_token": csrf,
                "name": "typed",
                "seller_id": sim_config.seller_id,
                "region": "na",
                "marketplace_id": sim_config.marketplace_id,
                "lwa_client_id": sim_config.client_id,
                "endpoint": sim_server.url,
                "lwa_token_url": f"{sim_server.url}/auth/o2/token",
                "orders_api": "2026-01-01",
                "lwa_client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
            }
            assert keep(web.post("/accounts", data=fields)).status_code == 303
            keep(web.post("/accounts", data=fields))  # taken name: the form comes back
            created = keep(
                api.post(
                    "/api/v1/accounts",
                    json={
                        "name": "by-api",
                        "seller_id": sim_config.seller_id,
                        "region": "na",
                        "marketplace_id": sim_config.marketplace_id,
                        "lwa_client_id": sim_config.client_id,
                        "lwa_client_secret": CLIENT_SECRET,
                        "refresh_token": REFRESH_TOKEN,
                        "endpoint": sim_server.url,
                        "lwa_token_url": f"{sim_server.url}/auth/o2/token",
                    },
                )
            )
            assert created.status_code == 201, created.text
            api_account = created.json()["id"]
            probe = keep(api.post(f"/api/v1/accounts/{api_account}/test"))
            assert probe.json()["ok"] is True, probe.text

            # Jobs through the worker; Amazon ends the access tokens midway once.
            job_ids = [
                create_listings_job(
                    rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(n), sku(3)))
                )
                .jobs[0]
                .id
                for n in range(2)
            ]
            job_ids.append(create_inventory_job(rt, shop.account_id).id)
            shop.sim.faults.expire_access_tokens(1)
            Worker(rt).run(until_idle=True)
            assert len(transport.access_tokens) >= 2

            # The seller revokes the app: Amazon's refusal is shown and logged.
            shop.sim.revoke_refresh_token(REFRESH_TOKEN)
            shop.sim.faults.expire_access_tokens(1)
            refused = keep(
                web.post(
                    f"/accounts/{shop.account_id}/test",
                    headers={"HX-Request": "true", "X-CSRF-Token": csrf},
                )
            )
            assert "probe-error" in refused.text and "Amazon refused the" in refused.text
            job_ids.append(
                create_listings_job(
                    rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(5),))
                )
                .jobs[0]
                .id
            )
            shop.sim.faults.expire_access_tokens(1)
            Worker(rt).run(until_idle=True)

            # Every page and every API answer, for every job and account.
            app = web_app(rt)
            with rt.db.read() as session:
                account_ids = list(session.scalars(select(Account.id)))
            for method, path in app_routes(app):
                if method != "GET":
                    continue
                values = [
                    {"job_id": str(j), "account_id": str(a)} for j in job_ids for a in account_ids
                ]
                for kind in ("feed", "result", "report"):
                    values.append({"job_id": str(job_ids[0]), "kind": kind})
                for value in values if "{" in path else [{}]:
                    url = fill(path, value)
                    client = api if path.startswith("/api/v1/") or path == "/metrics" else web
                    keep(client.get(url))
            for query in (
                "/api/v1/listings?account=us",
                "/api/v1/inventory?account=us",
                f"/listings?account={shop.account_id}",
                f"/inventory?account={shop.account_id}",
                f"/orders?account={shop.account_id}",
                f"/quota?account={shop.account_id}",
            ):
                keep((api if query.startswith("/api") else web).get(query))
            for job_id in job_ids:
                keep(api.get(f"/api/v1/jobs/{job_id}/log"))
                keep(api.get(f"/api/v1/jobs/{job_id}/items"))

        # The errors themselves: a refused login with Amazon, a wrong key.
        credentials = LwaCredentials(
            f"{sim_server.url}/auth/o2/token",
            sim_config.client_id,
            SecretStr(CLIENT_SECRET),
            SecretStr(REFRESH_TOKEN),
        )
        with (
            pytest.raises(AmazonAuthError) as lwa_refused,
            httpx.Client(auth=LwaAuth(credentials, clock)) as direct,
        ):
            direct.get(f"{sim_server.url}/feeds/2021-06-30/feeds")
        seen += [str(lwa_refused.value), repr(lwa_refused.value), repr(lwa_refused.value.args)]
        assert "Login with Amazon refused" in str(lwa_refused.value)
        with rt.db.read() as session:
            account = session.scalars(select(Account).where(Account.id == shop.account_id)).one()
            stored = session.execute(text("SELECT * FROM accounts")).all()
        seen += [repr(rt.settings), repr(rt.cipher), repr(rt.credentials(account)), repr(account)]
        with pytest.raises(Exception) as wrong_key:
            Cipher("not the key").decrypt(account.lwa_client_secret_enc)
        seen.append(str(wrong_key.value))
    finally:
        sim_server.stop()
        rt.close()

    logs = debug_log.read_text(encoding="utf-8")
    assert "HTTP Request: POST" in logs and "/auth/o2/token" in logs  # httpx logged at DEBUG
    everything = "\n".join([*seen, logs])
    secrets = [CLIENT_SECRET, REFRESH_TOKEN, SECRET_KEY, *transport.access_tokens]
    for secret in secrets:
        assert secret not in everything, secret
        # Nor in a form a log or page might use: quoted in a URL or a JSON string.
        assert secret.replace("|", "%7C") not in everything
    # At rest, the credentials are encrypted: no column holds them in clear.
    for row in stored:
        for secret in (CLIENT_SECRET, REFRESH_TOKEN):
            assert secret not in repr(tuple(row))
    assert len(seen) > 100
