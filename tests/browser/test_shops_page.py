"""The Shops page in a real browser, against a shop simulator over HTTP: add a shop, test
its connection, link the account, sync now (the job turns Done in the jobs table and
the products show on the Products page), edit the connector settings, delete a shop
(it asks first). Screenshots: test-results/browser/<test>/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.shops import add_shop, link_account
from amazon_jobs.store.models import Account, Product, Shop
from amazon_jobs.store.shops import ShopSpec

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests, or fails them in CI
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def presta(signed_in) -> Iterator[RunningServer]:
    """A PrestaShop Webservice (the shop simulator) on the dashboard's clock."""
    sim = ShopSimulator(ShopSimulatorConfig(products=5, seed=7), signed_in.shop.clock)
    server = serve_in_thread(create_app(sim))
    yield server
    server.stop()


def refused_form(signed_in, path: str) -> None:
    """The refused form's 422 is the one console error the page may log."""
    expected = [e for e in signed_in.errors if "status of 422" in e and path in e]
    assert len(expected) == 1, signed_in.errors
    signed_in.errors.remove(expected[0])


def stored_shop(signed_in, presta, *, linked: bool = False) -> int:
    """A shop added (and linked to the account ``us``) the way the CLI does it."""
    rt = signed_in.shop.rt
    with rt.db.transaction() as session:
        shop = add_shop(rt, session, ShopSpec("main", presta.url, SecretStr(DEFAULT_KEY)))
        if linked:
            account = session.get_one(Account, signed_in.shop.account_id)
            link_account(rt, session, account, shop)
        return shop.id


def test_add_a_shop_pointed_at_the_shop_simulator(signed_in, presta):
    page = signed_in.page
    page.get_by_role("link", name="Shops").click()
    expect(page.locator(".empty-state")).to_contain_text("No shop yet.")
    page.get_by_role("link", name="Add a shop").first.click()
    page.fill("input[name=name]", "main")
    page.fill("input[name=url]", "https://user:secret@shop.example")
    page.fill("input[name=key]", DEFAULT_KEY)
    page.get_by_role("button", name="Add shop").click()
    expect(page.locator('[data-field="url"]')).to_contain_text("address only")
    assert page.input_value("input[name=key]") == ""  # the key is never sent back
    signed_in.screenshot("refused")
    refused_form(signed_in, "/shops")
    page.fill("input[name=url]", presta.url)
    page.fill("input[name=key]", DEFAULT_KEY)
    page.get_by_role("button", name="Add shop").click()
    expect(page.locator(".flash")).to_contain_text("Shop main added")
    row = page.locator("table.shops tbody tr").first
    expect(row).to_contain_text(presta.url)
    expect(row.locator(".linked")).to_contain_text("none")
    assert DEFAULT_KEY not in page.content()
    signed_in.screenshot("added")


def test_test_connection(signed_in, presta):
    shop_id = stored_shop(signed_in, presta)
    page = signed_in.page
    signed_in.open("/shops")
    page.locator(f"#shop-{shop_id}").get_by_role("button", name="Test connection").click()
    expect(page.locator(f"#probe-shop-{shop_id}")).to_contain_text(
        "the shop's Webservice accepts the key and lists its products"
    )
    signed_in.screenshot("connected")


def test_link_the_account_to_the_shop(signed_in, presta):
    shop_id = stored_shop(signed_in, presta)
    account_id, page = signed_in.shop.account_id, signed_in.page
    signed_in.open("/accounts")
    row = page.locator(f"#account-{account_id}")
    expect(row.locator(".account-shop")).to_contain_text("manual (CSV/API)")
    row.locator("select[name=shop]").select_option(label="main")
    row.get_by_role("button", name="Link").click()
    expect(page.locator(".flash")).to_contain_text("Account us linked to shop main")
    expect(page.locator(f"#account-{account_id} .account-shop a")).to_have_text("main")
    signed_in.screenshot("linked")
    with signed_in.shop.rt.db.read() as session:
        assert session.get_one(Account, account_id).shop_id == shop_id


def test_sync_now_the_job_turns_done_and_the_products_show(signed_in, presta):
    shop_id = stored_shop(signed_in, presta, linked=True)
    page = signed_in.page
    signed_in.open("/shops")
    page.locator(f"#shop-{shop_id}").get_by_role("button", name="Sync now").click()
    expect(page.locator(".flash")).to_contain_text("a catalog sync of the shop")
    job_row = page.locator("#job-rows tr", has_text="Shop Catalog Sync").first
    expect(job_row.locator(".badge").first).to_have_text("Reserved")
    signed_in.screenshot("created")
    signed_in.shop.run_worker()
    expect(job_row.locator(".badge").first).to_have_text("Done")  # the live refresh
    signed_in.screenshot("done")
    with signed_in.shop.rt.db.read() as session:
        skus = list(session.scalars(select(Product.sku).where(Product.shop_id == shop_id)))
    assert len(skus) >= 5
    page.get_by_role("link", name="Products").click()
    page.fill("input[name=q]", skus[0])
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.products tbody")).to_contain_text(skus[0])
    signed_in.screenshot("products")
    signed_in.open("/shops")
    expect(page.locator(f"#shop-{shop_id} .synced")).not_to_contain_text("never")


def test_edit_the_connector_settings(signed_in, presta):
    shop_id = stored_shop(signed_in, presta)
    page = signed_in.page
    signed_in.open("/shops")
    page.locator(f"#shop-{shop_id}").get_by_role("link", name="Settings").click()
    page.fill("input[name=payment_label]", "Amazon US")
    page.fill("input[name=shipping_cost]", "five")
    page.fill("textarea[name=carriers]", "2 = UPS | UPS Ground")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator('[data-field="shipping_cost"]')).to_have_text("Must be a number.")
    assert page.input_value("input[name=payment_label]") == "Amazon US"  # kept as typed
    signed_in.screenshot("refused")
    refused_form(signed_in, f"/shops/{shop_id}/settings")
    page.fill("input[name=shipping_cost]", "7.7")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash")).to_contain_text(
        re.compile(r"Settings of shop main saved: carriers, payment_label, shipping_cost")
    )
    signed_in.screenshot("saved")
    with signed_in.shop.rt.db.read() as session:
        assert session.get_one(Shop, shop_id).settings == {
            "payment_label": "Amazon US",
            "shipping_cost": 7.7,
            "carriers": {"2": {"code": "UPS", "name": "UPS Ground"}},
        }


def test_deleting_a_shop_asks_first(signed_in, presta):
    shop_id = stored_shop(signed_in, presta, linked=True)
    page = signed_in.page
    signed_in.open("/shops")
    page.locator(f"#shop-{shop_id}").get_by_role("link", name="Delete").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog.locator(".question")).to_contain_text("Delete shop main?")
    signed_in.screenshot("asked")
    dialog.get_by_role("button", name="Keep it").click()
    expect(page.locator(f"#shop-{shop_id}")).to_be_visible()
    page.locator(f"#shop-{shop_id}").get_by_role("link", name="Delete").click()
    dialog.get_by_role("button", name="Delete the shop").click()
    expect(page.locator(".flash")).to_contain_text("Shop main deleted")
    expect(page.locator(".empty-state")).to_contain_text("No shop yet.")
    signed_in.screenshot("deleted")
    with signed_in.shop.rt.db.read() as session:
        assert session.get(Shop, shop_id) is None
        assert session.get_one(Account, signed_in.shop.account_id).shop_id is None
