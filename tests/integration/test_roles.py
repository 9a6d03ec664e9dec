"""Roles through the web app: every route declares its role, and the matrix holds.

Principals: anonymous; sessions of a viewer, an operator and an admin; API tokens
of each, and an admin's token scoped to viewer (narrower than its user).
Allowed: anything but 401/403. Refused: 403 (anonymous: 401 from the API, the
login page from the dashboard).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.roles import ROLES, Role, allows
from amazon_jobs.runtime import Runtime
from amazon_jobs.security import token_digest
from amazon_jobs.store.models import ApiToken, User, WebSession
from amazon_jobs.store.users import add_user, create_api_token, start_session
from amazon_jobs.web.access import GUARDS
from tests.conftest import make_runtime
from tests.integration.api_helpers import assert_error
from tests.integration.test_security import PUBLIC, app_routes, fill
from tests.webapp import web_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.timeout(180)

PASSWORD = "a long password 123"
V, OP, A = Role.VIEWER, Role.OPERATOR, Role.ADMIN

#: The role each route needs, written down here independently of the code.
EXPECTED: dict[tuple[str, str], Role] = {
    ("GET", "/api/v1/jobs"): V,
    ("POST", "/api/v1/jobs"): OP,
    ("GET", "/api/v1/jobs/{job_id}"): V,
    ("GET", "/api/v1/jobs/{job_id}/items"): V,
    ("GET", "/api/v1/jobs/{job_id}/log"): V,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): OP,
    ("POST", "/api/v1/jobs/{job_id}/check"): OP,
    ("POST", "/api/v1/jobs/{job_id}/retry-failed"): OP,
    ("GET", "/api/v1/accounts"): V,
    ("POST", "/api/v1/accounts"): A,
    ("GET", "/api/v1/accounts/{account_id}"): V,
    ("PATCH", "/api/v1/accounts/{account_id}"): A,
    ("POST", "/api/v1/accounts/{account_id}/test"): A,
    ("GET", "/api/v1/accounts/{account_id}/policy"): V,
    ("PUT", "/api/v1/accounts/{account_id}/policy"): OP,
    ("POST", "/api/v1/accounts/{account_id}/pause"): A,
    ("POST", "/api/v1/accounts/{account_id}/resume"): A,
    ("POST", "/api/v1/accounts/{account_id}/disable"): A,
    ("POST", "/api/v1/accounts/{account_id}/enable"): A,
    ("DELETE", "/api/v1/accounts/{account_id}"): A,
    ("PUT", "/api/v1/accounts/{account_id}/shop"): A,
    ("GET", "/api/v1/shops"): V,
    ("POST", "/api/v1/shops"): A,
    ("GET", "/api/v1/shops/{shop_id}"): V,
    ("PATCH", "/api/v1/shops/{shop_id}"): A,
    ("DELETE", "/api/v1/shops/{shop_id}"): A,
    ("POST", "/api/v1/shops/{shop_id}/test"): OP,
    ("POST", "/api/v1/shops/{shop_id}/sync"): OP,
    ("GET", "/api/v1/shops/{shop_id}/settings"): V,
    ("PATCH", "/api/v1/shops/{shop_id}/settings"): A,
    ("GET", "/api/v1/products"): V,
    ("PUT", "/api/v1/products"): OP,
    ("PATCH", "/api/v1/products"): OP,
    ("PATCH", "/api/v1/products/{sku:path}"): OP,
    ("GET", "/api/v1/products/{sku:path}"): V,
    ("GET", "/api/v1/listings"): V,
    ("POST", "/api/v1/listings"): OP,
    ("GET", "/api/v1/orders"): V,
    ("GET", "/api/v1/orders/{amazon_order_id}"): V,
    ("POST", "/api/v1/orders/{amazon_order_id}/ship"): OP,
    ("POST", "/api/v1/orders/{order}/acknowledge"): OP,
    ("GET", "/api/v1/inventory"): V,
    ("GET", "/api/v1/quota"): V,
    ("GET", "/metrics"): V,
    ("GET", "/api/v1/openapi.json"): V,
    ("GET", "/api/docs"): V,
    ("POST", "/logout"): V,
    ("GET", "/"): V,
    ("GET", "/jobs/rows"): V,
    ("GET", "/jobs/changes"): V,
    ("POST", "/jobs/{job_id}/check"): OP,
    ("GET", "/jobs/{job_id}/cancel"): OP,
    ("POST", "/jobs/{job_id}/cancel"): OP,
    ("GET", "/jobs/{job_id}"): V,
    ("GET", "/jobs/{job_id}/live"): V,
    ("GET", "/jobs/{job_id}/documents/{kind}"): V,
    ("POST", "/jobs/{job_id}/retry"): OP,
    ("GET", "/quota"): V,
    ("GET", "/charts"): V,
    ("GET", "/accounts"): V,
    ("GET", "/accounts/new"): A,
    ("POST", "/accounts"): A,
    ("GET", "/accounts/{account_id}/edit"): A,
    ("POST", "/accounts/{account_id}"): A,
    ("POST", "/accounts/{account_id}/test"): A,
    ("GET", "/accounts/{account_id}/policy"): OP,
    ("POST", "/accounts/{account_id}/policy"): OP,
    ("POST", "/accounts/{account_id}/resume"): A,
    ("POST", "/accounts/{account_id}/disable"): A,
    ("POST", "/accounts/{account_id}/enable"): A,
    ("GET", "/accounts/{account_id}/delete"): A,
    ("POST", "/accounts/{account_id}/delete"): A,
    ("POST", "/accounts/{account_id}/shop"): A,
    ("GET", "/shops"): V,
    ("GET", "/shops/new"): A,
    ("POST", "/shops"): A,
    ("GET", "/shops/{shop_id}/edit"): A,
    ("POST", "/shops/{shop_id}"): A,
    ("POST", "/shops/{shop_id}/test"): OP,
    ("POST", "/shops/{shop_id}/sync"): OP,
    ("GET", "/shops/{shop_id}/settings"): V,
    ("POST", "/shops/{shop_id}/settings"): A,
    ("GET", "/shops/{shop_id}/delete"): A,
    ("POST", "/shops/{shop_id}/delete"): A,
    ("GET", "/listings"): V,
    ("POST", "/listings/add"): OP,
    ("GET", "/products"): V,
    ("POST", "/products/add"): OP,
    ("POST", "/products/import"): OP,
    ("POST", "/listings/preview"): OP,
    ("POST", "/listings/jobs"): OP,
    ("POST", "/jobs/bulk/cancel"): OP,
    ("POST", "/jobs/bulk/retry"): OP,
    ("GET", "/inventory"): V,
    ("POST", "/inventory/report"): OP,
    ("GET", "/orders"): V,
    ("GET", "/orders/{order_id}"): V,
    ("POST", "/orders/{order_id}/ship"): OP,
    ("POST", "/orders/import"): OP,
    ("POST", "/orders/confirm"): OP,
    ("GET", "/activity"): V,
    ("POST", "/views"): V,
    ("POST", "/views/{view_id}/delete"): V,
    ("GET", "/users"): A,
    ("POST", "/users"): A,
    ("POST", "/users/{user_id}/role"): A,
    ("POST", "/users/{user_id}/disable"): A,
    ("POST", "/users/{user_id}/enable"): A,
    ("POST", "/users/{user_id}/delete"): A,
    ("POST", "/users/{user_id}/logout"): A,
    ("POST", "/users/{user_id}/tokens/{token_id}/revoke"): A,
    ("GET", "/password"): V,
    ("POST", "/password"): V,
}


@dataclass
class Crew:
    rt: Runtime
    app: object
    tokens: dict[str, str]
    victim_id: int


@pytest.fixture
def crew(sqlite_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Crew]:
    rt = make_runtime(sqlite_url, clock, tmp_path, security_clock=clock)
    tokens = {}
    with rt.db.transaction() as session:
        for role in ROLES:
            user = add_user(session, role.value, PASSWORD, clock.now(), role=role)
            tokens[role.value] = create_api_token(session, user, "t", clock.now())
            if role is Role.ADMIN:
                tokens["narrow"] = create_api_token(session, user, "n", clock.now(), scope=V)
        victim = add_user(session, "victim", PASSWORD, clock.now(), role=Role.OPERATOR)
        create_api_token(session, victim, "v", clock.now())
        victim_id = victim.id
    yield Crew(rt, web_app(rt), tokens, victim_id)
    rt.close()


def session_client(crew: Crew, username: str) -> tuple[TestClient, str]:
    """A browser with a fresh session of *username* (made in the store, no login)."""
    with crew.rt.db.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        cookie = start_session(session, user, crew.rt.clock.now(), timedelta(hours=2))
        csrf = session.scalars(
            select(WebSession.csrf_token).where(WebSession.token_hash == token_digest(cookie))
        ).one()
    client = TestClient(crew.app, base_url="http://localhost", follow_redirects=False)
    client.cookies.set("aj_session", cookie)
    return client, csrf


def declared_roles(app: object) -> dict[tuple[str, str], list[Role]]:
    def calls(dependant):
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    found = {}
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        roles = [GUARDS[c] for c in calls(dependant) if c in GUARDS] if dependant else []
        for method in route.methods or ():
            found[(method, route.path)] = roles
    return found


def test_every_route_declares_exactly_one_role(crew):
    declared = declared_roles(crew.app)
    assert set(app_routes(crew.app)) == set(declared)
    undeclared = [r for r, roles in declared.items() if not roles and r not in PUBLIC]
    assert undeclared == [], f"routes without a role guard: {undeclared}"
    assert all(not declared[r] for r in PUBLIC)
    assert {r: roles[0] for r, roles in declared.items() if roles} == EXPECTED
    assert all(len(roles) <= 1 for roles in declared.values())


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/metrics"


def test_the_role_matrix_holds_for_every_route(crew):
    routes = [r for r in app_routes(crew.app) if r not in PUBLIC]
    assert set(routes) == set(EXPECTED)
    anonymous = TestClient(crew.app, base_url="http://localhost", follow_redirects=False)
    values = {"user_id": str(crew.victim_id), "token_id": "999"}
    for method, path in routes:
        url, needs = fill(path, values), EXPECTED[(method, path)]
        answer = anonymous.request(method, url)
        if is_api(path):
            assert_error(answer, 401)
        else:
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        for role in ROLES:
            # A fresh session per request: logouts and password changes touch no other.
            client, csrf = session_client(crew, role.value)
            answer = client.request(
                method, url, data={"csrf_token": csrf}, headers={"X-CSRF-Token": csrf}
            )
            if is_api(path) and path not in ("/api/v1/openapi.json", "/api/docs"):
                assert_error(answer, 401)  # the API takes tokens, not sessions
            elif allows(role, needs):
                assert answer.status_code not in (401, 403), (role, method, url, answer.text)
                assert not answer.headers.get("location", "").startswith("/login?"), url
            else:
                assert answer.status_code == 403, (role, method, url, answer.status_code)
                assert f"needs the {needs} role" in answer.text
        if not is_api(path):
            continue
        for principal, acts_as in (("viewer", V), ("operator", OP), ("admin", A), ("narrow", V)):
            headers = {"Authorization": f"Bearer {crew.tokens[principal]}"}
            answer = anonymous.request(method, url, headers=headers)
            if allows(acts_as, needs):
                assert answer.status_code not in (401, 403), (principal, method, url)
            else:
                assert_error(answer, 403, f"needs the {needs} role; you act as {acts_as}")


def test_a_viewer_sees_no_button_they_cannot_use(crew):
    viewer, _ = session_client(crew, "viewer")
    operator, _ = session_client(crew, "operator")
    admin, _ = session_client(crew, "admin")
    assert "Users" not in nav(viewer.get("/")) and "Users" in nav(admin.get("/"))
    assert 'href="/accounts/new"' not in viewer.get("/accounts").text
    assert 'href="/accounts/new"' not in operator.get("/accounts").text
    assert 'href="/accounts/new"' in admin.get("/accounts").text
    assert viewer.get("/users").status_code == 403
    assert "Change my password" in viewer.get("/password").text


def nav(answer) -> str:
    assert answer.status_code == 200, answer.text
    return answer.text.split("<main>", 1)[0]


def test_taking_access_away_works_on_the_next_request(crew):
    admin, csrf = session_client(crew, "admin")
    victim, _ = session_client(crew, "victim")
    with crew.rt.db.transaction() as session:
        victim_user = session.get(User, crew.victim_id)
        token = create_api_token(session, victim_user, "x", crew.rt.clock.now())
    api = TestClient(
        crew.app, base_url="http://localhost", headers={"Authorization": f"Bearer {token}"}
    )
    assert victim.get("/").status_code == 200 and api.get("/api/v1/jobs").status_code == 200
    # Narrower role: the token follows at once.
    made = admin.post(f"/users/{crew.victim_id}/role", data={"csrf_token": csrf, "role": "viewer"})
    assert made.status_code == 303
    assert_error(api.post("/api/v1/jobs", json={}), 403, "you act as viewer")
    # Disabled: the session and the token stop working.
    admin.post(f"/users/{crew.victim_id}/disable", data={"csrf_token": csrf})
    assert victim.get("/").headers["location"].startswith("/login?next=")
    assert_error(api.get("/api/v1/jobs"), 401, "not valid")
    page = admin.get("/users")
    assert f'id="user-{crew.victim_id}" data-state="disabled"' in page.text
    admin.post(f"/users/{crew.victim_id}/enable", data={"csrf_token": csrf})
    assert api.get("/api/v1/jobs").status_code == 200
    # Revoked (from the users page): refused, with the one error shape.
    with crew.rt.db.read() as session:
        token_ids = session.scalars(
            select(ApiToken.id).where(ApiToken.user_id == crew.victim_id)
        ).all()
    page = admin.get("/users").text
    for token_id in token_ids:
        path = f"/users/{crew.victim_id}/tokens/{token_id}/revoke"
        assert f'action="{path}"' in page
        assert admin.post(path, data={"csrf_token": csrf}).status_code == 303
    assert_error(api.get("/api/v1/jobs"), 401, "revoked")
    # Deleted: gone, with the sessions.
    admin.post(f"/users/{crew.victim_id}/delete", data={"csrf_token": csrf})
    with crew.rt.db.read() as session:
        assert session.get(User, crew.victim_id) is None


def test_an_expired_token_is_refused_with_401(crew):
    now = crew.rt.security_clock.now()
    with crew.rt.db.transaction() as session:
        user = session.scalars(select(User).where(User.username == "operator")).one()
        token = create_api_token(session, user, "e", now, expires_at=now + timedelta(hours=1))
        session.flush()
        row = session.scalars(select(ApiToken).where(ApiToken.name == "e")).one()
        valid = TestClient(
            crew.app, base_url="http://localhost", headers={"Authorization": f"Bearer {token}"}
        )
        row.expires_at = now - timedelta(seconds=1)  # as if an hour passed
    assert_error(valid.get("/api/v1/jobs"), 401, "expired")


def test_changing_my_password_ends_my_other_sessions(crew):
    here, csrf = session_client(crew, "viewer")
    there, _ = session_client(crew, "viewer")
    form = {"csrf_token": csrf, "current": PASSWORD, "new": "a new long password", "repeat": "x"}
    differ = here.post("/password", data=form)
    assert differ.status_code == 303 and there.get("/").status_code == 200
    wrong = here.post(
        "/password", data={**form, "current": "wrong password!", "repeat": form["new"]}
    )
    assert wrong.status_code == 303 and there.get("/").status_code == 200
    changed = here.post("/password", data={**form, "repeat": form["new"]})
    assert changed.status_code == 303
    assert "1 other session(s) ended" in here.get("/password").text
    assert here.get("/").status_code == 200
    assert there.get("/").headers["location"].startswith("/login?next=")


def test_the_last_admin_cannot_lock_everyone_out(crew):
    admin, csrf = session_client(crew, "admin")
    with crew.rt.db.read() as session:
        admin_id = session.scalars(select(User.id).where(User.username == "admin")).one()
    for action, data in (("disable", {}), ("delete", {}), ("role", {"role": "viewer"})):
        answer = admin.post(f"/users/{admin_id}/{action}", data={"csrf_token": csrf, **data})
        assert answer.status_code == 303
        assert "last enabled admin" in admin.get("/users").text
    assert admin.get("/users").status_code == 200
