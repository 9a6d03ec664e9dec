"""The Charts page in Chromium: the SVGs draw under the strict CSP, the tables open,
the range switch works, and the Quota page shows its small charts.
Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import re

import pytest

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def run_jobs(shop):
    for job_type, skus in ((JobType.UPDATE_QTY, (0, 1, 3)), (JobType.UPDATE_PRICE, (2,))):
        selection = Selection(skus=tuple(sku(n) for n in skus))
        create_listings_job(shop.rt, job_type, shop.account_id, selection)
    Worker(shop.rt).run(until_idle=True)


def test_charts_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    run_jobs(shop)
    page.click("nav[aria-label=Main] >> text=Charts")
    expect(page.get_by_role("heading", name="Charts", exact=True)).to_be_visible()
    jobs = page.locator("[data-chart=jobs-day]")
    chart = jobs.get_by_role("img", name="Jobs created per hour, by status, last day")
    expect(chart).to_be_visible()
    # the bars drew: coloured by style.css (no inline style), with a real height
    bar = jobs.locator("rect.bar").first
    expect(bar).to_have_attribute("data-value", "2")
    assert bar.bounding_box()["height"] > 20
    fill = bar.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(22, 163, 74)"  # .tone-done

    jobs.locator("summary").click()
    row = jobs.get_by_role("row", name=re.compile(r"^09:00"))
    expect(row).to_be_visible()
    expect(row.get_by_role("cell")).to_have_text(["2"])
    errors = page.locator("[data-chart=errors-day]")
    expect(errors.locator("rect.bar")).to_have_count(1)
    expect(page.locator("[data-chart^=quota-] svg.chart").first).to_be_visible()
    signed_in.screenshot("charts-day")

    page.get_by_role("link", name="Last week").click()
    expect(page).to_have_url(re.compile(r"/charts\?range=week$"))
    expect(page.locator("[data-chart=jobs-week]")).to_be_visible()
    expect(page.get_by_role("link", name="Last week")).to_have_attribute("aria-current", "page")
    signed_in.screenshot("charts-week")

    page.click("nav[aria-label=Main] >> text=Quota")
    spark = page.locator("tr[data-operation=createFeed] svg.sparkline")
    expect(spark).to_be_visible()
    expect(spark).to_have_attribute("aria-label", re.compile(r"2 calls and 0 429s"))
    signed_in.screenshot("quota-sparklines")
