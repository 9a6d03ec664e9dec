"""Where a merchant sets an account's channel and forces a job's, and sees which channel a
job took and why: :func:`set_account_channel`, the CLI, the REST API and the dashboard,
on SQLite and PostgreSQL. The worker's side (choosing, sending) is tested elsewhere; here
a job's ``data`` is what the worker records, written as it writes it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.account_channel import job_channel, set_account_channel
from amazon_jobs.accounts import delete_account
from amazon_jobs.cli.common import console as cli_console
from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.roles import Role
from amazon_jobs.errors import AmazonJobsError, ConfigError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.models import Account, Action, Job
from amazon_jobs.store.users import add_user, create_api_token
from amazon_jobs.web.api.schemas.accounts import AccountPublic
from tests.conftest import SECRET_KEY, make_runtime
from tests.integration.api_helpers import assert_error, create_jobs
from tests.integration.conftest import Shop, Web, make_shop, sku

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def shop(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Shop]:
    """The conftest's shop on an installation whose channel is left at its default, auto
    (the suite pins the feed elsewhere)."""
    rt = make_runtime(db_url, clock, tmp_path, channel="auto")
    made, server = make_shop(rt, clock, unknown_on_amazon=(3,))
    yield made
    server.stop()
    rt.close()


#: What the worker records when it chose the API for a small job.
CHOSE_API = {
    "channel": "listings-api",
    "channel_estimate": {"items": 1, "feed_s": 300.0, "api_s": 2.0},
}
CHOSEN_TEXT = "Listings Items API (chosen: about 2 s vs feed about 5.0 min)"


def channel_of(shop: Shop) -> str | None:
    with shop.rt.db.read() as session:
        return session.get_one(Account, shop.account_id).channel


def channel_actions(shop: Shop) -> list[tuple[str, str]]:
    with shop.rt.db.read() as session:
        rows = session.scalars(
            select(Action).where(Action.action == "account_channel").order_by(Action.id)
        )
        return [(a.actor, a.detail) for a in rows]


def job_data(shop: Shop, job_id: int) -> dict[str, Any]:
    with shop.rt.db.read() as session:
        return dict(session.get_one(Job, job_id).data)


def record_choice(shop: Shop, job_id: int, data: dict[str, Any]) -> None:
    """Write what the worker records once it chose the job's channel."""
    with shop.rt.db.transaction() as session:
        job = session.get_one(Job, job_id)
        job.data = {**job.data, **data}


def new_job(shop: Shop, channel: Channel | None = None) -> int:
    selection = Selection(skus=(sku(1),))
    reservation = create_listings_job(shop.rt, JobType.UPDATE_QTY, "us", selection, channel=channel)
    return reservation.jobs[0].id


# -- set_account_channel -----------------------------------------------------------


def test_set_account_channel_changes_records_and_refuses(shop: Shop) -> None:
    assert channel_of(shop) is None  # the installation's setting
    change = set_account_channel(shop.rt, "us", Channel.API, actor="ann", reason="  sale  day ")
    assert change.changed and change.before is None and change.after is Channel.API
    assert change.account.name == "us" and channel_of(shop) == "listings-api"
    again = set_account_channel(shop.rt, shop.account_id, "listings-api", actor="ann")
    assert not again.changed  # nothing recorded
    set_account_channel(shop.rt, str(shop.account_id), " FEED ", actor="bob")
    assert channel_of(shop) == "feed"
    assert channel_actions(shop) == [
        ("ann", "set the channel of account us to listings-api (was default)"),
        ("bob", "set the channel of account us to feed (was listings-api)"),
    ]
    with shop.rt.db.read() as session:
        first = session.scalars(select(Action).where(Action.action == "account_channel")).first()
        assert first is not None and first.reason == "sale day"
        assert first.account_id == shop.account_id

    with pytest.raises(ConfigError, match="unknown channel 'api': choose one of auto, feed"):
        set_account_channel(shop.rt, "us", "api")
    with pytest.raises(AmazonJobsError, match="no account 'eu'"):
        set_account_channel(shop.rt, "eu", Channel.FEED)
    assert channel_of(shop) == "feed" and len(channel_actions(shop)) == 2
    back = set_account_channel(shop.rt, "us", "default", actor="bob")
    assert back.changed and back.after is None and channel_of(shop) is None
    assert set_account_channel(shop.rt, "us", Channel.AUTO).after is Channel.AUTO
    assert channel_of(shop) == "auto"  # auto of its own, whatever the installation says
    assert [detail for _, detail in channel_actions(shop)][2:] == [
        "set the channel of account us to default (was feed)",
        "set the channel of account us to auto (was default)",
    ]


