"""Write-only secrets stay put: an account re-pointed at another host sends it nothing.

The attacker's host is a real HTTP listener on 127.0.0.1 that records every
request (:mod:`tests.integration.recording_listener`) and answers like a
willing impostor. Each account-changing route (API PATCH and POST, dashboard
edit and add forms, ``amazon-jobs accounts add``; the CLI cannot edit) is
tried against it, then *test connection* and a job step run, with the
``allow_custom_endpoints`` setting on and off: the listener must not hear a
secret, a refresh token or an access token.
"""

from __future__ import annotations

import html
import re
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from typer.testing import CliRunner

from amazon_jobs.cli import common
from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.endpoints import LWA_TOKEN_URL, REGION_ENDPOINTS
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_orders_import_job
from amazon_jobs.service import test_connection as probe_account
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.models import Account, Job, JobLog
from tests.conftest import SECRET_KEY, make_runtime
from tests.integration.api_helpers import assert_error
from tests.integration.conftest import Shop, Web, make_shop
from tests.integration.recording_listener import ISSUED_TOKEN, RecordingListener

pytestmark = pytest.mark.timeout(180)

HTMX = {"HX-Request": "true"}
NEEDS_SECRETS = "needs the LWA client secret and the refresh token again"
NOT_AMAZON = "is not Amazon's"
OK, REFUSED, UNREACHABLE = (
    "OK: Amazon accepted the credentials",
    "Amazon refused the credentials",
    "Could not reach Amazon",
)


@pytest.fixture(params=[True, False], ids=["custom-allowed", "amazon-only"])
def shop(
    request: pytest.FixtureRequest, db_url: str, clock: VirtualClock, tmp_path: Path
) -> Iterator[Shop]:
    """The shop on the simulator, with custom endpoints allowed or not (overrides conftest's)."""
    rt = make_runtime(db_url, clock, tmp_path, allow_custom_endpoints=request.param)
    made, server = make_shop(rt, clock)
    yield made
    server.stop()
    rt.close()


@pytest.fixture
def impostor() -> Iterator[RecordingListener]:
    with RecordingListener() as host:
        yield host


def stored(shop: Shop) -> tuple[str, str, str, str]:
    with shop.rt.db.read() as session:
        a = session.get_one(Account, shop.account_id)
        return a.endpoint, a.lwa_token_url, a.lwa_client_secret_enc, a.refresh_token_enc


def form_fields(shop: Shop, web: Web, **changes: str) -> dict[str, str]:
    config = shop.sim.config
    return {
        "csrf_token": web.csrf,
        "name": "us",
        "seller_id": config.seller_id,
        "region": "na",
        "marketplace_id": config.marketplace_id,
        "lwa_client_id": config.client_id,
        "endpoint": shop.server.url,
        "lwa_token_url": f"{shop.server.url}/auth/o2/token",
        "orders_api": "2026-01-01",
        "lwa_client_secret": "",
        "refresh_token": "",
        **changes,
    }


def access_token(shop: Shop) -> str | None:
    """The access token the simulator issued to the account, if one was fetched."""
    for (account_id, _), auth in shop.rt.gateway._auth.items():
        if account_id == shop.account_id and auth._token is not None:
            return auth._token.get_secret_value()
    return None


def run_a_job_step(shop: Shop) -> Job:
    job = create_orders_import_job(shop.rt, "us")
    shop.run_worker()
    with shop.rt.db.read() as session:
        return session.get_one(Job, job.id)


def assert_heard_nothing(impostor: RecordingListener, shop: Shop, token: str | None) -> None:
    config = shop.sim.config
    heard = impostor.everything()
    for secret in (config.client_secret, config.refresh_token, token):
        assert secret is None or secret not in heard
    assert impostor.requests == []  # not even a request without secrets


def test_a_repointed_account_never_sends_its_secrets_to_the_new_host(shop, web, impostor):
    allowed = shop.rt.settings.allow_custom_endpoints
    probe_url = f"/api/v1/accounts/{shop.account_id}/test"
    first = web.api.post(probe_url).json()
    assert first["ok"] is allowed  # off, not even the simulator is called
    token = access_token(shop)
    assert (token is not None) is allowed
    before = stored(shop)
    new = {"endpoint": impostor.url, "lwa_token_url": f"{impostor.url}/auth/o2/token"}
    one_secret = ({"lwa_client_secret": "attacker-secret"}, {"refresh_token": "Atzr|attacker"})

    url = f"/api/v1/accounts/{shop.account_id}"
    for body in (new, {"endpoint": new["endpoint"]}, {"lwa_token_url": new["lwa_token_url"]}):
        for extra in ({}, *one_secret):
            assert_error(web.api.patch(url, json=body | extra), 422, NEEDS_SECRETS)

    for changes in (new, {"endpoint": new["endpoint"]}, {"lwa_token_url": new["lwa_token_url"]}):
        for extra in ({}, *one_secret):
            answer = web.browser.post(
                f"/accounts/{shop.account_id}", data=form_fields(shop, web, **changes, **extra)
            )
            assert answer.status_code == 422, answer.text
            assert 'class="error-box"' in answer.text and NEEDS_SECRETS in answer.text
            assert 'value="attacker-secret"' not in answer.text
    assert stored(shop) == before

    # The account is used: a connection test from the API and the dashboard, and a job step.
    again = web.api.post(probe_url).json()
    assert again["ok"] is allowed
    page = web.browser.post(
        f"/accounts/{shop.account_id}/test", headers={**HTMX, "X-CSRF-Token": web.csrf}
    )
    assert ("probe-ok" in page.text) is allowed
    job = run_a_job_step(shop)
    if allowed:
        assert job.status == "done", job.error
    else:  # the client refuses the simulator too, and says what to do
        assert job.status == "error" and "allow_custom_endpoints" in (job.error or "")
    assert_heard_nothing(impostor, shop, access_token(shop) or token)


