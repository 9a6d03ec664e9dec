"""Account states over the real simulator: refused logins pause an account, whose jobs
then wait; resume, disable, enable and delete from the CLI, the API and the dashboard.

The account's credentials go bad the way a seller's do: its stored client secret
is not the one Login with Amazon knows, so the simulator answers 401
``invalid_client`` to every token request.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.accounts import delete_account, set_account_status
from amazon_jobs.cli import common
from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.domain.account_status import AccountAction
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.roles import Role
from amazon_jobs.errors import AccountUnavailable, AmazonJobsError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.scheduler.loop import Scheduler
from amazon_jobs.service import (
    create_inventory_job,
    create_listings_job,
    create_orders_import_job,
    retry_failed_items,
)
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store.account_status import login_accepted
from amazon_jobs.store.accounts import (
    AccountChanges,
    AccountSpec,
    add_account,
    find_account,
    list_accounts,
    update_account,
)
from amazon_jobs.store.jobs import JobFilter, claim_due_jobs, list_jobs
from amazon_jobs.store.models import Account, Action, Job, JobLog
from amazon_jobs.store.users import add_user, create_api_token
from tests.integration.api_helpers import assert_error
from tests.integration.conftest import Shop, Web, sku

pytestmark = pytest.mark.timeout(300)

WRONG_SECRET = "not the application's secret"
REFUSAL = "invalid_client: Client authentication failed"
PAUSED = f"paused after 3 refused logins in a row (Amazon: {REFUSAL})"


def break_credentials(shop: Shop) -> None:
    _set_secret(shop, WRONG_SECRET)


def fix_credentials(shop: Shop) -> None:
    _set_secret(shop, shop.sim.config.client_secret)


def _set_secret(shop: Shop, secret: str) -> None:
    with shop.rt.db.transaction() as session:
        account = session.get_one(Account, shop.account_id)
        update_account(
            session, account, AccountChanges(lwa_client_secret=SecretStr(secret)), shop.rt.cipher
        )


def account(shop: Shop) -> Account:
    with shop.rt.db.read() as session:
        return session.get_one(Account, shop.account_id)


def job(shop: Shop, job_id: int) -> Job:
    with shop.rt.db.read() as session:
        return session.get_one(Job, job_id)


def log_text(shop: Shop, job_id: int) -> str:
    with shop.rt.db.read() as session:
        lines = session.scalars(select(JobLog.message).where(JobLog.job_id == job_id)).all()
    return "\n".join(lines)


def queue_four_jobs(shop: Shop) -> list[int]:
    """Four jobs of the account, each of which asks Login with Amazon for a token first."""
    rt = shop.rt
    shop.set_quantity(sku(1), 99)
    shop.set_quantity(sku(2), 98)
    return [
        create_orders_import_job(rt, "us").id,
        create_inventory_job(rt, "us").id,
        create_listings_job(rt, JobType.UPDATE_QTY, "us", Selection(skus=(sku(1),))).jobs[0].id,
        create_listings_job(rt, JobType.UPDATE_QTY, "us", Selection(skus=(sku(2),))).jobs[0].id,
    ]


def test_three_refused_logins_pause_the_account_and_its_jobs_wait(shop):
    rt = shop.rt
    break_credentials(shop)
    queued = queue_four_jobs(shop)
    shop.run_worker()  # must end: the paused account's job is not due for it any more
    ended = [j for j in queued if JobStatus(job(shop, j).status).is_terminal]
    waiting = [j for j in queued if j not in ended]
    assert len(ended) == 3 and len(waiting) == 1
    for job_id in ended:
        assert "Login with Amazon refused the account's credentials" in log_text(shop, job_id)
    third = max(ended, key=lambda j: job(shop, j).finished_at or rt.clock.now())
    assert "Account us paused after 3 refused logins in a row" in log_text(shop, third)
    assert sum("paused after" in log_text(shop, j) for j in ended) == 1
    paused = account(shop)
    assert (paused.status, paused.auth_failures, paused.status_reason) == ("paused", 3, PAUSED)
    assert paused.status_changed_at == rt.clock.now()
    # The queued job was never stepped: no log line of a call, still not started.
    assert job(shop, waiting[0]).status in (JobStatus.RESERVED, JobStatus.CREATED)
    assert "lwaToken" not in log_text(shop, waiting[0]) and "Login" not in log_text(
        shop, waiting[0]
    )
    with rt.db.transaction() as session:
        now = rt.clock.now()
        assert claim_due_jobs(session, "w", now, now, 10, starved_after=timedelta(0)) == {}
    # No job is made for it, by hand or by the scheduler, however long it waits.
    with pytest.raises(AccountUnavailable) as refused:
        create_orders_import_job(rt, "us", actor="alice")
    assert refused.value.message == (f"account us is {PAUSED}: fix its credentials and resume it")
    shop.clock.advance(2 * 86_400)
    shop.set_quantity(sku(5), 77)
    assert Scheduler(rt, "host-a").tick().created == {}
    with rt.db.read() as session:
        assert session.query(Job).count() == 4
    # Fixed and resumed: the queued job runs, and the count starts again.
    fix_credentials(shop)
    _, changed = set_account_status(rt, shop.account_id, AccountAction.RESUME, actor="alice")
    assert changed
    resumed = account(shop)
    assert (resumed.status, resumed.auth_failures, resumed.status_reason) == ("active", 0, None)
    shop.run_worker()
    assert job(shop, waiting[0]).status == JobStatus.DONE
    created = Scheduler(rt, "host-a").tick().created
    assert created.get(JobType.ORDERS_IMPORT) and created.get(JobType.INVENTORY_REPORT)
    with rt.db.read() as session:
        actions = session.scalars(select(Action).where(Action.action.like("account_%"))).all()
    assert [(a.actor, a.action, a.detail) for a in actions] == [
        ("alice", "account_resume", "resumed account us")
    ]


def test_a_login_that_works_starts_the_count_again(shop):
    rt = shop.rt
    break_credentials(shop)
    for _ in range(2):
        create_orders_import_job(rt, "us")
        shop.run_worker()
    assert account(shop).auth_failures == 2
    fix_credentials(shop)
    done = create_orders_import_job(rt, "us").id
    shop.run_worker()
    assert job(shop, done).status == JobStatus.DONE
    assert account(shop).auth_failures == 0
    break_credentials(shop)
    for _ in range(2):
        create_orders_import_job(rt, "us")
        shop.run_worker()
    assert (account(shop).status, account(shop).auth_failures) == ("active", 2)


def test_a_granted_token_writes_only_when_there_is_a_count_to_reset(shop):
    """Every token exchange reports itself; only one after refused logins writes."""
    writes: list[object] = []
    shop.rt.db.on_write.append(writes.append)
    login_accepted(shop.rt.db, shop.account_id)
    assert writes == []
    with shop.rt.db.transaction() as session:
        session.get_one(Account, shop.account_id).auth_failures = 2
    writes.clear()
    login_accepted(shop.rt.db, shop.account_id)
    assert len(writes) == 1 and account(shop).auth_failures == 0


def test_the_number_of_refused_logins_before_a_pause_is_a_setting(shop_factory):
    shop = shop_factory(auth_failures_before_pause=1)
    break_credentials(shop)
    failed = create_orders_import_job(shop.rt, "us").id
    shop.run_worker()
    assert account(shop).status == "paused"
    assert "paused after 1 refused logins in a row" in log_text(shop, failed)


def test_a_disabled_accounts_jobs_wait_and_run_once_it_is_enabled(shop):
    rt = shop.rt
    queued = create_orders_import_job(rt, "us").id
    set_account_status(rt, shop.account_id, AccountAction.DISABLE, actor="bob", reason="audit")
    disabled = account(shop)
    assert (disabled.status, disabled.status_reason) == ("disabled", "disabled by bob: audit")
    shop.run_worker()
    assert job(shop, queued).status == JobStatus.RESERVED
    with pytest.raises(
        AccountUnavailable, match="account us is disabled by bob: audit: an admin can enable it"
    ):
        create_inventory_job(rt, "us")
    # Resuming is for paused accounts; a disabled one is enabled.
    with pytest.raises(AccountUnavailable, match="is disabled, not paused: enable it instead"):
        set_account_status(rt, shop.account_id, AccountAction.RESUME)
    set_account_status(rt, shop.account_id, AccountAction.ENABLE, actor="bob")
    shop.run_worker()
    assert job(shop, queued).status == JobStatus.DONE


def test_retrying_a_failed_job_of_a_paused_account_is_refused(shop):
    rt = shop.rt
    shop.set_quantity(sku(3), 5)  # SKU-003 is unknown on Amazon: its update fails
    first = create_listings_job(rt, JobType.UPDATE_QTY, "us", Selection(skus=(sku(3),))).jobs[0]
    shop.run_worker()
    assert job(shop, first.id).items_failed == 1
    set_account_status(rt, shop.account_id, AccountAction.PAUSE, actor="bob")
    with pytest.raises(AccountUnavailable, match="account us is paused by bob: resume it"):
        retry_failed_items(rt, first.id)


def test_delete_is_refused_with_open_jobs_and_keeps_the_jobs_as_history(shop):
    rt = shop.rt
    done = create_orders_import_job(rt, "us").id
    shop.run_worker()
    open_job = create_inventory_job(rt, "us").id
    with pytest.raises(AccountUnavailable) as refused:
        delete_account(rt, shop.account_id, actor="bob")
    assert refused.value.message == (
        "account us cannot be deleted yet: cancel or let finish its 1 open job first, or disable it"
    )
    shop.run_worker()
    old, deleted = delete_account(rt, shop.account_id, actor="bob", reason="shop closed")
    assert (old, deleted.name) == ("us", f"us (deleted #{shop.account_id})")
    stored = account(shop)
    assert stored.status == "deleted"
    assert stored.lwa_client_secret_enc == stored.refresh_token_enc == ""
    with rt.db.read() as session:
        assert list_accounts(session) == []
        with pytest.raises(AmazonJobsError, match="no account 'us'"):
            find_account(session, "us")
        with pytest.raises(AmazonJobsError, match="no account"):
            find_account(session, shop.account_id)
        history = list_jobs(session, JobFilter(account_id=shop.account_id))
        action = session.scalars(select(Action).where(Action.action == "account_delete")).one()
    assert {j.id for j, _ in history} == {done, open_job}
    assert {name for _, name in history} == {f"us (deleted #{shop.account_id})"}
    assert (action.action, action.reason) == ("account_delete", "shop closed")
    assert (
        action.detail
        == f"deleted account us: its jobs are kept, under us (deleted #{shop.account_id})"
    )
    # No job for it any more; the scheduler passes it by; its name is free again.
    with pytest.raises(AmazonJobsError, match="no account 'us'"):
        create_orders_import_job(rt, "us")
    shop.clock.advance(2 * 86_400)
    assert Scheduler(rt, "host-a").tick().created == {}
    config = shop.sim.config
    spec = account_spec(config, shop.server.url, "us")
    with rt.db.transaction() as session:
        again = add_account(session, spec, rt.cipher, rt.clock.now())
    assert again.id != shop.account_id
    with rt.db.transaction() as session, pytest.raises(AmazonJobsError, match="kept for deleted"):
        add_account(
            session,
            AccountSpec(**{**spec.__dict__, "name": "x (deleted #9)"}),
            rt.cipher,
            rt.clock.now(),
        )


# -- API ------------------------------------------------------------------------


def test_the_api_pauses_resumes_disables_enables_and_deletes(shop, web: Web):
    api, account_id = web.api, shop.account_id
    base = f"/api/v1/accounts/{account_id}"
    paused = api.post(f"{base}/pause", json={"reason": "holiday"})
    assert paused.status_code == 200, paused.text
    body = paused.json()
    assert body["status"] == "paused" and body["status_reason"] == "paused by seller: holiday"
    refused = api.post("/api/v1/jobs", json={"account": "us", "type": "orders_import"})
    assert_error(refused, 409, "account us is paused by seller: holiday: resume it")
    assert_error(api.post(f"{base}/enable"), 409, "is paused, not disabled: resume it instead")
    resumed = api.post(f"{base}/resume")
    assert resumed.json()["status"] == "active" and resumed.json()["auth_failures"] == 0
    assert api.post(f"{base}/resume").json()["status"] == "active"  # once is enough
    assert api.post(f"{base}/disable").json()["status"] == "disabled"
    assert api.get(base).json()["status_reason"] == "disabled by seller"
    assert api.post(f"{base}/enable").json()["status"] == "active"
    made = api.post("/api/v1/jobs", json={"account": "us", "type": "orders_import"})
    assert made.status_code == 201
    assert_error(api.delete(base), 409, "cancel or let finish its 1 open job first, or disable it")
    shop.run_worker()
    deleted = api.delete(base)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {
        "id": account_id,
        "name": f"us (deleted #{account_id})",
        "deleted_name": "us",
    }
    assert api.get("/api/v1/accounts").json()["items"] == []
    assert_error(api.get(base), 404, "was deleted: its jobs stay")
    assert_error(api.post(f"{base}/resume"), 404)
    assert_error(api.delete(base), 404)
    jobs = api.get("/api/v1/jobs", params={"account": str(account_id)}).json()["items"]
    assert [j["account"] for j in jobs] == [f"us (deleted #{account_id})"]
    assert_error(api.post("/api/v1/jobs", json={"account": "us", "type": "orders_import"}), 422)
    with shop.rt.db.read() as session:
        actions = [(a.actor, a.action) for a in session.scalars(select(Action).order_by(Action.id))]
    assert [a for a in actions if a[1].startswith("account_")] == [
        ("seller", "account_pause"),
        ("seller", "account_resume"),
        ("seller", "account_disable"),
        ("seller", "account_enable"),
        ("seller", "account_delete"),
    ]


def test_metrics_count_accounts_by_state_and_leave_their_waiting_jobs_out(shop, web: Web):
    create_orders_import_job(shop.rt, "us")
    shop.clock.advance(600)
    late = web.api.get("/metrics").text
    assert "amazon_jobs_queue_age_seconds 600.0" in late
    assert 'amazon_jobs_accounts{status="active"} 1' in late
    web.api.post(f"/api/v1/accounts/{shop.account_id}/pause")
    paused = web.api.get("/metrics").text
    assert "amazon_jobs_queue_age_seconds 0.0" in paused  # it waits by design, not late
    assert 'amazon_jobs_accounts{status="paused"} 1' in paused
    assert 'amazon_jobs_accounts{status="active"} 0' in paused


def test_only_an_admin_changes_an_accounts_state_through_the_api(shop, web: Web):
    with shop.rt.db.transaction() as session:
        operator = add_user(
            session, "op", "a long password 123", shop.clock.now(), role=Role.OPERATOR
        )
        token = create_api_token(session, operator, "t", shop.clock.now())
    headers = {"Authorization": f"Bearer {token}"}
    for method, path in (
        ("POST", "pause"),
        ("POST", "resume"),
        ("POST", "disable"),
        ("POST", "enable"),
    ):
        answer = web.api.request(
            method, f"/api/v1/accounts/{shop.account_id}/{path}", headers=headers
        )
        assert_error(answer, 403, "needs the admin role; you act as operator")
    answer = web.api.delete(f"/api/v1/accounts/{shop.account_id}", headers=headers)
    assert_error(answer, 403, "needs the admin role")
    assert account(shop).status == "active"


# -- dashboard ------------------------------------------------------------------


def flash(web: Web, path: str = "/accounts") -> str:
    page = web.browser.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'<p class="flash flash-(\w+)" role="status">(.*?)</p>', page.text)
    assert found, page.text
    return f"{found[1]}: {html.unescape(found[2])}"


def test_the_accounts_page_shows_a_paused_account_and_resumes_it(shop, web: Web):
    break_credentials(shop)
    for _ in range(3):
        create_orders_import_job(shop.rt, "us")
        shop.run_worker()
    page = web.browser.get("/accounts").text
    row = page.split(f'id="account-{shop.account_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="paused"' in page
    assert '<span class="badge account-paused">paused</span>' in row
    assert html.escape(f"Account us is {PAUSED}: fix its credentials and resume it.") in row
    assert f'action="/accounts/{shop.account_id}/resume"' in row
    assert f'action="/accounts/{shop.account_id}/enable"' not in row
    # Without the CSRF token nothing happens.
    assert web.browser.post(f"/accounts/{shop.account_id}/resume").status_code == 403
    assert account(shop).status == "paused"
    fix_credentials(shop)
    answer = web.browser.post(f"/accounts/{shop.account_id}/resume", data={"csrf_token": web.csrf})
    assert answer.status_code == 303 and answer.headers["location"] == "/accounts"
    assert flash(web) == "ok: Account us resumed: its queued jobs run now."
    assert account(shop).status == "active"
    row = web.browser.get("/accounts").text.split(f'id="account-{shop.account_id}"', 1)[1]
    assert f'action="/accounts/{shop.account_id}/resume"' not in row.split("</tr>", 1)[0]
    activity = web.browser.get("/activity").text
    assert "resumed account us" in activity


def test_the_accounts_page_disables_enables_and_deletes_after_asking(shop, web: Web):
    account_id, csrf = shop.account_id, web.csrf
    form = {"csrf_token": csrf}
    assert web.browser.post(f"/accounts/{account_id}/disable", data=form).status_code == 303
    assert flash(web).startswith("ok: Account us disabled: no job is made for it")
    page = web.browser.get("/accounts").text
    assert '<span class="badge account-disabled">disabled</span>' in page
    assert "Account us is disabled by seller: an admin can enable it." in page
    assert f'action="/accounts/{account_id}/enable"' in page
    web.browser.post(f"/accounts/{account_id}/resume", data=form)
    assert flash(web) == "error: Account us is disabled, not paused: enable it instead."
    web.browser.post(f"/accounts/{account_id}/enable", data=form)
    assert flash(web) == "ok: Account us enabled: its queued jobs run now."
    # Delete asks first: a dialog (htmx) or this page; refused while a job is open.
    assert f'hx-post="/accounts/{account_id}/delete"' in web.browser.get("/accounts").text
    create_orders_import_job(shop.rt, "us")
    confirm = web.browser.get(f"/accounts/{account_id}/delete").text
    assert "It still has 1 open job" in confirm and "Delete the account" not in confirm
    web.browser.post(f"/accounts/{account_id}/delete", data=form)
    assert flash(web) == (
        "error: Account us cannot be deleted yet: cancel or let finish its 1 open job first, "
        "or disable it."
    )
    shop.run_worker()
    confirm = web.browser.get(f"/accounts/{account_id}/delete").text
    assert "Delete the account" in confirm and f'action="/accounts/{account_id}/delete"' in confirm
    answer = web.browser.post(
        f"/accounts/{account_id}/delete",
        data={**form, "reason": "moved to another seller id"},
        headers={"HX-Request": "true"},
    )
    assert answer.headers["hx-redirect"] == "/accounts"
    assert flash(web).startswith("ok: Account us deleted: its credentials are erased")
    page = web.browser.get("/accounts").text
    assert f'id="account-{account_id}"' not in page and "No Amazon account yet." in page
    assert f"us (deleted #{account_id})" in web.browser.get("/").text  # its job, as history
    assert web.browser.get(f"/accounts/{account_id}/edit").status_code == 404
    assert web.browser.get(f"/accounts/{account_id}/delete").status_code == 404
    assert "moved to another seller id" in web.browser.get("/activity").text


# -- CLI ------------------------------------------------------------------------


@pytest.fixture
def cli(shop: Shop, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The CLI's console fixes its width when first imported (COLUMNS then, whatever
    # test imported it first in this process): give it room for every column here.
    monkeypatch.setattr(common.console, "width", 300)
    env = {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": db_url,
        "COLUMNS": "300",
    }

    def invoke(*args: str, ok: bool = True, given: str | None = None) -> str:
        result = CliRunner().invoke(cli_app, list(args), env=env, input=given)
        assert (result.exit_code == 0) is ok, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_the_command_line_changes_an_accounts_state(shop, cli):
    assert "Account us is paused" in cli("accounts", "pause", "us", "--reason", "stock count")
    listed = cli("accounts", "list")
    assert "paused: account us is paused by cli" in listed and "stock count: resume it" in listed
    refused = cli("jobs", "import-orders", "--account", "us", ok=False)
    assert "account us is paused by cli" in refused and "resume it" in refused
    assert "not disabled: resume it instead" in cli("accounts", "enable", "us", ok=False)
    assert "its queued jobs run now" in cli("accounts", "resume", "us")
    assert "is active already" in cli("accounts", "resume", "us")
    assert "is disabled" in cli("accounts", "disable", "us")
    assert "its queued jobs run now" in cli("accounts", "enable", "us")
    create_orders_import_job(shop.rt, "us")
    refused = cli("accounts", "delete", "us", "--yes", ok=False)
    assert "cancel or let finish its 1 open job first, or disable it" in refused
    shop.run_worker()
    assert account(shop).status == "active"
    cli("accounts", "delete", "us", given="n\n", ok=False)  # asked, and said no
    assert account(shop).status == "active"
    out = cli("accounts", "delete", "us", given="y\n")
    assert "Delete account us?" in out and "Account us deleted" in out
    assert "No accounts yet" in cli("accounts", "list")
    assert f"us (deleted #{shop.account_id})" in cli("jobs", "list")
    assert "no account 'us'" in cli("accounts", "resume", "us", ok=False)