def test_a_deleted_account_has_no_channel_to_set(shop: Shop) -> None:
    delete_account(shop.rt, shop.account_id)
    with pytest.raises(AmazonJobsError, match="no account 'us'"):
        set_account_channel(shop.rt, "us", Channel.API)
    with pytest.raises(AmazonJobsError, match="no account"):
        set_account_channel(shop.rt, shop.account_id, Channel.API)


# -- what a job says ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({}, None),
        ({"resend_of": 3}, None),
        ({"channel_forced": "listings-api"}, "Listings Items API (forced)"),
        ({"channel_forced": "feed", "channel": "feed", **CHOSE_API}, "Listings Items API (forced)"),
        ({"channel_forced": "auto"}, None),
        (CHOSE_API, CHOSEN_TEXT),
        (
            {"channel": "feed", "channel_estimate": {"items": 5000, "feed_s": 330, "api_s": 1001}},
            "JSON listings feed (chosen: about 5.5 min vs Listings Items API about 16.7 min)",
        ),
        (
            {"channel": "feed", "channel_estimate": {"items": 1, "feed_s": 300, "api_s": 0.2}},
            "JSON listings feed (account setting: about 5.0 min vs Listings Items API about 0 s)",
        ),
        ({"channel": "listings-api"}, "Listings Items API"),
        ({"channel": "listings-api", "channel_estimate": {"items": "x"}}, "Listings Items API"),
        ({"channel": "pigeon"}, None),
    ],
)
def test_a_jobs_channel_in_words(data: dict[str, Any], text: str | None) -> None:
    found = job_channel(data)
    assert (found.describe() if found else None) == text


# -- CLI ---------------------------------------------------------------------------


Run = Callable[..., str]