@pytest.mark.parametrize("shop", [True], ids=["custom-allowed"], indirect=True)
def test_the_listener_does_hear_an_account_repointed_with_new_secrets(shop, web, impostor):
    """The control: with the setting on, re-pointing with secrets entered again works,
    and the new host gets those, never the ones stored before."""
    web.api.post(f"/api/v1/accounts/{shop.account_id}/test").raise_for_status()
    old_token = access_token(shop)
    answer = web.api.patch(
        f"/api/v1/accounts/{shop.account_id}",
        json={
            "endpoint": impostor.url,
            "lwa_token_url": f"{impostor.url}/auth/o2/token",
            "lwa_client_secret": "attacker-secret",
            "refresh_token": "Atzr|attacker",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["custom_endpoint"] is True
    assert web.api.post(f"/api/v1/accounts/{shop.account_id}/test").json()["ok"] is True
    heard = impostor.everything()
    assert "attacker-secret" in heard and "Atzr%7Cattacker" in heard and ISSUED_TOKEN in heard
    config = shop.sim.config
    for secret in (config.client_secret, config.refresh_token, old_token):
        assert secret is not None and secret not in heard


@pytest.mark.parametrize("shop", [False], ids=["amazon-only"], indirect=True)
def test_an_account_stored_with_a_custom_url_is_not_called_without_the_setting(shop, web, impostor):
    """An account pointed elsewhere before the setting was turned off (or by hand in the
    database) is refused by the client itself, with what to do about it."""
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Account).values(
                endpoint=impostor.url, lwa_token_url=f"{impostor.url}/auth/o2/token"
            )
        )
    ok, message = probe_account(shop.rt, shop.account_id)
    assert not ok and NOT_AMAZON in message and "allow_custom_endpoints" in message
    api = web.api.post(f"/api/v1/accounts/{shop.account_id}/test")
    assert api.status_code == 200 and api.json() == {"ok": False, "message": message}
    job = run_a_job_step(shop)
    assert job.status == "error" and "nothing was sent" in (job.error or "")
    assert "allow_custom_endpoints" in _log_of(shop, job.id)
    page = web.browser.get("/accounts").text
    assert "custom endpoint" in page and "Not called" in page
    assert_heard_nothing(impostor, shop, None)


def _log_of(shop: Shop, job_id: int) -> str:
    with shop.rt.db.read() as session:
        return "\n".join(session.scalars(select(JobLog.message).where(JobLog.job_id == job_id)))


NEW_ACCOUNT = {
    "name": "eu",
    "seller_id": "A2EUSELLER",
    "region": "eu",
    "marketplace_id": "A1PA6795UKMFR9",
    "lwa_client_id": "amzn1.application-oa2-client.eu",
    "lwa_client_secret": "eu-client-secret",
    "refresh_token": "Atzr|eu-refresh",
}


def test_only_amazons_hosts_are_accepted_without_the_setting(shop, web, impostor):
    allowed = shop.rt.settings.allow_custom_endpoints
    secrets = {"lwa_client_secret": "new-secret", "refresh_token": "Atzr|new"}
    url = f"/api/v1/accounts/{shop.account_id}"
    assert web.api.get(url).json()["custom_endpoint"] is True  # on the simulator

    elsewhere = {"endpoint": impostor.url, "lwa_token_url": f"{impostor.url}/auth/o2/token"}
    created = web.api.post("/api/v1/accounts", json=NEW_ACCOUNT | elsewhere)
    fields = form_fields(shop, web, name="eu2", **secrets, **elsewhere)
    added = web.browser.post("/accounts", data=fields)
    if allowed:
        assert created.status_code == 201 and created.json()["custom_endpoint"] is True
        assert added.status_code == 303
    else:
        assert_error(created, 422, NOT_AMAZON)
        edited = web.browser.post(f"/accounts/{shop.account_id}", data=fields | {"name": "us"})
        for answer in (added, edited):
            assert answer.status_code == 422 and NOT_AMAZON in html.unescape(answer.text)
        for body in (
            {"endpoint": "http://sellingpartnerapi-na.amazon.com"},
            {"endpoint": "https://sellingpartnerapi-na.amazon.com.evil.example"},
            {"endpoint": "https://sellingpartnerapi-na.amazon.com@127.0.0.1"},
            {"lwa_token_url": "https://api.amazon.com/auth/o2/token/../../x"},
            {"lwa_token_url": impostor.url},
        ):
            assert_error(web.api.patch(url, json=body | secrets), 422, NOT_AMAZON)
    web.api.post(f"/api/v1/accounts/{shop.account_id}/test")
    assert impostor.requests == []  # refused, or never called without the listener's URL

    back = {"endpoint": REGION_ENDPOINTS["eu"], "lwa_token_url": LWA_TOKEN_URL}
    moved = web.api.patch(url, json=back | secrets)  # Amazon's own, with the secrets
    assert moved.status_code == 200, moved.text
    assert moved.json()["custom_endpoint"] is False
    row = re.search(
        f'id="account-{shop.account_id}".*?</tr>', web.browser.get("/accounts").text, re.S
    )
    assert row is not None and "custom endpoint" not in row.group(0)
    unchanged = web.api.patch(url, json={"endpoint": REGION_ENDPOINTS["eu"] + "/", "name": "us1"})
    assert unchanged.status_code == 200  # the same URL is no change: no secrets needed


