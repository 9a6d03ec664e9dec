"""Starting jobs from the dashboard over real HTTP: the Products page, the selling
list's job buttons with their preview, and bulk cancel / retry on the jobs table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import func, select

from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.store import catalog
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Job, JobItem, Listing, Product
from amazon_jobs.store.users import add_user
from tests.integration.conftest import WEB_PASSWORD, WEB_USER, Web, sku
from tests.webapp import web_app

pytestmark = pytest.mark.timeout(90)

LISTING_TYPES = [
    JobType.SEND_PRODUCTS,
    JobType.UPDATE_QTY,
    JobType.UPDATE_PRICE,
    JobType.UPDATE_QTY_PRICE,
    JobType.STOP,
    JobType.STOP_REMOVE,
]


@pytest.fixture
def web_for() -> Iterator:
    """A logged-in browser on the dashboard of a shop made by ``shop_factory``."""
    with ExitStack() as stack:

        def make(shop):
            with shop.rt.db.transaction() as session:
                add_user(session, WEB_USER, WEB_PASSWORD, shop.clock.now())
            server = stack.enter_context(serve_in_thread(web_app(shop.rt)))
            browser = stack.enter_context(
                httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
            )
            login = {"username": WEB_USER, "password": WEB_PASSWORD, "next": "/"}
            assert browser.post("/login", data=login).status_code == 303
            csrf = browser.get("/").text.split('name="csrf_token" value="', 1)[1].split('"')[0]
            return Web(server.url, browser, browser, "", csrf)

        yield make


def flash(answer):
    """The flash message a redirect carries."""
    raw = answer.cookies.get("aj_flash") or ""
    return unquote(raw)


def job_count(shop):
    with shop.rt.db.read() as session:
        return session.scalar(select(func.count()).select_from(Job))


def add_products(shop, *rows):
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(session, list(rows), shop.clock.now())


def state_of(shop, the_sku):
    with shop.rt.db.read() as session:
        return session.scalar(
            select(Listing.state)
            .join(Product, Product.id == Listing.product_id)
            .where(Product.sku == the_sku, Listing.account_id == shop.account_id)
        )


def status_of(shop, job_id):
    with shop.rt.db.read() as session:
        return JobStatus(get_job(session, job_id).status)


# Products


def test_products_page_searches_and_filters_by_selling_list(shop, web):
    add_products(
        shop,
        ProductRow("NEW-1", "4006381333931", "Blue kettle", 3, Decimal("12.00")),
        ProductRow("NEW-2", None, "Red kettle", 4, Decimal("13.00")),
    )
    base = f"/products?account={shop.account_id}"
    html = web.browser.get(base).text
    assert "14 product(s) match" in html and "NEW-1" in html and sku(0) in html
    off = web.browser.get(base + "&on_list=off").text
    assert "2 product(s) match" in off and sku(0) not in off
    on = web.browser.get(base + "&on_list=on").text
    assert "12 product(s) match" in on and "NEW-1" not in on
    by_title = web.browser.get(base + "&q=kettle").text
    assert "2 product(s) match" in by_title
    by_ean = web.browser.get(base + "&q=4006381333931").text
    assert "1 product(s) match" in by_ean and "NEW-2" not in by_ean
    # Out-of-range or unknown filter values are ignored, never a 500.
    assert web.browser.get(base + "&on_list=maybe&after=" + "x" * 100).status_code == 200
    assert web.browser.get("/products?q=" + "x" * 101).status_code == 422


def test_add_ticked_products_and_all_matching_to_the_selling_list(shop, web):
    add_products(
        shop,
        *(ProductRow(f"NEW-{n}", None, f"Kettle {n}", n, Decimal("5.00")) for n in range(4)),
    )
    form = {"csrf_token": web.csrf, "account": str(shop.account_id)}
    answer = web.browser.post("/products/add", data={**form, "sku": ["NEW-0", sku(1)]})
    assert answer.status_code == 303
    assert "1 product(s) added" in flash(answer) and f"{sku(1)}: already on the list" in flash(
        answer
    )
    assert state_of(shop, "NEW-0") == "not_listed"
    answer = web.browser.post(
        "/products/add", data={**form, "all_matching": "true", "q": "Kettle", "on_list": "off"}
    )
    assert "3 product(s) added" in flash(answer)
    assert {state_of(shop, f"NEW-{n}") for n in range(4)} == {"not_listed"}
    nothing = web.browser.post("/products/add", data=form)
    assert "Tick one or more products" in flash(nothing)
    # Without the CSRF token nothing is added.
    refused = web.browser.post("/products/add", data={"account": "1", "sku": "NEW-9"})
    assert refused.status_code == 403


def test_import_a_products_csv_from_the_products_page(shop, web):
    """The merchant's own catalog goes in from the dashboard; bad rows are named by line."""
    csv = (
        "sku,ean,title,quantity,price\n"
        "CSV-1,4006381333931,Green kettle,5,19.90\n"
        f"{sku(0)},,Renamed,7,9.00\n"
        "CSV-2,,No price,3,\n"
        "CSV-3,,Bad quantity,-1,4.00\n"
    )
    form = {"csrf_token": web.csrf, "account": str(shop.account_id)}
    files = {"file": ("shop.csv", csv.encode(), "text/csv")}
    answer = web.browser.post("/products/import", data=form, files=files)
    assert answer.status_code == 303
    message = flash(answer)
    assert "2 product(s) imported (1 new, 1 updated)" in message
    assert "2 row(s) left out: line 4:" in message and "line 5:" in message
    with shop.rt.db.read() as session:
        stored = {p.sku: p for p in session.scalars(select(Product))}
    assert stored["CSV-1"].title == "Green kettle" and stored[sku(0)].quantity == 7
    assert "CSV-2" not in stored and "CSV-3" not in stored
    # A file that is not UTF-8 is refused whole, with the line and what to do.
    latin = {
        "file": (
            "latin.csv",
            "sku,ean,title,quantity,price\nCSV-9,,Caf\xe9,1,2.00\n".encode("latin-1"),
            "text/csv",
        )
    }
    refused = flash(web.browser.post("/products/import", data=form, files=latin))
    assert "latin.csv: line 2: the file is not UTF-8" in refused
    with shop.rt.db.read() as session:
        assert session.scalar(select(Product).where(Product.sku == "CSV-9")) is None
    empty = {"file": ("empty.csv", b"", "text/csv")}
    assert "Choose a CSV file" in flash(
        web.browser.post("/products/import", data=form, files=empty)
    )
    # Without the CSRF token nothing is imported.
    refused_csrf = web.browser.post("/products/import", data={"account": "1"}, files=files)
    assert refused_csrf.status_code == 403


