"""The dashboard in a real browser: log in, filter, read a log, cancel, live refresh,
escaping, and every page renders. Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.store import catalog
from amazon_jobs.store.jobs import get_job
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def create(shop, job_type, *skus):
    selection = Selection(skus=skus)
    return create_listings_job(shop.rt, job_type, shop.account_id, selection).jobs[0]


def status_of(shop, job_id):
    with shop.rt.db.read() as session:
        return JobStatus(get_job(session, job_id).status)


def step_until(shop, job_id, status, worker=None):
    worker = worker or Worker(shop.rt)
    for _ in range(20):
        if status_of(shop, job_id) == status:
            return
        worker.run_once()
    raise AssertionError(f"job {job_id} never reached {status}")


def row(page, job_id):
    return page.locator(f"#job-{job_id}")


def test_log_in(dashboard):
    page = dashboard.open("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    dashboard.log_in(password="not the password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
    dashboard.log_in()
    expect(page.get_by_role("heading", name="Amazon Jobs")).to_be_visible()
    expect(page.locator("nav[aria-label=Main] a")).to_have_text(
        [
            "Amazon Jobs",
            "Quota",
            "Charts",
            "Accounts",
            "Shops",
            "Products",
            "Selling lists",
            "Amazon Inventory",
            "Orders",
            "Activity",
            "Users",
        ]
    )
    dashboard.screenshot("jobs-empty")


def test_filter_the_jobs_table(signed_in):
    shop, page = signed_in.shop, signed_in.page
    qty = [create(shop, JobType.UPDATE_QTY, sku(n)) for n in (0, 1)]
    price = create(shop, JobType.UPDATE_PRICE, sku(2))
    cancel_job(shop.rt, qty[0].id)
    page.reload()
    expect(page.locator("#job-rows tr")).to_have_count(3)

    page.select_option("select[name=type]", JobType.UPDATE_QTY.value)
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"type=update_qty(&|$)"))
    expect(page.locator("#job-rows tr")).to_have_count(2)
    expect(row(page, price.id)).to_have_count(0)

    page.select_option("select[name=status]", JobStatus.CANCELED.value)
    page.click("form.filters button[type=submit]")
    expect(page.locator("#job-rows tr")).to_have_count(1)
    expect(row(page, qty[0].id).locator(".badge")).to_have_text("Canceled")
    # The filters stay in the form and in the URL.
    expect(page.locator("select[name=type]")).to_have_value("update_qty")
    expect(page).to_have_url(re.compile(r"status=canceled"))
    signed_in.screenshot("filtered")

    page.fill("input[name=from]", "2030-01-01")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#job-rows td.empty")).to_contain_text("No jobs match")


def test_open_a_job_and_read_its_log(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_QTY, sku(1), sku(3))  # SKU-003 is unknown to Amazon
    shop.run_worker()
    page.reload()
    row(page, job.id).get_by_role("link", name="Log").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{job.id}#log$"))
    log = page.locator("table.log")
    expect(log).to_contain_text("Waiting for result → Done")
    expect(log).to_contain_text("createFeed")
    expect(page.locator(".stat.failed strong")).to_have_text("1")
    failed = page.locator("tr.outcome-error")
    expect(failed).to_contain_text("SKU-003")
    expect(failed.locator(".advice")).to_contain_text("send the product first")
    expect(page.get_by_role("link", name="Download the feed sent to Amazon")).to_be_visible()
    # Amazon does not know SKU-003: the same update would fail again, so no retry.
    expect(page.locator(".retry-left-out")).to_contain_text(
        "1 failed item(s) a retry cannot fix: Amazon does not know this SKU (1)"
    )
    expect(page.get_by_role("button", name=re.compile("Retry"))).to_have_count(0)
    signed_in.screenshot("job")

    shop.sim.faults.abort_next_feeds(1)  # Amazon aborts the next feed as a whole
    fatal = create(shop, JobType.UPDATE_QTY, sku(1), sku(2))
    shop.run_worker()
    signed_in.open(f"/jobs/{fatal.id}")
    page.get_by_role("button", name="Retry 2 failed items").click()
    expect(page.locator(".flash-ok")).to_contain_text(f"Job {fatal.id}: failed items sent again")
    expect(page.locator(".related")).to_contain_text(f"Retry of job {fatal.id}")
    signed_in.screenshot("retry")


def test_cancel_a_created_job_and_see_its_row_turn_canceled(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_PRICE, sku(4))
    shop.use_up(Operation.JSON_LISTINGS_FEED)  # the job waits for quota in created
    step_until(shop, job.id, JobStatus.CREATED)
    page.reload()
    the_row = row(page, job.id)
    expect(the_row.locator(".badge")).to_have_text("Created")
    the_row.get_by_role("link", name="Cancel").click()
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Cancel job {job.id}")
    signed_in.screenshot("confirm")
    dialog.get_by_role("button", name="Cancel the job").click()
    expect(the_row.locator(".badge")).to_have_text("Canceled")
    expect(the_row.get_by_role("link", name="Cancel")).to_have_count(0)
    expect(the_row.locator(".note")).to_contain_text("every item is back")
    assert status_of(shop, job.id) == JobStatus.CANCELED
    assert signed_in.dialogs == []  # our <dialog>, not window.confirm()
    signed_in.screenshot("canceled")


def test_a_waiting_job_turns_done_without_reloading_the_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_QTY, sku(5))
    worker = Worker(shop.rt)
    step_until(shop, job.id, JobStatus.WAITING_FOR_RESULT, worker)
    page.reload()
    expect(row(page, job.id).locator(".badge")).to_have_text("Waiting for result")
    page.evaluate("window.sameDocument = true")
    signed_in.screenshot("waiting")

    shop.clock.advance(15 * 60)  # Amazon has processed the feed by now
    step_until(shop, job.id, JobStatus.DONE, worker)
    expect(row(page, job.id).locator(".badge")).to_have_text("Done")
    expect(row(page, job.id)).to_have_class(re.compile("row-changed"))
    assert page.evaluate("window.sameDocument") is True  # the page was not reloaded

    # A job created meanwhile shows up at the top by itself.
    new = create(shop, JobType.UPDATE_QTY, sku(6))
    expect(page.locator("#job-rows tr").first).to_have_id(f"job-{new.id}")
    assert page.evaluate("window.sameDocument") is True
    signed_in.screenshot("done")


def test_a_hostile_product_title_shows_as_text(signed_in):
    shop, page = signed_in.shop, signed_in.page
    hostile = "<script>alert(1)</script>"
    products = [
        ProductRow("XSS-1", None, hostile, 3, Decimal("1.00")),
        ProductRow(hostile, None, "A product whose SKU is hostile", 3, Decimal("1.00")),
    ]
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(session, products, shop.clock.now())
        catalog.upsert_listings(
            session,
            shop.account_id,
            [
                ListingRow(p.sku, f"B0HOSTILE{n}", 1, Decimal("1.00"))
                for n, p in enumerate(products)
            ],
            shop.clock.now(),
        )
    page.goto(f"{signed_in.url}/listings?q=XSS")
    expect(page.locator("td.title")).to_have_text(hostile)
    expect(page.get_by_text(hostile)).to_be_visible()
    signed_in.screenshot("listings")

    job = create(shop, JobType.UPDATE_QTY, "XSS-1", hostile)
    shop.run_worker()
    page.goto(f"{signed_in.url}/jobs/{job.id}")
    expect(page.locator("td.ref").last).to_have_text(hostile)
    # Amazon's 13013 text does not name the SKU: the ref cell above shows it as text.
    signed_in.screenshot("job")
    assert signed_in.dialogs == []  # no alert() ever ran


def test_quota_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    for n in range(3):
        create(shop, JobType.UPDATE_QTY, sku(n))
        shop.run_worker()
    page.goto(f"{signed_in.url}/quota")
    create_feed = page.locator("tr[data-operation=createFeed]")
    expect(create_feed).to_contain_text("1 every 120 s")
    expect(create_feed.locator(".gauge-text")).to_contain_text("of 15")
    expect(create_feed.locator("td.num").first).to_have_text("3")  # calls in the last hour
    expect(page.locator("tr[data-operation=JSON_LISTINGS_FEED]")).to_contain_text(
        "at most 5 per 5 min"
    )
    signed_in.screenshot("quota")


def test_accounts_page(signed_in):
    page = signed_in.page
    page.goto(f"{signed_in.url}/accounts")
    expect(page.locator("#account-1")).to_contain_text("us")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#probe-1")).to_contain_text("OK: Amazon accepted the credentials")
    signed_in.screenshot("accounts")

    page.get_by_role("link", name="Edit").click()
    expect(page.locator("input[name=lwa_client_secret]")).to_have_value("")
    signed_in.screenshot("edit")
    page.fill("input[name=name]", "us-main")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-ok")).to_contain_text("Account us-main saved")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#probe-1")).to_contain_text("OK: Amazon accepted")  # secrets kept
    expect(page.locator("#account-1 .custom-endpoint")).to_have_text("custom endpoint")

    page.get_by_role("link", name="Edit").click()  # re-pointing needs the secrets again
    page.fill("input[name=endpoint]", "http://127.0.0.1:9/elsewhere")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-box")).to_contain_text(
        "needs the LWA client secret and the refresh token again"
    )
    expected = [e for e in signed_in.errors if "status of 422" in e and "/accounts/1" in e]
    assert len(expected) == 1  # the refused form's answer, the only error allowed
    signed_in.errors.remove(expected[0])
    page.get_by_role("link", name="← Accounts").click()

    page.get_by_role("link", name="Add an account").first.click()
    page.fill("input[name=name]", "eu")
    page.fill("input[name=seller_id]", "A2EUSELLER")
    page.fill("input[name=marketplace_id]", "A1PA6795UKMFR9")
    page.fill("input[name=lwa_client_id]", "amzn1.application-oa2-client.eu")
    page.get_by_role("button", name="Add account").click()  # the secrets are required
    expect(page).to_have_url(re.compile(r"/accounts/new$"))
    page.fill("input[name=lwa_client_secret]", "secret-eu")
    page.fill("input[name=refresh_token]", "Atzr|refresh-eu")
    page.get_by_role("button", name="Add account").click()
    expect(page.locator(".flash-ok")).to_contain_text("Account eu added")
    expect(page.locator("table.accounts tbody tr")).to_have_count(2)
    assert "secret-eu" not in page.content()
    signed_in.screenshot("accounts-added")


def test_listings_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(
            session,
            [ProductRow("NEW-1", "4006381333931", "A new product", 5, Decimal("19.90"))],
            shop.clock.now(),
        )
    page.goto(f"{signed_in.url}/listings")
    expect(page.locator("table.listings tbody tr")).to_have_count(12)
    page.fill("textarea[name=skus]", "NEW-1\nNOPE-9")
    page.get_by_role("button", name="Add to the selling list").click()
    expect(page.locator(".flash")).to_contain_text("1 product(s) added")
    expect(page.locator(".flash")).to_contain_text("NOPE-9: no product has this SKU")
    page.fill("input[name=q]", "4006381333931")
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.listings tbody tr")).to_have_count(1)
    expect(page.locator("table.listings tbody tr")).to_contain_text("not listed")
    signed_in.screenshot("listings")


def test_inventory_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    shop.sim.seed_listings(
        [{"sku": "AMAZON-ONLY-1", "asin": "B0ONLY0001", "quantity": 4, "price": Decimal("5.00")}]
    )
    page.goto(f"{signed_in.url}/inventory")
    expect(page.locator("td.empty")).to_contain_text("No inventory report yet")
    page.get_by_role("button", name="Request a new report").click()
    expect(page.locator(".flash-ok")).to_contain_text("Inventory Report job")
    shop.run_worker()
    page.reload()
    expect(page.locator("tr.unmatched")).to_have_count(1)
    expect(page.locator("tr.unmatched")).to_contain_text("AMAZON-ONLY-1")
    signed_in.screenshot("inventory")
    page.check("input[name=unmatched]")
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.inventory tbody tr")).to_have_count(1)
    signed_in.screenshot("inventory-unmatched")


def test_orders_pages_and_marking_an_order_shipped(signed_in):
    shop, page = signed_in.shop, signed_in.page
    base = shop.clock.now() - timedelta(hours=1)
    ids = [
        shop.sim.orders.add_order(
            [{"sku": sku(n + 4), "quantity": 2}, {"sku": sku(n + 8)}],
            purchased_at=base + timedelta(minutes=n),
        ).order_id
        for n in range(3)
    ]
    page.goto(f"{signed_in.url}/orders")
    page.get_by_role("button", name="Import orders now").click()
    expect(page.locator(".flash-ok")).to_contain_text("Orders Import job")
    shop.run_worker()
    page.reload()
    expect(page.locator("table.orders tbody tr")).to_have_count(3)
    signed_in.screenshot("orders")

    page.get_by_role("link", name=ids[0]).click()
    expect(page.locator("h1")).to_contain_text(ids[0])
    page.fill("input[name=carrier_code]", "UPS")
    page.fill("input[name=tracking_number]", "1Z999AA10123456784")
    page.get_by_role("button", name="Mark shipped").click()
    expect(page.locator(".flash-ok")).to_contain_text("Package 1 recorded")
    expect(page.locator(".badge.pkg-due")).to_have_text("due")
    signed_in.screenshot("order")

    page.get_by_role("link", name="← Orders").click()
    page.select_option("select[name=packages]", "due")
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.orders tbody tr")).to_have_count(1)
    expect(page.locator("table.orders tbody tr")).to_contain_text("1 due")


def test_the_job_page_follows_its_job_and_cancels(signed_in):
    shop, page = signed_in.shop, signed_in.page
    job = create(shop, JobType.UPDATE_QTY, sku(7))
    worker = Worker(shop.rt)
    step_until(shop, job.id, JobStatus.WAITING_FOR_RESULT, worker)
    page.goto(f"{signed_in.url}/jobs/{job.id}")
    expect(page.locator("h1 .badge")).to_have_text("Waiting for result")
    page.evaluate("window.sameDocument = true")
    shop.clock.advance(15 * 60)
    step_until(shop, job.id, JobStatus.DONE, worker)
    expect(page.locator("h1 .badge")).to_have_text("Done")
    expect(page.locator("table.log")).to_contain_text("Waiting for result → Done")
    assert page.evaluate("window.sameDocument") is True
    signed_in.screenshot("followed")

    queued = create(shop, JobType.UPDATE_PRICE, sku(8))
    shop.use_up(Operation.JSON_LISTINGS_FEED)  # it waits for quota in created
    step_until(shop, queued.id, JobStatus.CREATED, worker)
    page.goto(f"{signed_in.url}/jobs/{queued.id}")
    expect(page.locator(".stat")).to_contain_text(["Expected to be sent"])
    signed_in.screenshot("queued")
    page.get_by_role("link", name="Cancel job").click()
    page.locator("dialog.confirm").get_by_role("button", name="Cancel the job").click()
    expect(page.locator(".flash-ok")).to_contain_text("Canceled")
    expect(page.locator("h1 .badge")).to_have_text("Canceled")
    assert status_of(shop, queued.id) == JobStatus.CANCELED