def test_accounts_add_refuses_a_custom_url_without_the_setting(
    sqlite_url, tmp_path, impostor, monkeypatch
):
    env: dict[str, str | None] = {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": sqlite_url,
        "AMAZON_JOBS_SECRET_KEY": SECRET_KEY,
        "AMAZON_JOBS_ALLOW_CUSTOM_ENDPOINTS": None,
        "AMAZON_JOBS_LWA_CLIENT_SECRET": "cli-client-secret",
        "AMAZON_JOBS_LWA_REFRESH_TOKEN": "Atzr|cli-refresh-token",
        "COLUMNS": "300",
    }
    monkeypatch.setattr(common.console, "width", 300)  # fixed when first imported
    add = ["accounts", "add", "--name", "x", "--seller-id", "A1", "--marketplace",
           "ATVPDKIKX0DER", "--client-id", "amzn1.application-oa2-client.x",
           "--endpoint", impostor.url, "--lwa-url", f"{impostor.url}/auth/o2/token"]  # fmt: skip
    refused = CliRunner().invoke(cli_app, add, env=env)
    assert refused.exit_code == 1 and NOT_AMAZON in " ".join(refused.output.split())
    assert "allow_custom_endpoints" in " ".join(refused.output.split())
    assert "No accounts yet" in CliRunner().invoke(cli_app, ["accounts", "list"], env=env).output
    env["AMAZON_JOBS_ALLOW_CUSTOM_ENDPOINTS"] = "true"
    added = CliRunner().invoke(cli_app, add, env=env)
    assert added.exit_code == 0, added.output
    assert "(custom)" in CliRunner().invoke(cli_app, ["accounts", "list"], env=env).output
    assert impostor.requests == []


# The connection test says only OK, refused or unreachable.


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def account_at(rt: Runtime, name: str, base: str) -> int:
    spec = AccountSpec(
        name=name,
        seller_id="A1",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="amzn1.application-oa2-client.x",
        lwa_client_secret=SecretStr("probe-secret"),
        refresh_token=SecretStr("Atzr|probe"),
        endpoint=base,
        lwa_token_url=f"{base}/auth/o2/token",
    )
    with rt.db.transaction() as session:
        return add_account(session, spec, rt.cipher, rt.clock.now()).id


def probe(rt: Runtime, name: str, base: str) -> tuple[bool, str]:
    return probe_account(rt, account_at(rt, name, base))


def test_connection_answers_say_nothing_about_the_remote_host(sqlite_url, clock, tmp_path):
    rt = make_runtime(sqlite_url, clock, tmp_path)
    echo = "ECHO-me-back-7f3a"
    try:
        with ExitStack() as stack:
            hosts = [stack.enter_context(RecordingListener()) for _ in range(6)]
            not_found, refusing, broken, odd, sp_api, good = hosts
            not_found.answer(404, "<html>nginx 404 " + echo + "</html>")
            refusing.answer(400, {"error": "invalid_grant", "error_description": echo})
            broken.answer(500, {"error": echo})
            odd.answer(403, {"error": echo, "error_description": echo})
            answers = {
                "closed": probe(rt, "closed", closed_port()),
                "404": probe(rt, "404", not_found.url),
                "500": probe(rt, "500", broken.url),
                "odd": probe(rt, "odd", odd.url),
                "refused": probe(rt, "refused", refusing.url),
                "good": probe(rt, "good", good.url),
            }
            # A token first; then the SP-API side answers 404 to a call with that token.
            warm = account_at(rt, "sp-api", sp_api.url)
            assert probe_account(rt, warm) == (True, OK)
            sp_api.answer(404, {"errors": [{"code": echo, "message": echo}]})
            answers["sp-api 404"] = probe_account(rt, warm)
            assert sp_api.requests[-1].path.startswith("/feeds/")
    finally:
        rt.close()
    assert answers["closed"] == answers["404"] == answers["500"] == (False, UNREACHABLE)
    assert answers["odd"] == answers["sp-api 404"] == (False, UNREACHABLE)
    assert answers["refused"] == (False, REFUSED)
    assert answers["good"] == (True, OK)
    assert echo not in str(answers)
