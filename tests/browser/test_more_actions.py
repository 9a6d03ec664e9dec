"""The dashboard actions not covered elsewhere, each in a real browser: importing a
products CSV, disabling and enabling an account, an expired session's message, and an
Orders Import job's order ids that open the order. Screenshots:
test-results/browser/<test>/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from amazon_jobs.service import create_orders_import_job
from amazon_jobs.store.models import Account, Order, Product, WebSession
from tests.integration.conftest import sku

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_import_a_products_csv_and_read_which_rows_were_left_out(signed_in, tmp_path):
    shop, page = signed_in.shop, signed_in.page
    csv = tmp_path / "shop.csv"
    csv.write_text(
        "sku,ean,title,quantity,price\n"
        "CSV-1,4006381333931,Green kettle,5,19.90\n"
        "CSV-2,,No price,3,\n",
        encoding="utf-8",
    )
    page.get_by_role("link", name="Products").click()
    page.set_input_files("form.upload input[type=file]", str(csv))
    signed_in.screenshot("chosen")
    page.get_by_role("button", name="Import", exact=True).click()
    flash = page.locator(".flash")
    expect(flash).to_contain_text("1 product(s) imported (1 new, 0 updated)")
    expect(flash).to_contain_text("1 row(s) left out: line 3:")
    signed_in.screenshot("imported")
    page.fill("input[name=q]", "Green kettle")
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.products tbody tr")).to_have_count(1)
    with shop.rt.db.read() as session:
        skus = set(session.scalars(select(Product.sku)))
    assert "CSV-1" in skus and "CSV-2" not in skus


def test_disable_an_account_and_enable_it_again(signed_in):
    shop, page = signed_in.shop, signed_in.page
    page.get_by_role("link", name="Accounts").click()
    row = page.locator(f"#account-{shop.account_id}")
    row.get_by_role("button", name="Disable").click()
    page.wait_for_selector(f"#account-{shop.account_id}[data-state=disabled]")
    expect(page.locator(".flash")).to_contain_text("Account us disabled")
    expect(row.locator(".badge")).to_have_text("disabled")
    signed_in.screenshot("disabled")
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).status == "disabled"

    row.get_by_role("button", name="Enable").click()
    page.wait_for_selector(f"#account-{shop.account_id}[data-state=active]")
    expect(page.locator(".flash")).to_contain_text("Account us enabled")
    signed_in.screenshot("enabled")
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).status == "active"


def test_an_expired_session_says_log_in_again_and_returns_to_the_page(signed_in):
    shop, page = signed_in.shop, signed_in.page
    signed_in.open("/orders")
    # The session ran out (its end is stored with it, on the wall clock).
    with shop.rt.db.transaction() as session:
        ended = shop.rt.security_clock.now() - timedelta(seconds=1)
        session.execute(update(WebSession).values(expires_at=ended))
    page.get_by_role("link", name="Selling lists").click()
    expect(page.locator(".notice, .flash")).to_contain_text("Your session expired; log in again")
    signed_in.screenshot("expired")
    signed_in.log_in()
    page.wait_for_url(re.compile(r"/listings"))
    signed_in.screenshot("back")


def test_an_orders_import_job_links_each_order(signed_in):
    shop, page = signed_in.shop, signed_in.page
    order_id = shop.sim.orders.add_order(
        [{"sku": sku(1), "quantity": 1}], purchased_at=shop.clock.now() - timedelta(hours=1)
    ).order_id
    job = create_orders_import_job(shop.rt, shop.account_id)
    shop.run_worker()
    signed_in.open(f"/jobs/{job.id}")
    signed_in.screenshot("job")
    page.get_by_role("link", name=order_id).first.click()
    with shop.rt.db.read() as session:
        stored = session.scalars(select(Order).where(Order.amazon_order_id == order_id)).one()
    page.wait_for_url(f"{signed_in.url}/orders/{stored.id}")
    expect(page.locator("h1, h2").first).to_contain_text(order_id)
    signed_in.screenshot("order")
