"""Issue 13 §3 in Chromium: what the dashboard shows follows Amazon's answers."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_inventory_job, create_listings_job
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Product
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def create(shop, job_type, *skus):
    return create_listings_job(shop.rt, job_type, shop.account_id, Selection(skus=skus)).jobs[0]


def status_of(shop, job_id):
    with shop.rt.db.read() as session:
        return JobStatus(get_job(session, job_id).status)


def test_a_sku_amazon_does_not_know_shows_as_error_not_active(signed_in):
    shop, page = signed_in.shop, signed_in.page
    create(shop, JobType.UPDATE_QTY, sku(2), sku(3))  # SKU-003 is not on Amazon
    shop.run_worker()
    assert shop.listing(sku(3)).state == ListingState.ERROR
    signed_in.open(f"/listings?account={shop.account_id}&q={sku(3)}")
    listing = page.locator("table tbody tr", has_text=sku(3))
    expect(listing.locator(".badge")).to_contain_text("error")
    expect(listing).to_contain_text("does not exist")
    signed_in.screenshot("listing-error")


def test_the_cancel_dialog_of_a_queued_feed_asks_amazon(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_QTY, sku(4))
    worker = Worker(shop.rt)
    while status_of(shop, job.id) is not JobStatus.WAITING_FOR_RESULT:
        worker.run_once()
    page.reload()
    the_row = page.locator(f"#job-{job.id}")
    the_row.get_by_role("link", name="Cancel").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("still has it IN_QUEUE")
    signed_in.screenshot("confirm")
    dialog.get_by_role("button", name="Ask Amazon to cancel").click()
    expect(the_row.locator(".note")).to_contain_text("Cancel requested")
    expect(the_row).to_contain_text("cancel asked")
    signed_in.screenshot("requested")


def test_the_quota_page_shows_who_waits_for_a_bucket(signed_in):
    shop, page = signed_in.shop, signed_in.page
    jobs = [create(shop, JobType.UPDATE_PRICE, sku(n)) for n in range(6)]
    worker = Worker(shop.rt)
    for _ in range(30):
        worker.run_once()
    assert status_of(shop, jobs[5].id) is JobStatus.CREATED
    signed_in.open("/quota")
    capped = page.locator('tr[data-operation="JSON_LISTINGS_FEED"]')
    expect(capped.get_by_role("link", name=f"job {jobs[5].id}")).to_be_visible()
    expect(capped).not_to_contain_text("available now")
    signed_in.screenshot("quota")


def test_at_820_px_the_actions_column_stays_visible(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_PRICE, sku(1))
    page.set_viewport_size({"width": 820, "height": 900})
    page.reload()
    log = page.locator(f"#job-{job.id}").get_by_role("link", name="Log")
    expect(log).to_be_visible()
    box = log.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 820, box
    on_top = log.evaluate(
        "a => { const r = a.getBoundingClientRect();"
        " const x = r.left + r.width / 2, y = r.top + r.height / 2;"
        " return a.contains(document.elementFromPoint(x, y)); }"
    )
    assert on_top  # nothing covers it: it can be clicked
    signed_in.screenshot("820px")


def test_inventory_says_what_matched_and_shows_a_different_title(signed_in):
    shop, page = signed_in.shop, signed_in.page
    create_inventory_job(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.transaction() as session:
        session.execute(update(Product).where(Product.sku == sku(1)).values(title="Blue mug"))
    signed_in.open(f"/inventory?q={sku(1)}")
    row = page.locator("table.inventory tbody tr", has_text=sku(1))
    expect(row).to_contain_text("matched by SKU")
    expect(row.locator(".title-differs")).to_contain_text("Blue mug")
    signed_in.screenshot("inventory")
