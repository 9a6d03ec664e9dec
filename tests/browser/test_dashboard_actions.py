"""Starting jobs from the dashboard in a real browser: Products → selling list, a job of
each listings type through its preview, bulk cancel and bulk retry on the jobs table.
Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store import catalog
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Job
from tests.integration.conftest import sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

BUTTONS = {
    JobType.SEND_PRODUCTS: "Send products",
    JobType.UPDATE_QTY: "Update QTY",
    JobType.UPDATE_PRICE: "Update Price",
    JobType.UPDATE_QTY_PRICE: "Update QTY & Price",
    JobType.STOP: "Stop",
    JobType.STOP_REMOVE: "Stop & Remove",
}


def create(shop, job_type, *skus):
    return create_listings_job(shop.rt, job_type, shop.account_id, Selection(skus=skus)).jobs[0]


def status_of(shop, job_id):
    with shop.rt.db.read() as session:
        return JobStatus(get_job(session, job_id).status)


def test_search_products_and_add_them_to_the_selling_list(signed_in):
    shop, page = signed_in.shop, signed_in.page
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(
            session,
            [
                ProductRow("KET-1", "4006381333931", "Blue kettle", 3, Decimal("12.00")),
                ProductRow("KET-2", None, "Red kettle", 4, Decimal("13.00")),
                ProductRow("MUG-1", None, "Mug", 5, Decimal("4.00")),
            ],
            shop.clock.now(),
        )
    page.get_by_role("link", name="Products").click()
    page.fill("input[name=q]", "kettle")
    page.select_option("select[name=on_list]", "off")
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.products tbody tr")).to_have_count(2)
    page.get_by_label("Select KET-1").check()
    signed_in.screenshot("search")
    page.get_by_role("button", name=re.compile("Add to the selling list")).click()
    expect(page.locator(".flash-ok")).to_contain_text("1 product(s) added")
    expect(page.locator("table.products tbody tr")).to_have_count(1)  # KET-2 is still off

    page.get_by_label(re.compile(r"All 1 matching this filter")).check()
    page.get_by_role("button", name=re.compile("Add to the selling list")).click()
    expect(page.locator(".flash-ok")).to_contain_text("1 product(s) added")
    expect(page.locator("td.empty")).to_contain_text("No product matches")
    page.goto(f"{signed_in.url}/listings?q=KET")
    expect(page.locator("table.listings tbody tr")).to_have_count(2)
    signed_in.screenshot("added")


@pytest.mark.parametrize("job_type", list(BUTTONS), ids=lambda t: t.value)
def test_select_preview_and_confirm_a_job(signed_in, job_type):
    shop, page = signed_in.shop, signed_in.page
    picked = [sku(1), sku(2)]
    if job_type is JobType.SEND_PRODUCTS:
        with shop.rt.db.transaction() as session:
            catalog.upsert_products(
                session,
                [ProductRow("NEW-1", "4006381333931", "Kettle", 3, Decimal("5.00"))],
                shop.clock.now(),
            )
            catalog.add_to_list(session, shop.account_id, ["NEW-1"], shop.clock.now())
        picked = ["NEW-1", sku(2)]  # SKU-002 is active: Sending Products leaves it out
    held = create(shop, JobType.UPDATE_PRICE, sku(4))
    page.goto(f"{signed_in.url}/listings")
    for the_sku in [*picked, sku(4)]:
        page.get_by_label(f"Select {the_sku}").check()
    signed_in.screenshot("selected")
    page.get_by_role("button", name=BUTTONS[job_type], exact=True).click()
    expect(page.get_by_role("heading", name=f"Preview: {job_type.label}")).to_be_visible()
    taken = 1 if job_type is JobType.SEND_PRODUCTS else 2
    expect(page.locator("#preview-count")).to_have_text(str(taken))
    expect(page.locator("table.preview-skipped")).to_contain_text(f"locked by job {held.id}")
    expect(page.locator("#preview-send-at")).to_be_visible()
    if job_type in (JobType.STOP, JobType.STOP_REMOVE):
        expect(page.locator("table.preview-items")).to_contain_text("11 → 0")
    signed_in.screenshot("preview")
    page.get_by_role("button", name="Confirm: create the job").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator(".flash-ok")).to_contain_text(f"{job_type.label}: {taken} item(s)")
    job_id = int(page.url.rsplit("/", 1)[1])
    with shop.rt.db.read() as session:
        assert JobType(get_job(session, job_id).type) is job_type
    signed_in.screenshot("job")


def test_bulk_cancel_selected_jobs(signed_in):
    shop, page = signed_in.shop, signed_in.page
    jobs = [create(shop, JobType.UPDATE_QTY, sku(n)).id for n in (1, 2, 5)]
    page.reload()
    for job_id in jobs[:2]:
        page.get_by_label(f"Select job {job_id}").check()
    signed_in.screenshot("selected")
    page.get_by_role("button", name="Cancel selected").click()
    expect(page.locator(".flash-ok")).to_contain_text(f"Job {jobs[0]} canceled.")
    expect(page.locator(f"#job-{jobs[1]} .badge")).to_have_text("Canceled")
    expect(page.locator(f"#job-{jobs[2]} .badge")).to_have_text("Reserved")
    assert status_of(shop, jobs[2]) is JobStatus.RESERVED
    signed_in.screenshot("canceled")


def test_bulk_retry_failed_items_leaves_out_what_a_retry_cannot_fix(signed_in):
    shop, page = signed_in.shop, signed_in.page
    unknown = create(shop, JobType.UPDATE_QTY, sku(3), sku(4))  # SKU-003 is unknown to Amazon
    shop.run_worker()
    shop.sim.faults.abort_next_feeds(1)
    fatal = create(shop, JobType.UPDATE_QTY, sku(1))
    shop.run_worker()
    assert status_of(shop, fatal.id) is JobStatus.ERROR
    page.reload()
    page.get_by_label(f"Select job {unknown.id}").check()
    page.get_by_label(f"Select job {fatal.id}").check()
    page.get_by_role("button", name="Retry failed items").click()
    flash = page.locator(".flash-ok")
    expect(flash).to_contain_text(f"Job {fatal.id}: failed items sent again in job")
    expect(flash).to_contain_text(f"Job {unknown.id} not retried")
    expect(flash).to_contain_text(f"{sku(3)}: Amazon does not know this SKU")
    with shop.rt.db.read() as session:
        child = session.query(Job).filter(Job.parent_id == fatal.id).one()
    expect(page.locator(f"#job-{child.id}")).to_be_visible()
    signed_in.screenshot("retried")
