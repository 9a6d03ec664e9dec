"""The jobs table tells the truth at a glance: the live refresh keeps every new job,
rows show items ok / failed and why an Error job failed, saved views and the
"has failed items" filter. Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import re

import pytest

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.worker import Worker
from tests.browser.test_dashboard_pages import create, row, step_until
from tests.integration.conftest import WEB_USER, sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_new_jobs_are_kept_when_a_row_changes_in_the_same_poll(signed_in):
    shop, page = signed_in.shop, signed_in.page
    watched = create(shop, JobType.UPDATE_QTY, sku(0))
    page.reload()
    expect(row(page, watched.id).locator(".badge").first).to_have_text("Reserved")
    page.evaluate("window.sameDocument = true")

    # In one poll: the watched row changes and three jobs are created.
    worker = Worker(shop.rt)
    step_until(shop, watched.id, JobStatus.WAITING_FOR_RESULT, worker)
    fresh = [create(shop, JobType.UPDATE_PRICE, sku(n)) for n in (1, 2, 4)]

    expect(row(page, watched.id).locator(".badge").first).to_have_text("Waiting for result")
    ids = [f"job-{job.id}" for job in reversed(fresh)] + [f"job-{watched.id}"]
    rows = page.locator("#job-rows tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("id") for i in range(4)] == ids
    assert page.evaluate("window.sameDocument") is True  # no reload
    signed_in.screenshot("kept")


def finish(shop):
    Worker(shop.rt).run(until_idle=True)


def test_a_done_job_with_failed_items_shows_it_in_its_row(signed_in):
    shop, page = signed_in.shop, signed_in.page
    mixed = create(shop, JobType.UPDATE_QTY, sku(1), sku(3))  # 3: unknown to Amazon
    clean = create(shop, JobType.UPDATE_QTY, sku(2))
    finish(shop)
    page.reload()
    expect(row(page, mixed.id).locator(".badge")).to_have_text("Done with errors")
    expect(row(page, mixed.id).locator(".tally")).to_have_text("1 ok · 1 failed")
    expect(row(page, clean.id).locator(".badge")).to_have_text("Done")
    expect(row(page, clean.id).locator(".tally")).to_have_text("1 ok · 0 failed")
    signed_in.screenshot("badges")


def test_filter_by_has_failed_items_and_save_it_as_a_view(signed_in):
    shop, page = signed_in.shop, signed_in.page
    mixed = create(shop, JobType.UPDATE_QTY, sku(1), sku(3))
    clean = create(shop, JobType.UPDATE_QTY, sku(2))
    finish(shop)
    page.reload()
    page.select_option("select[name=failed]", "yes")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#job-rows tr")).to_have_count(1)
    expect(row(page, mixed.id)).to_have_count(1)
    signed_in.screenshot("has-failed")

    page.fill(".save-view input[name=name]", "Needs a look")
    page.click(".save-view button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Needs a look")
    view = page.locator(".saved-views a.view", has_text="Needs a look")
    expect(view).to_have_class(re.compile("active"))

    page.goto(signed_in.url + "/")
    expect(page.locator("#job-rows tr")).to_have_count(2)
    page.locator(".saved-views a.view", has_text="Needs a look").click()
    expect(page.locator("#job-rows tr")).to_have_count(1)
    expect(row(page, clean.id)).to_have_count(0)
    expect(page.locator("select[name=failed]")).to_have_value("yes")
    signed_in.screenshot("view-opened")

    page.click("button[aria-label='Delete the view Needs a look']")
    expect(page.locator(".saved-views a.view", has_text="Needs a look")).to_have_count(0)


def test_the_activity_page_lists_who_did_what(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_QTY, sku(1))
    page.goto(f"{signed_in.url}/jobs/{job.id}/cancel")
    page.fill("input[name=reason]", "ordered by mistake")
    page.click("form button.danger")
    page.goto(f"{signed_in.url}/activity")
    first = page.locator("#activity tbody tr").first
    expect(first.locator(".actor")).to_have_text(WEB_USER)
    expect(first.locator(".detail")).to_have_text("canceled the job")
    expect(first.locator(".reason")).to_have_text("ordered by mistake")
    expect(page.locator("#activity tbody tr")).to_have_count(2)  # created (CLI), canceled
    signed_in.screenshot("activity")
    page.goto(f"{signed_in.url}/jobs/{job.id}")
    expect(page.locator("table.log")).to_contain_text(
        f"By {WEB_USER}: canceled the job (reason: ordered by mistake)"
    )