# Selling list: preview, then confirm


def test_preview_shows_values_skips_and_send_time_and_creates_nothing(shop, web):
    held = create_listings_job(
        shop.rt, JobType.UPDATE_PRICE, shop.account_id, Selection(skus=(sku(2),))
    )
    before = job_count(shop)
    with shop.rt.db.transaction() as session:
        product = session.scalars(select(Product).where(Product.sku == sku(1))).one()
        product.quantity = 99
    answer = web.browser.post(
        "/listings/preview",
        data={
            "csrf_token": web.csrf,
            "account": str(shop.account_id),
            "job_type": JobType.UPDATE_QTY.value,
            "sku": [sku(1), sku(2), "NO-SUCH"],
        },
    )
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert re.search(r'id="preview-count">1<', html)
    assert re.search(r'id="preview-skipped-count">2<', html)
    assert "11 → 99" in html  # Amazon's confirmed quantity → the shop's
    assert f"locked by job {held.jobs[0].id}" in html
    assert "no product has this SKU" in html
    assert 'id="preview-send-at"' in html
    assert job_count(shop) == before


@pytest.mark.parametrize("job_type", LISTING_TYPES, ids=lambda t: t.value)
def test_confirm_creates_the_job_and_opens_it(shop, web, job_type):
    the_sku = sku(5)
    if job_type is JobType.SEND_PRODUCTS:
        add_products(shop, ProductRow("NEW-1", "4006381333931", "Kettle", 3, Decimal("5.00")))
        web.browser.post(
            "/products/add",
            data={"csrf_token": web.csrf, "account": str(shop.account_id), "sku": "NEW-1"},
        )
        the_sku = "NEW-1"
    form = {"csrf_token": web.csrf, "account": str(shop.account_id), "job_type": job_type.value}
    preview = web.browser.post("/listings/preview", data={**form, "sku": the_sku})
    assert re.search(r'id="preview-count">1<', preview.text), preview.text
    skus = re.search(r'<textarea name="skus" hidden>([^<]*)</textarea>', preview.text)
    assert skus and skus.group(1) == the_sku
    answer = web.browser.post(
        "/listings/jobs", data={**form, "skus": skus.group(1), "back": "/listings"}
    )
    assert answer.status_code == 303
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    with shop.rt.db.read() as session:
        job = get_job(session, job_id)
        refs = session.scalars(select(JobItem.ref).where(JobItem.job_id == job_id)).all()
    assert JobType(job.type) is job_type and refs == [the_sku]
    assert f"{job_type.label}: 1 item(s) in 1 job(s)" in flash(answer)
    assert web.browser.get(f"/jobs/{job_id}").status_code == 200


