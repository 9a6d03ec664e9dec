"""The channel in a real browser: an admin sets the account's channel on its edit form,
then forces a job through the Listings Items API from the preview's Confirm form, and
the job page says so. Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import re

import pytest

from amazon_jobs.store.models import Account, Job
from tests.browser.conftest import Dashboard
from tests.integration.conftest import sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None  # type: ignore[assignment]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_set_the_accounts_channel_then_force_a_job_through_the_api(signed_in: Dashboard) -> None:
    shop, page = signed_in.shop, signed_in.page
    page.get_by_role("link", name="Accounts").click()
    row = page.locator(f"#account-{shop.account_id}")
    default = f"installation setting: {shop.rt.settings.channel.label}"
    expect(row.locator("td.account-channel")).to_have_text(default)
    row.get_by_role("link", name="Edit").click()
    page.select_option("select[name=channel]", label="auto (the faster, per job)")
    signed_in.screenshot("form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-ok")).to_contain_text("Account us saved.")
    expect(row.locator("td.account-channel")).to_have_text("auto (the faster, per job)")
    signed_in.screenshot("accounts")
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).channel == "auto"

    page.get_by_role("link", name="Selling lists").click()
    page.get_by_label(f"Select {sku(1)}").check()
    page.get_by_role("button", name="Update QTY", exact=True).click()
    channel = page.get_by_label("Channel")
    expect(channel).to_have_value("")  # the account's setting, unless forced
    expect(channel.locator("option:checked")).to_have_text(
        "Account setting (auto (the faster, per job))"
    )
    channel.select_option("listings-api")
    signed_in.screenshot("preview")
    page.get_by_role("button", name="Confirm: create the job").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator(".job-channel")).to_have_text("Channel: Listings Items API (forced)")
    signed_in.screenshot("job")
    job_id = int(page.url.rsplit("/", 1)[1])
    with shop.rt.db.read() as session:
        assert session.get_one(Job, job_id).data["channel_forced"] == "listings-api"