@pytest.fixture
def run(shop: Shop, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setattr(cli_console, "width", 220)  # made at import: no cell wraps
    env: dict[str, str | None] = {
        "AMAZON_JOBS_HOME": str(tmp_path / "cli-home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": db_url,
        "AMAZON_JOBS_SECRET_KEY": SECRET_KEY,
        "COLUMNS": "220",
    }

    def invoke(*args: str, code: int = 0, **more_env: str) -> str:
        result = CliRunner().invoke(cli_app, list(args), env={**env, **more_env})
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_the_cli_sets_an_accounts_channel_and_lists_it(shop: Shop, run: Run) -> None:
    assert re.search(r"\bus\b.*\bdefault \(auto\)", run("accounts", "list"))
    listed = run("accounts", "list", AMAZON_JOBS_CHANNEL="feed")
    assert re.search(r"\bus\b.*\bdefault \(feed\)", listed)
    out = run("accounts", "set-channel", "us", "listings-api", "--reason", "small updates")
    assert "Account us now uses listings-api (Listings Items API); it used default." in out
    assert "uses listings-api already: nothing changed" in run(
        "accounts", "set-channel", str(shop.account_id), "listings-api"
    )
    assert re.search(r"\bus\b.*\blistings-api\b", run("accounts", "list"))
    refused = run("accounts", "set-channel", "us", "fax", code=1)
    assert "unknown channel 'fax': choose one of auto, feed, listings-api, default" in refused
    assert "no account 'eu'" in run("accounts", "set-channel", "eu", "feed", code=1)
    assert channel_of(shop) == "listings-api"
    out = run("accounts", "set-channel", "us", "default")
    assert "now uses default (installation setting: auto (the faster, per job))" in out
    assert channel_of(shop) is None
    assert [detail for _, detail in channel_actions(shop)] == [
        "set the channel of account us to listings-api (was default)",
        "set the channel of account us to default (was listings-api)",
    ]


def test_every_listings_command_takes_channel_and_show_says_it(shop: Shop, run: Run) -> None:
    out = run("jobs", "update-qty", "--account", "us", "--sku", sku(1), "--channel", "listings-api")
    assert "Forced through the Listings Items API." in out
    job_id = int(re.search(r"Job (\d+) reserved", out)[1])  # type: ignore[index]
    assert job_data(shop, job_id)["channel_forced"] == "listings-api"
    assert "Channel: Listings Items API (forced)" in run("jobs", "show", str(job_id))

    commands = ["send-products", "update-price", "update-qty-price", "stop", "stop-remove"]
    for command in commands:
        text = run("jobs", command, "--help")
        assert "--channel" in text and "auto|feed|listings-api" in text, command
    out = run("jobs", "update-price", "--account", "us", "--sku", sku(2), "--channel", "feed")
    price_job = int(re.search(r"Job (\d+) reserved", out)[1])  # type: ignore[index]
    assert job_data(shop, price_job)["channel_forced"] == "feed"
    out = run("jobs", "update-price", "--account", "us", "--sku", sku(4), "--channel", "auto")
    auto_job = int(re.search(r"Job (\d+) reserved", out)[1])  # type: ignore[index]
    assert "channel_forced" not in job_data(shop, auto_job) and "Forced" not in out
    assert "Channel:" not in run("jobs", "show", str(auto_job))
    record_choice(shop, auto_job, CHOSE_API)
    assert f"Channel: {CHOSEN_TEXT}" in run("jobs", "show", str(auto_job))
    assert "Invalid value" in run(
        "jobs", "stop", "--account", "us", "--sku", sku(5), "--channel", "fax", code=2
    )


# -- REST API ----------------------------------------------------------------------


def token_of(shop: Shop, role: Role) -> dict[str, str]:
    with shop.rt.db.transaction() as session:
        user = add_user(session, role.value, "a long password 123", shop.clock.now(), role=role)
        token = create_api_token(session, user, "t", shop.clock.now())
    return {"Authorization": f"Bearer {token}"}


def test_the_api_shows_and_changes_an_accounts_channel(shop: Shop, web: Web) -> None:
    url = f"/api/v1/accounts/{shop.account_id}"
    shown = web.api.get(url).json()
    assert shown["channel"] is None and shown["channel_effective"] == "auto"
    assert web.api.get("/api/v1/accounts").json()["items"][0]["channel"] is None
    answer = web.api.patch(url, json={"channel": "listings-api"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["channel"] == "listings-api" and answer.json()["name"] == "us"
    assert answer.json()["channel_effective"] == "listings-api"
    both = web.api.patch(url, json={"channel": "feed", "orders_api": "v0"}).json()
    assert both["channel"] == "feed" and both["orders_api"] == "v0"

    error = assert_error(web.api.patch(url, json={"channel": "api"}), 422, "body.channel")
    assert "'auto', 'feed' or 'listings-api'" in error["message"]
    assert error["details"][0]["where"] == "body.channel"
    assert_error(web.api.patch("/api/v1/accounts/999", json={"channel": "feed"}), 404)
    assert channel_of(shop) == "feed"
    assert web.api.patch(url, json={"orders_api": "2026-01-01"}).json()["channel"] == "feed"
    reset = web.api.patch(url, json={"channel": None}).json()  # back to the installation's
    assert reset["channel"] is None and reset["channel_effective"] == "auto"
    with shop.rt.db.read() as session:
        kinds = list(session.scalars(select(Action.action).order_by(Action.id)))
    # The channel alone is not an "account_change" of nothing; with orders_api it is both.
    assert kinds == [
        "account_channel",
        "account_change",
        "account_channel",
        "account_change",
        "account_channel",
    ]
    assert channel_actions(shop)[0] == (
        "seller",
        "set the channel of account us to listings-api (was default)",
    )


def test_only_an_admin_changes_the_channel_and_a_viewer_reads_it(shop: Shop, web: Web) -> None:
    url = f"/api/v1/accounts/{shop.account_id}"
    operator, viewer = token_of(shop, Role.OPERATOR), token_of(shop, Role.VIEWER)
    refused = web.api.patch(url, json={"channel": "feed"}, headers=operator)
    assert_error(refused, 403, "needs the admin role; you act as operator")
    assert_error(web.api.patch(url, json={"channel": "feed"}, headers=viewer), 403)
    assert web.api.get(url, headers=viewer).json()["channel_effective"] == "auto"
    assert channel_of(shop) is None and channel_actions(shop) == []


def test_a_new_account_takes_a_channel(shop: Shop, web: Web) -> None:
    config = shop.sim.config
    body = {
        "name": "us2",
        "seller_id": "A2OTHER",
        "marketplace_id": config.marketplace_id,
        "lwa_client_id": config.client_id,
        "lwa_client_secret": config.client_secret,
        "refresh_token": config.refresh_token,
        "endpoint": shop.server.url,
        "lwa_token_url": f"{shop.server.url}/auth/o2/token",
    }
    made = web.api.post("/api/v1/accounts", json={**body, "channel": "listings-api"})
    assert made.status_code == 201, made.text
    assert made.json()["channel"] == "listings-api"
    plain = web.api.post("/api/v1/accounts", json={**body, "name": "us3"})
    assert plain.json()["channel"] is None
    bad = web.api.post("/api/v1/accounts", json={**body, "name": "us4", "channel": "x"})
    assert_error(bad, 422, "body.channel")


def test_a_listings_job_is_forced_through_the_api_and_shows_its_channel(
    shop: Shop, web: Web
) -> None:
    [job] = create_jobs(web, type="update_qty", skus=[sku(1)], channel="listings-api")
    assert job["channel"] == "listings-api" and job["channel_forced"] is True
    assert job["channel_note"] == "forced" and job["channel_estimate"] is None
    assert job_data(shop, job["id"])["channel_forced"] == "listings-api"

    [plain] = create_jobs(web, type="update_price", skus=[sku(2)])
    assert plain["channel"] is None and plain["channel_forced"] is False
    assert "channel_forced" not in job_data(shop, plain["id"])
    record_choice(shop, plain["id"], CHOSE_API)
    shown = web.api.get(f"/api/v1/jobs/{plain['id']}").json()
    assert shown["channel"] == "listings-api" and shown["channel_forced"] is False
    assert shown["channel_estimate"] == {"items": 1, "feed_s": 300.0, "api_s": 2.0}
    assert shown["channel_note"] == "chosen: about 2 s vs feed about 5.0 min"
    listed = web.api.get("/api/v1/jobs").json()["items"]
    assert {j["id"]: j["channel"] for j in listed} == {
        job["id"]: "listings-api",
        plain["id"]: "listings-api",
    }


def test_a_bad_channel_is_refused_with_the_field_named(shop: Shop, web: Web) -> None:
    body = {"account": "us", "type": "update_qty", "skus": [sku(1)], "channel": "pigeon"}
    error = assert_error(web.api.post("/api/v1/jobs", json=body), 422, "body.channel")
    assert "'auto', 'feed' or 'listings-api'" in error["message"]
    orders = {"account": "us", "type": "orders_import", "channel": "feed"}
    assert_error(web.api.post("/api/v1/jobs", json=orders), 422, "channel do(es) not apply")
    with shop.rt.db.read() as session:
        assert session.scalar(select(Job.id)) is None  # nothing created


# -- dashboard ---------------------------------------------------------------------


def edit_form(shop: Shop, web: Web, **changes: str) -> dict[str, str]:
    config = shop.sim.config
    return {
        "csrf_token": web.csrf,
        "name": "us",
        "marketplace_id": config.marketplace_id,
        "lwa_client_id": config.client_id,
        "endpoint": shop.server.url,
        "lwa_token_url": f"{shop.server.url}/auth/o2/token",
        "orders_api": "2026-01-01",
        **changes,
    }


def test_the_account_form_sets_the_channel(shop: Shop, web: Web) -> None:
    url = f"/accounts/{shop.account_id}"
    page = web.browser.get(f"{url}/edit").text
    assert '<select name="channel">' in page
    default = "Default (installation setting: auto (the faster, per job))"
    assert f'<option value="default" selected>{default}</option>' in page
    assert '<option value="auto">auto (the faster, per job)</option>' in page
    assert '<option value="listings-api">Listings Items API</option>' in page
    # Without the CSRF token nothing changes.
    no_csrf = {k: v for k, v in edit_form(shop, web, channel="feed").items() if k != "csrf_token"}
    assert web.browser.post(url, data=no_csrf).status_code == 403
    assert channel_of(shop) is None

    saved = web.browser.post(url, data=edit_form(shop, web, channel="listings-api"))
    assert saved.status_code == 303, saved.text
    assert channel_of(shop) == "listings-api"
    row = web.browser.get("/accounts").text.split(f'id="account-{shop.account_id}"', 1)[1]
    assert 'data-channel="listings-api">Listings Items API</td>' in row.split("</tr>", 1)[0]
    page = web.browser.get(f"{url}/edit").text
    assert '<option value="listings-api" selected>Listings Items API</option>' in page

    refused = web.browser.post(url, data=edit_form(shop, web, channel="fax"))
    assert refused.status_code == 422
    problem = "Channel must be one of: auto, feed, listings-api, default."
    assert problem in html.unescape(refused.text)
    # A form without the field (from before channels) leaves the channel as it is.
    assert web.browser.post(url, data=edit_form(shop, web)).status_code == 303
    assert channel_of(shop) == "listings-api"
    assert web.browser.post(url, data=edit_form(shop, web, channel="default")).status_code == 303
    assert channel_of(shop) is None
    assert channel_actions(shop) == [
        ("seller", "set the channel of account us to listings-api (was default)"),
        ("seller", "set the channel of account us to default (was listings-api)"),
    ]


def test_the_confirm_form_forces_a_jobs_channel_and_the_job_page_says_it(
    shop: Shop, web: Web
) -> None:
    form = {"csrf_token": web.csrf, "account": str(shop.account_id), "job_type": "update_qty"}
    preview = web.browser.post("/listings/preview", data={**form, "sku": [sku(1)]})
    assert preview.status_code == 200, preview.text
    assert '<option value="" selected>Account setting (auto (the faster, per job))' in preview.text
    assert '<option value="listings-api">Listings Items API (forced)</option>' in preview.text

    made = web.browser.post(
        "/listings/jobs", data={**form, "skus": sku(1), "channel": "listings-api"}
    )
    assert made.status_code == 303, made.text
    job_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert job_data(shop, job_id)["channel_forced"] == "listings-api"
    page = html.unescape(web.browser.get(f"/jobs/{job_id}").text)
    assert "Channel: <strong>Listings Items API</strong> (forced)" in page

    plain = web.browser.post("/listings/jobs", data={**form, "skus": sku(2), "channel": ""})
    plain_id = int(plain.headers["location"].rsplit("/", 1)[1])
    assert "channel_forced" not in job_data(shop, plain_id)
    assert "job-channel" not in web.browser.get(f"/jobs/{plain_id}").text
    record_choice(shop, plain_id, CHOSE_API)
    page = html.unescape(web.browser.get(f"/jobs/{plain_id}").text)
    text = re.sub(r"<[^>]+>", "", page.split('class="hint job-channel"', 1)[1].split("</p>")[0])
    assert text.split(">", 1)[1] == f"Channel: {CHOSEN_TEXT}"

    bad = web.browser.post("/listings/jobs", data={**form, "skus": sku(4), "channel": "fax"})
    assert bad.status_code == 303 and bad.headers["location"].startswith("/listings")
    with shop.rt.db.read() as session:
        assert len(list(session.scalars(select(Job.id)))) == 2  # the bad one made nothing


def test_an_account_without_a_channel_goes_by_the_installations(shop: Shop) -> None:
    with shop.rt.db.read() as session:
        account = session.get_one(Account, shop.account_id)
    answered = AccountPublic.of(account, Channel.FEED)
    assert answered.channel is None and answered.channel_effective is Channel.FEED


def test_what_the_worker_chose_is_shown_by_the_api_and_the_cli(
    shop: Shop, web: Web, run: Run
) -> None:
    [forced] = create_jobs(web, type="update_qty", skus=[sku(1)], channel="feed")
    [chosen] = create_jobs(web, type="update_price", skus=[sku(2)])
    shop.run_worker()
    forced = web.api.get(f"/api/v1/jobs/{forced['id']}").json()
    assert forced["status"] == "done" and forced["channel"] == "feed"
    assert forced["channel_note"] == "forced" and forced["channel_estimate"]["items"] == 1
    chosen = web.api.get(f"/api/v1/jobs/{chosen['id']}").json()
    assert chosen["status"] == "done" and chosen["channel"] == "listings-api"  # 1 item: faster
    assert chosen["channel_forced"] is False
    assert chosen["channel_note"].startswith("chosen: about ")
    assert "vs feed about" in chosen["channel_note"]
    shown = run("jobs", "show", str(chosen["id"]))
    assert "Channel: Listings Items API (chosen: about " in shown