def test_all_matching_the_filter_and_a_split_into_several_jobs(shop_factory, web_for):
    shop = shop_factory(feed_max_messages=5)
    web = web_for(shop)
    form = {
        "csrf_token": web.csrf,
        "account": str(shop.account_id),
        "job_type": JobType.STOP.value,
        "all_matching": "true",
        "state": "active",
    }
    preview = web.browser.post("/listings/preview", data=form)
    assert re.search(r'id="preview-count">12<', preview.text) and "in 3 jobs" in preview.text
    skus = re.search(r'<textarea name="skus" hidden>([^<]*)</textarea>', preview.text)
    answer = web.browser.post("/listings/jobs", data={**form, "skus": skus.group(1)})
    assert answer.headers["location"] == f"/?account={shop.account_id}&type=stop"
    assert job_count(shop) == 3


def test_confirm_with_nothing_left_says_why(shop, web):
    create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),)))
    form = {"csrf_token": web.csrf, "account": str(shop.account_id)}
    answer = web.browser.post(
        "/listings/jobs", data={**form, "job_type": "update_qty", "skus": sku(1)}
    )
    assert answer.status_code == 303 and "nothing to send" in flash(answer)
    bad_type = web.browser.post(
        "/listings/preview", data={**form, "job_type": "orders_import", "sku": sku(1)}
    )
    assert bad_type.status_code == 303 and "Choose a job type" in flash(bad_type)


# Jobs table: bulk cancel and retry


def test_bulk_cancel_cancels_what_it_can_and_names_the_rest(shop, web):
    jobs = [
        create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(n),)))
        .jobs[0]
        .id
        for n in (1, 2, 4)
    ]
    shop.run_worker()  # the three jobs end
    fresh = [
        create_listings_job(
            shop.rt, JobType.UPDATE_PRICE, shop.account_id, Selection(skus=(sku(n),))
        )
        .jobs[0]
        .id
        for n in (5, 6)
    ]
    answer = web.browser.post(
        "/jobs/bulk/cancel",
        data={"csrf_token": web.csrf, "job": [str(i) for i in [*fresh, jobs[0]]], "next": "/"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    text = flash(answer)
    assert all(f"Job {i} canceled." in text for i in fresh)
    assert f"Job {jobs[0]} not canceled" in text
    assert {status_of(shop, i) for i in fresh} == {JobStatus.CANCELED}
    assert "Tick one or more jobs" in flash(
        web.browser.post("/jobs/bulk/cancel", data={"csrf_token": web.csrf, "job": "x"})
    )


def test_bulk_retry_resends_only_what_a_retry_can_fix(shop, web):
    unknown = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(3), sku(4)))
    ).jobs[0]
    shop.run_worker()
    assert status_of(shop, unknown.id) is JobStatus.DONE
    shop.sim.faults.abort_next_feeds(1)
    fatal = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),))
    ).jobs[0]
    shop.run_worker()
    assert status_of(shop, fatal.id) is JobStatus.ERROR
    before = job_count(shop)
    answer = web.browser.post(
        "/jobs/bulk/retry",
        data={"csrf_token": web.csrf, "job": [str(unknown.id), str(fatal.id)], "next": "/"},
    )
    text = flash(answer)
    assert (
        f"Job {unknown.id} not retried" in text
        and f"{sku(3)}: Amazon does not know this SKU" in text
    )
    assert f"Job {fatal.id}: failed items sent again in job" in text
    assert job_count(shop) == before + 1
    with shop.rt.db.read() as session:
        child = session.scalars(select(Job).where(Job.parent_id == fatal.id)).one()
        refs = session.scalars(select(JobItem.ref).where(JobItem.job_id == child.id)).all()
    assert refs == [sku(1)]


def test_bulk_retry_of_a_mixed_job_names_the_items_it_leaves_out(shop, web):
    job = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1), sku(3)))
    ).jobs[0]
    shop.run_worker()
    with shop.rt.db.transaction() as session:  # Amazon's internal error on SKU-001's message
        item = session.scalars(
            select(JobItem).where(JobItem.job_id == job.id, JobItem.ref == sku(1))
        ).one()
        item.outcome, item.error_code, item.error_message = "error", "5002", "internal error"
    answer = web.browser.post(
        "/jobs/bulk/retry", data={"csrf_token": web.csrf, "job": str(job.id), "next": "/"}
    )
    text = flash(answer)
    assert f"Job {job.id}: failed items sent again in job" in text
    assert f"Left out (a retry cannot fix them): {sku(3)}: Amazon does not know this SKU" in text
    with shop.rt.db.read() as session:
        child = session.scalars(select(Job).where(Job.parent_id == job.id)).one()
        refs = session.scalars(select(JobItem.ref).where(JobItem.job_id == child.id)).all()
    assert refs == [sku(1)]
