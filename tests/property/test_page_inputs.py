"""Every dashboard page route, fed extreme values by a logged-in browser, never answers 5xx.

The routes and their parameters (path, query, form) are read from the app itself, so
a page added later is covered without touching this test. Values: ids past 64 bits,
negative and non-numeric numbers, dates far in the past and future, CR/LF, NUL and
other control characters, and non-ASCII text. Forms carry the session's CSRF token,
so they reach the route's own code.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.users import add_user
from tests.conftest import T0, make_runtime
from tests.integration.conftest import WEB_PASSWORD, WEB_USER, make_shop, sku
from tests.webapp import web_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.timeout(600)

#: Routes left out: the login form (public, and limited), logging out (ends the session).
SKIPPED = {("POST", "/login"), ("POST", "/logout")}

EXTREME = st.one_of(
    st.sampled_from(
        [
            "99999999999999999999999",
            str(2**63),
            str(2**63 - 1),
            "-1",
            "0",
            "-99999999999999999999",
            "1e308",
            "NaN",
            "abc",
            "",
            " ",
            "9999-12-31",
            "0001-01-01",
            "10000-01-01",
            "9999-12-31T23:59-14:00",
            "0001-01-01T00:00+14:00",
            "/\r\nX-Injected: 1",
            "/jobs\r\n\r\n<html>",
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "\x00",
            "/é/日本/🙂",
            "1@v",
            "%0d%0a",
        ]
    ),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(max_size=30),
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    path_params: tuple[str, ...]
    fields: tuple[str, ...]  # query parameters (GET) or form fields (POST)


def _names(dependant: Dependant, kind: str) -> list[str]:
    own = [getattr(p, "alias", None) or p.name for p in getattr(dependant, kind)]
    return own + [n for sub in dependant.dependencies for n in _names(sub, kind)]


def page_routes(app: FastAPI) -> list[Route]:
    routes = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, str(context.path)
        if not isinstance(route, APIRoute) or path.startswith("/api/"):
            continue
        if path in ("/metrics", "/healthz"):
            continue
        for method in sorted(context.methods or ()):
            if (method, path) in SKIPPED:
                continue
            fields = _names(route.dependant, "query_params")
            if method == "POST":
                fields += _names(route.dependant, "body_params")
            path_params = tuple(re.findall(r"\{(\w+)", path))
            routes.append(Route(method, path, path_params, tuple(dict.fromkeys(fields))))
    return routes


@dataclass
class Browser:
    client: TestClient
    csrf: str
    routes: list[Route]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    tmp: Path = tmp_path_factory.mktemp("pages")
    clock = VirtualClock(T0)
    url = f"sqlite:///{tmp / 'amazon-jobs.db'}"
    from amazon_jobs.store import migrate
    from amazon_jobs.store.database import Database

    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    rt = make_runtime(url, clock, tmp)
    shop, server = make_shop(rt, clock, products=4)
    create_listings_job(rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),)))
    with rt.db.transaction() as session:
        add_user(session, WEB_USER, WEB_PASSWORD, clock.now())
    app = web_app(rt)
    routes = page_routes(app)
    client = TestClient(
        app, base_url="http://localhost", follow_redirects=False, raise_server_exceptions=False
    )
    answer = client.post("/login", data={"username": WEB_USER, "password": WEB_PASSWORD})
    assert answer.status_code == 303
    page = client.get("/").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    yield Browser(client, csrf, routes)
    client.close()
    server.stop()
    rt.close()


def test_the_routes_are_found(browser: Browser) -> None:
    found = {(r.method, r.path) for r in browser.routes}
    assert ("GET", "/jobs/{job_id}") in found and ("POST", "/jobs/{job_id}/cancel") in found
    assert ("GET", "/orders") in found and ("POST", "/orders/{order_id}/ship") in found
    assert len(found) >= 20
    job = next(r for r in browser.routes if r.path == "/jobs/{job_id}" and r.method == "GET")
    assert "items_after" in job.fields


def _request(browser: Browser, route: Route, values: dict[str, str], htmx: bool) -> Any:
    path = route.path
    for name in route.path_params:
        path = path.replace(f"{{{name}}}", quote(values.get(name, "1"), safe="") or "1")
    fields = {name: values.get(name, "1") for name in route.fields}
    headers = {"HX-Request": "true", "X-CSRF-Token": browser.csrf} if htmx else {}
    if route.method == "GET":
        return browser.client.get(path, params=fields, headers=headers)
    return browser.client.post(path, data={**fields, "csrf_token": browser.csrf}, headers=headers)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_page_route_answers_5xx(browser: Browser, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(browser.routes), label="route")
    names = [*route.path_params, *route.fields]
    values = {name: data.draw(EXTREME, label=name) for name in names}
    htmx = data.draw(st.booleans(), label="htmx")
    answer = _request(browser, route, values, htmx)
    assert answer.status_code < 500, (route, values, answer.status_code, answer.text[:300])
    assert "\r" not in answer.headers.get("hx-redirect", "")
    assert "\n" not in answer.headers.get("location", "")


ISSUE_EXAMPLES = [
    ("GET", "/jobs/99999999999999999999999", {}),
    ("GET", "/?to=9999-12-31", {}),
    ("GET", "/?from=0001-01-01&to=9999-12-31", {}),
    ("POST", "/jobs/99999999999999999999999/cancel", {}),
    ("POST", "/jobs/99999999999999999999999/check", {}),
    ("GET", "/orders?after=99999999999999999999999", {}),
    ("GET", "/orders?before=-1", {}),
    ("GET", "/jobs/1?items_after=99999999999999999999999", {}),
    ("GET", "/jobs/changes?newest=99999999999999999999999&v=99999999999999999999999@x", {}),
    ("GET", "/?account=99999999999999999999999", {}),
    ("GET", "/accounts/99999999999999999999999/edit", {}),
    ("POST", "/orders/import", {"account": "99999999999999999999999"}),
    ("POST", "/orders/1/ship", {"carrier_code": "UPS", "tracking_number": "1", "qty": "9" * 30}),
    ("POST", "/jobs/1/check", {"next": "/\r\nX-Injected: 1"}),
    ("POST", "/jobs/1/cancel", {"next": "/日本"}),
]


@pytest.mark.parametrize(("method", "url", "form"), ISSUE_EXAMPLES)
def test_the_issues_examples_are_refused_cleanly(browser: Browser, method, url, form) -> None:
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "GET":
            answer = browser.client.get(url, headers=headers)
        else:
            data = {**form, "csrf_token": browser.csrf}
            answer = browser.client.post(url, data=data, headers=headers)
        assert answer.status_code < 500, (url, answer.text[:300])
        assert answer.headers.get("x-injected") is None
        assert answer.headers.get("hx-redirect", "/").isascii()
