"""The Amazon Jobs page over real HTTP: the seven columns, newest first, escaped."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.store import catalog
from amazon_jobs.store.jobs import create_job
from amazon_jobs.web.pages import queries
from amazon_jobs.worker import Worker
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
    # The SKU is shown as text, never as markup (Amazon's 13013 text does not repeat it).
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 1
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


# Live refresh, pagination, row actions, the job page, accounts: over real HTTP.

HTMX = {"HX-Request": "true"}


def versions_shown(html):
    return re.findall(r'name="v" value="([^"]+)"', html)


def test_live_refresh_answers_only_the_rows_that_changed(shop, web):
    first, second = (
        create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(s,)))
        .jobs[0]
        .id
        for s in (sku(0), sku(1))
    )
    page = web.browser.get("/").text
    shown = versions_shown(page)
    assert [v.split("@")[0] for v in shown] == [str(second), str(first)]
    newest = re.search(r'id="newest" name="newest" value="(\d+)"', page).group(1)
    params = {"v": shown, "newest": newest}
    assert web.browser.get("/jobs/changes", params=params, headers=HTMX).status_code == 204

    shop.use_up(Operation.JSON_LISTINGS_FEED)  # so that the oldest job's step ends in created
    Worker(shop.rt).run_once()  # one step of the oldest job: reserved -> created
    answer = web.browser.get("/jobs/changes", params=params, headers=HTMX)
    assert answer.status_code == 200
    assert re.findall(r'<tr id="job-(\d+)"[^>]*hx-swap-oob="true"', answer.text) == [str(first)]
    assert 'badge-created">Created<' in answer.text

    third = create_listings_job(
        shop.rt, JobType.UPDATE_PRICE, shop.account_id, Selection(skus=(sku(2),))
    ).jobs[0]
    answer = web.browser.get("/jobs/changes", params=params, headers=HTMX)
    assert 'hx-swap-oob="afterbegin:#job-rows"' in answer.text
    assert f'<tr id="job-{third.id}"' in answer.text
    assert f'id="newest" name="newest" value="{third.id}" hx-swap-oob="true"' in answer.text
    # Filters apply to new jobs too.
    filtered = {**params, "type": "update_qty"}
    assert f"job-{third.id}" not in web.browser.get("/jobs/changes", params=filtered).text


def test_keyset_pagination_goes_older_and_newer(shop, web):
    with shop.rt.db.transaction() as session:
        ids = [
            create_job(session, shop.account_id, JobType.INVENTORY_REPORT, shop.clock.now()).id
            for _ in range(55)
        ]
    first = web.browser.get("/").text
    assert re.findall(r'<tr id="job-(\d+)"', first) == [str(i) for i in reversed(ids[5:])]
    older = re.search(r'href="(/\?before=\d+)" rel="next"', first).group(1)
    assert older == f"/?before={ids[5]}"
    second = web.browser.get(older).text
    assert re.findall(r'<tr id="job-(\d+)"', second) == [str(i) for i in reversed(ids[:5])]
    assert 'rel="next"' not in second
    newer = re.search(r'href="(/\?after=\d+)" rel="prev"', second).group(1)
    back = web.browser.get(newer).text
    assert re.findall(r'<tr id="job-(\d+)"', back) == re.findall(r'<tr id="job-(\d+)"', first)
    # Filters stay in the pager's links.
    filtered = web.browser.get("/", params={"type": "inventory_report", "status": "reserved"})
    assert "type=inventory_report" in filtered.text.split('rel="next"')[0].rsplit("href=", 1)[1]
    bad = web.browser.get("/", params={"from": "yesterday", "type": "nonsense"})
    assert bad.status_code == 200 and "is not a date" in bad.text


def test_row_actions_need_the_csrf_token_and_work_without_javascript(shop, web):
    job = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),))
    ).jobs[0]
    assert web.browser.post(f"/jobs/{job.id}/check").status_code == 403
    assert web.browser.post(f"/jobs/{job.id}/cancel", data={"csrf_token": "x"}).status_code == 403

    checked = web.browser.post(
        f"/jobs/{job.id}/check", data={"csrf_token": web.csrf, "next": "/?type=update_qty"}
    )
    assert checked.status_code == 303 and checked.headers["location"] == "/?type=update_qty"
    assert "Checking now" in web.browser.get("/").text  # the flash, shown once
    assert "Checking now" not in web.browser.get("/").text

    confirm = web.browser.get(f"/jobs/{job.id}/cancel")
    assert confirm.status_code == 200 and f'action="/jobs/{job.id}/cancel"' in confirm.text
    canceled = web.browser.post(f"/jobs/{job.id}/cancel", data={"csrf_token": web.csrf})
    assert canceled.status_code == 303 and canceled.headers["location"] == f"/jobs/{job.id}"
    page = web.browser.get(f"/jobs/{job.id}").text
    assert "every item is back as it was" in page and 'badge-canceled">Canceled<' in page

    # htmx asks for the row back (the CSRF token comes as a header).
    headers = {**HTMX, "HX-Target": f"job-{job.id}", "X-CSRF-Token": web.csrf}
    again = web.browser.post(f"/jobs/{job.id}/cancel", headers=headers)
    assert again.status_code == 200 and again.text.lstrip().startswith(f'<tr id="job-{job.id}"')
    assert "there is nothing to cancel" in again.text
    check = web.browser.post(f"/jobs/{job.id}/check", headers=headers)
    assert "nothing left to check" in check.text and "Check status</button>" not in check.text


def test_job_page_documents_advice_and_retry(shop, web):
    job = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1), sku(3)))
    ).jobs[0]
    shop.run_worker()
    page = web.browser.get(f"/jobs/{job.id}").text
    assert "send the product first" in page  # the advice for Amazon's 13013
    assert f'href="/jobs/{job.id}/documents/feed"' in page
    feed = web.browser.get(f"/jobs/{job.id}/documents/feed")
    assert feed.status_code == 200 and feed.json()["messages"]
    assert feed.headers["content-disposition"] == f'attachment; filename="job-{job.id}-feed.json"'
    assert web.browser.get(f"/jobs/{job.id}/documents/secrets").status_code == 404
    failed_only = web.browser.get(f"/jobs/{job.id}", params={"failed": "true"}).text
    assert sku(3) in failed_only and sku(1) not in failed_only

    # Amazon said SKU-003 does not exist: the same update would fail again. The page
    # says so instead of offering a retry, and a retry posted anyway is refused.
    assert "1 failed item(s) a retry cannot fix: Amazon does not know this SKU (1)" in page
    assert f'action="/jobs/{job.id}/retry"' not in page
    refused = web.browser.post(f"/jobs/{job.id}/retry", data={"csrf_token": web.csrf})
    assert "no failed items a retry can fix" in web.browser.get(refused.headers["location"]).text

    shop.sim.faults.abort_next_feeds(1)  # Amazon aborts the next feed as a whole
    fatal = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1), sku(2)))
    ).jobs[0]
    shop.run_worker()
    assert "Retry 2 failed items" in web.browser.get(f"/jobs/{fatal.id}").text
    retried = web.browser.post(f"/jobs/{fatal.id}/retry", data={"csrf_token": web.csrf})
    assert retried.status_code == 303
    child = web.browser.get(retried.headers["location"]).text
    assert f'Retry of <a href="/jobs/{fatal.id}">job {fatal.id}</a>' in child
    assert f"Job {fatal.id}: failed items sent again in job" in child
    parent = web.browser.get(f"/jobs/{fatal.id}").text
    assert "Failed items retried in" in parent
    missing = web.browser.get("/jobs/999999")
    assert missing.status_code == 404 and "does not exist" in missing.text


def test_account_secrets_are_write_only(shop, web):
    config = shop.sim.config
    form = web.browser.get(f"/accounts/{shop.account_id}/edit").text
    for secret in (config.client_secret, config.refresh_token):
        assert secret not in form and secret not in web.browser.get("/accounts").text
    fields = {
        "csrf_token": web.csrf,
        "name": "us-main",
        "seller_id": config.seller_id,
        "region": "na",
        "marketplace_id": config.marketplace_id,
        "lwa_client_id": config.client_id,
        "endpoint": shop.server.url,
        "lwa_token_url": f"{shop.server.url}/auth/o2/token",
        "orders_api": "2026-01-01",
        "lwa_client_secret": "",
        "refresh_token": "",
    }
    saved = web.browser.post(f"/accounts/{shop.account_id}", data=fields)
    assert saved.status_code == 303
    probe = web.browser.post(
        f"/accounts/{shop.account_id}/test", headers={**HTMX, "X-CSRF-Token": web.csrf}
    )
    assert "probe-ok" in probe.text and "OK: Amazon accepted" in probe.text  # secrets kept
    missing = web.browser.post("/accounts", data={**fields, "name": "eu"})
    assert missing.status_code == 422 and "needs its LWA client secret" in missing.text
    taken = web.browser.post(
        "/accounts", data={**fields, "lwa_client_secret": "s", "refresh_token": "r"}
    )
    assert taken.status_code == 422 and "exists already" in taken.text
    assert 'value="s"' not in taken.text  # a secret is never sent back, even on an error


def test_the_other_pages_render(shop, web):
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(
            session,
            [ProductRow("XSS-1", None, "<b>bold</b>", 1, Decimal("1.00"))],
            shop.clock.now(),
        )
    web.browser.post(
        "/listings/add", data={"csrf_token": web.csrf, "account": shop.account_id, "skus": "XSS-1"}
    )
    create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(skus=(sku(1),)))
    shop.run_worker()
    for path, text in (
        ("/quota", "createFeed"),
        ("/accounts", "Test connection"),
        ("/listings?q=XSS", "&lt;b&gt;bold&lt;/b&gt;"),
        ("/inventory", "No inventory report yet"),
        ("/orders", "No order imported yet"),
    ):
        answer = web.browser.get(path)
        assert answer.status_code == 200 and text in answer.text, path
        assert "<b>bold</b>" not in answer.text
    with httpx.Client(base_url=web.url) as anonymous:
        for path in ("/quota", "/accounts", "/listings", "/inventory", "/orders", "/orders/1"):
            assert anonymous.get(path).status_code == 303, path


def test_keyset_pages_walk_forward_and_back(shop):
    def walk(**cursor):
        with shop.rt.db.read() as session:
            page = queries.listings_page(
                session, shop.account_id, search="", state=None, limit=5, **cursor
            )
        return [product.sku for _, product in page.rows], page.prev, page.next

    skus = [sku(n) for n in range(12)]
    first, prev, after = walk(before=None, after=None)
    assert first == skus[:5] and prev is None and after == {"after": sku(4)}
    second, prev, after = walk(before=None, **after)
    assert second == skus[5:10] and prev == {"before": sku(5)}
    last, prev, after = walk(before=None, **after)
    assert last == skus[10:] and after is None
    back, prev, after = walk(after=None, **prev)
    assert back == skus[5:10] and after == {"after": sku(9)}
    start, prev, _ = walk(after=None, **prev)
    assert start == skus[:5] and prev is None


def test_api_reference_is_served_by_the_app_itself(shop, web):
    page = web.browser.get("/api/docs")
    assert page.status_code == 200
    schema = web.api.get("/api/v1/openapi.json").json()
    for path in schema["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert "<script" not in page.text.split("</head>", 1)[1]  # nothing loaded from elsewhere
    assert "cdn" not in page.text.lower()
