"""The Amazon Jobs page over real HTTP: the seven columns, newest first, escaped."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.store import catalog
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(60)


def test_jobs_table_has_the_design_columns_newest_first(shop, web):
    ids = [
        create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(n),)))
        .jobs[0]
        .id
        for n in range(3)
    ]
    cancel_job(shop.rt, ids[0])
    html = web.browser.get("/").text
    headers = re.findall(r"<th>([^<]+)</th>", html)
    assert headers == [
        "ID",
        "Amazon Account",
        "Job Type",
        "Job Status",
        "Created Date",
        "Last Update Date",
        "Actions",
    ]
    assert re.findall(r'<tr id="job-(\d+)"', html) == [str(i) for i in reversed(ids)]
    assert 'class="badge badge-canceled">Canceled<' in html
    assert "Update Products QTY" in html

    rows = web.browser.get("/jobs/rows").text
    assert rows.count("<tr id=") == 3 and "<html" not in rows


def test_job_page_shows_log_and_items_and_escapes(shop, web):
    hostile = "<script>alert(1)</script>"
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(
            session, [ProductRow(hostile, None, hostile, 3, Decimal("1.00"))], shop.clock.now()
        )
        catalog.upsert_listings(
            session,
            shop.account_id,
            [ListingRow(hostile, "B0HOSTILE1", 1, Decimal("1.00"))],
            shop.clock.now(),
        )
    job = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1), hostile))
    ).jobs[0]
    shop.run_worker()
    html = web.browser.get(f"/jobs/{job.id}").text
    assert "Waiting for result → Done" in html and "createFeed" in html
    assert sku(1) in html
    # The SKU and Amazon's error text naming it are shown as text, never as markup.
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert web.browser.get("/jobs/999999").status_code == 404
    assert httpx.get(f"{web.url}/healthz").json() == {"status": "ok"}


def test_pages_need_a_login_and_forms_need_the_csrf_token(shop, web):
    with httpx.Client(base_url=web.url, follow_redirects=False) as anonymous:
        for path in ("/", "/jobs/rows", "/jobs/1"):
            answer = anonymous.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login?next=")
        assert anonymous.get("/healthz").status_code == 200
        wrong = anonymous.post("/login", data={"username": "seller", "password": "nope"})
        assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    forged = web.browser.post("/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert web.browser.post("/logout", data={"csrf_token": web.csrf}).status_code == 303
    assert web.browser.get("/").status_code == 303  # the session is over
