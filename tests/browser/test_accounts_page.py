"""The accounts page in a real browser: an account paused after refused logins says why
and is resumed with one click; deleting asks first. Screenshots:
test-results/browser/<test>/."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.service import create_orders_import_job
from amazon_jobs.store.accounts import AccountChanges, update_account
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Account

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def set_secret(shop, secret: str) -> None:
    with shop.rt.db.transaction() as session:
        account = session.get_one(Account, shop.account_id)
        changes = AccountChanges(lwa_client_secret=SecretStr(secret))
        update_account(session, account, changes, shop.rt.cipher)


def status_of(shop) -> str:
    with shop.rt.db.read() as session:
        return session.get_one(Account, shop.account_id).status


def test_a_paused_account_says_why_and_is_resumed_from_the_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    set_secret(shop, "a secret Amazon does not know")
    for _ in range(3):
        create_orders_import_job(shop.rt, "us")
        shop.run_worker()
    assert status_of(shop) == "paused"
    page.get_by_role("link", name="Accounts").click()
    row = page.locator(f"#account-{shop.account_id}")
    assert row.get_attribute("data-state") == "paused"
    assert row.locator(".badge").inner_text() == "paused"
    note = row.locator(".state-note").inner_text()
    assert "paused after 3 refused logins in a row" in note
    assert "invalid_client" in note and "fix its credentials and resume it" in note
    signed_in.screenshot("paused")
    set_secret(shop, shop.sim.config.client_secret)  # the seller fixed the credentials
    row.get_by_role("button", name="Resume").click()
    page.wait_for_selector(f"#account-{shop.account_id}[data-state=active]")
    assert "Account us resumed" in page.locator(".flash").inner_text()
    assert (
        page.locator(f"#account-{shop.account_id}").get_by_role("button", name="Resume").count()
        == 0
    )
    signed_in.screenshot("resumed")
    assert status_of(shop) == "active"
    job_id = create_orders_import_job(shop.rt, "us").id
    shop.run_worker()
    with shop.rt.db.read() as session:
        assert get_job(session, job_id).status == JobStatus.DONE


def test_deleting_an_account_asks_first(signed_in):
    shop, page = signed_in.shop, signed_in.page
    signed_in.open("/accounts")
    row = page.locator(f"#account-{shop.account_id}")
    row.get_by_role("link", name="Delete").click()
    dialog = page.locator("dialog#confirm-dialog")
    assert "Delete account us?" in dialog.locator(".question").inner_text()
    signed_in.screenshot("asked")
    dialog.get_by_role("button", name="Keep it").click()
    assert status_of(shop) == "active"
    row.get_by_role("link", name="Delete").click()
    dialog.get_by_role("button", name="Delete the account").click()
    page.wait_for_selector("text=No Amazon account yet.")
    assert "Account us deleted" in page.locator(".flash").inner_text()
    signed_in.screenshot("deleted")
    assert status_of(shop) == "deleted"
