"""Shops through the REST API and the dashboard's pages, over HTTP, against a shop
simulator on 127.0.0.1 (SQLite and PostgreSQL): the key is write-only, the URL rules
answer 422 on ``url``, the connection test answers in our words, a sync makes a job
the worker runs, connector settings are checked key by key, and accounts are linked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.store.models import Account, Action, Job, Product, Shop
from tests.integration.api_helpers import assert_error
from tests.integration.conftest import Shop as Seeded
from tests.integration.conftest import Web

pytestmark = pytest.mark.timeout(120)

WRONG_KEY = "W" * 32


@pytest.fixture
def presta(shop: Seeded) -> Iterator[RunningServer]:
    """A PrestaShop Webservice (the simulator) with 6 products, on the shop's clock."""
    sim = ShopSimulator(ShopSimulatorConfig(products=6, seed=3), shop.clock)
    server = serve_in_thread(create_app(sim))
    yield server
    server.stop()


def add(web: Web, url: str, name: str = "main", key: str = DEFAULT_KEY) -> dict:
    answer = web.api.post("/api/v1/shops", json={"name": name, "url": url, "key": key})
    assert answer.status_code == 201, answer.text
    return answer.json()


def shop_count(shop: Seeded) -> int:
    with shop.rt.db.read() as session:
        return session.scalar(select(func.count()).select_from(Shop)) or 0


# REST API -----------------------------------------------------------------------------


def test_api_adds_shows_changes_and_deletes_a_shop_never_answering_its_key(web, shop, presta):
    created = add(web, presta.url)
    assert DEFAULT_KEY not in str(created) and "key" not in created
    assert created["status"] == "active" and created["accounts"] == []
    assert created["catalog_synced_until"] is None
    shop_id = created["id"]
    listed = web.api.get("/api/v1/shops").json()["items"]
    assert [s["name"] for s in listed] == ["main"] and DEFAULT_KEY not in str(listed)
    assert web.api.get(f"/api/v1/shops/{shop_id}").json() == created

    renamed = web.api.patch(
        f"/api/v1/shops/{shop_id}", json={"name": "north", "status": "disabled"}
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["status"]) == ("north", "disabled")
    # A new URL without the key: refused on the key, nothing changed.
    error = assert_error(
        web.api.patch(f"/api/v1/shops/{shop_id}", json={"url": "https://elsewhere.example"}),
        422,
        "needs its Webservice key again",
    )
    assert error["details"][0]["where"] == "body.key"
    assert web.api.get(f"/api/v1/shops/{shop_id}").json()["url"] == presta.url
    with shop.rt.db.read() as session:
        stored = session.get_one(Shop, shop_id)
        assert DEFAULT_KEY not in stored.key_enc
        actions = [a.action for a in session.scalars(select(Action).order_by(Action.id))]
    assert actions[-2:] == ["shop_add", "shop_change"]

    deleted = web.api.delete(f"/api/v1/shops/{shop_id}")
    assert deleted.status_code == 200 and deleted.json()["name"] == "north"
    assert_error(web.api.get(f"/api/v1/shops/{shop_id}"), 404, "does not exist")
    assert_error(web.api.delete(f"/api/v1/shops/{shop_id}"), 404)


def test_api_refuses_a_bad_url_a_bad_key_and_a_taken_name_on_their_field(web, shop, presta):
    bad_url = {"name": "x", "url": "https://user:pw@shop.example", "key": DEFAULT_KEY}
    error = assert_error(web.api.post("/api/v1/shops", json=bad_url), 422, "address only")
    assert error["details"] == [{"where": "body.url", "problem": error["message"]}]
    bad_key = {"name": "x", "url": presta.url, "key": "short"}
    error = assert_error(web.api.post("/api/v1/shops", json=bad_key), 422)
    assert error["details"][0]["where"] == "body.key" and "32 letters" in error["message"]
    assert "short" not in str(error)
    unknown = {"name": "x", "url": presta.url, "key": DEFAULT_KEY, "kind": "magento"}
    assert_error(web.api.post("/api/v1/shops", json=unknown), 422)
    add(web, presta.url)
    twice = {"name": "main", "url": presta.url, "key": DEFAULT_KEY}
    assert_error(web.api.post("/api/v1/shops", json=twice), 409, "exists already")
    other = add(web, presta.url, name="other")
    assert_error(web.api.patch(f"/api/v1/shops/{other['id']}", json={"name": "main"}), 409)
    assert shop_count(shop) == 2


def test_api_connection_test_sums_up_the_answer_in_our_words(web, shop, presta):
    good = add(web, presta.url)
    answer = web.api.post(f"/api/v1/shops/{good['id']}/test")
    assert answer.status_code == 200 and answer.json() == {
        "ok": True,
        "message": "the shop's Webservice accepts the key and lists its products",
    }
    wrong = add(web, presta.url, name="wrong", key=WRONG_KEY)
    answer = web.api.post(f"/api/v1/shops/{wrong['id']}/test").json()
    assert answer["ok"] is False and "refused the Webservice key" in answer["message"]
    assert WRONG_KEY not in answer["message"] and "<" not in answer["message"]
    assert_error(web.api.post("/api/v1/shops/999/test"), 404)


def test_api_links_an_account_and_syncs_the_catalog(web, shop, presta):
    shop_id = add(web, presta.url)["id"]
    assert_error(web.api.post(f"/api/v1/shops/{shop_id}/sync"), 409, "no active account")
    linked = web.api.put(f"/api/v1/accounts/{shop.account_id}/shop", json={"shop": shop_id})
    assert linked.status_code == 200 and linked.json()["shop_id"] == shop_id
    assert web.api.get(f"/api/v1/shops/{shop_id}").json()["accounts"] == [
        {"id": shop.account_id, "name": "us"}
    ]
    answer = web.api.post(f"/api/v1/shops/{shop_id}/sync", json={"full": True})
    assert answer.status_code == 201, answer.text
    job = answer.json()
    assert (job["type"], job["account"], job["status"]) == ("shop_catalog_sync", "us", "reserved")
    assert_error(web.api.post(f"/api/v1/shops/{shop_id}/sync"), 409, "syncing this shop")
    shop.run_worker()
    with shop.rt.db.read() as session:
        assert session.get_one(Job, job["id"]).status == "done"
        synced = session.scalar(
            select(func.count()).select_from(Product).where(Product.shop_id == shop_id)
        )
    assert synced and synced >= 6
    seen = web.api.get(f"/api/v1/shops/{shop_id}").json()
    assert seen["catalog_full_at"] is not None and seen["catalog_synced_until"] is not None

    nowhere = web.api.put(f"/api/v1/accounts/{shop.account_id}/shop", json={"shop": 999})
    assert assert_error(nowhere, 422, "no shop 999")["details"][0]["where"] == "body.shop"
    manual = web.api.put(f"/api/v1/accounts/{shop.account_id}/shop", json={"shop": None})
    assert manual.status_code == 200 and manual.json()["shop_id"] is None
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).shop_id is None


def test_api_settings_are_checked_key_by_key(web, shop, presta):
    shop_id = add(web, presta.url)["id"]
    url = f"/api/v1/shops/{shop_id}/settings"
    defaults = web.api.get(url).json()
    assert defaults["payment_module"] == "ps_wirepayment" and defaults["stored"] == []
    assert defaults["shipped_states"] is None and defaults["carrier_id"] is None
    changed = web.api.patch(
        url,
        json={
            "payment_label": "Amazon US",
            "shipped_states": ["PS_OS_SHIPPING", "5"],
            "carriers": {"2": {"code": "UPS", "name": "UPS Ground"}},
            "countries": {"fr": 8},
            "shipments_every_s": 600,
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["shipped_states"] == ["PS_OS_SHIPPING", "5"]
    assert body["carriers"] == {"2": {"code": "UPS", "name": "UPS Ground"}}
    assert body["countries"] == {"FR": 8} and body["shipments_every_s"] == 600
    assert body["stored"] == sorted(
        ["payment_label", "shipped_states", "carriers", "countries", "shipments_every_s"]
    )
    error = assert_error(
        web.api.patch(
            url,
            json={
                "payment_module": "no spaces allowed",
                "new_order_state": "SHIPPED",
                "shipping_cost": 5,
            },
        ),
        422,
        "payment_module",
    )
    assert {d["where"] for d in error["details"]} == {"body.payment_module", "body.new_order_state"}
    assert web.api.get(url).json()["shipping_cost"] == 0  # all or nothing
    assert_error(web.api.patch(url, json={"shipments_every_s": 10**9}), 422)
    assert_error(web.api.patch(url, json={"colour": "red"}), 422)
    reset = web.api.patch(url, json={"payment_label": None}).json()
    assert reset["payment_label"] == "Amazon" and "payment_label" not in reset["stored"]
    assert_error(web.api.get("/api/v1/shops/999/settings"), 404)


# Pages --------------------------------------------------------------------------------


def form(web: Web, **fields: str) -> dict[str, str]:
    return {"csrf_token": web.csrf, **fields}


def test_pages_add_a_shop_showing_each_problem_next_to_its_field(web, shop, presta):
    browser = web.browser
    page = browser.get("/shops")
    assert page.status_code == 200 and "No shop yet." in page.text
    assert 'href="/shops"' in browser.get("/").text  # in the navigation
    refused = browser.post("/shops", data=form(web, name="", url="ftp://x", key="short"))
    assert refused.status_code == 422
    for field in ("name", "url", "key"):
        assert f'data-field="{field}"' in refused.text, field
    assert "short" not in refused.text
    added = browser.post("/shops", data=form(web, name="main", url=presta.url, key=DEFAULT_KEY))
    assert added.status_code == 303 and added.headers["location"] == "/shops"
    listing = browser.get("/shops").text
    assert "main" in listing and presta.url in listing and DEFAULT_KEY not in listing
    assert "Shop main added" in listing
    taken = browser.post("/shops", data=form(web, name="main", url=presta.url, key=DEFAULT_KEY))
    assert taken.status_code == 422 and 'data-field="name"' in taken.text
    assert shop_count(shop) == 1


def test_pages_edit_keeps_the_key_unless_the_url_changes(web, shop, presta):
    shop_id = add(web, presta.url)["id"]
    browser = web.browser
    edit = browser.get(f"/shops/{shop_id}/edit")
    assert edit.status_code == 200 and "leave empty to keep" in edit.text
    assert DEFAULT_KEY not in edit.text
    saved = browser.post(
        f"/shops/{shop_id}", data=form(web, name="north", url=presta.url, status="active")
    )
    assert saved.status_code == 303
    moved = browser.post(
        f"/shops/{shop_id}",
        data=form(web, name="north", url="https://elsewhere.example", status="active"),
    )
    assert moved.status_code == 422 and 'data-field="key"' in moved.text
    assert "needs its Webservice key again" in moved.text
    with shop.rt.db.read() as session:
        assert session.get_one(Shop, shop_id).url == presta.url
    assert browser.get("/shops/999/edit").status_code == 404


def test_pages_test_link_sync_and_delete(web, shop, presta):
    shop_id = add(web, presta.url)["id"]
    browser = web.browser
    tested = browser.post(f"/shops/{shop_id}/test", data=form(web), headers={"HX-Request": "true"})
    assert tested.status_code == 200 and "probe-ok" in tested.text
    assert f'id="probe-shop-{shop_id}"' in tested.text
    accounts = browser.get("/accounts").text
    assert (
        "manual (CSV/API)" in accounts and f'action="/accounts/{shop.account_id}/shop"' in accounts
    )
    linked = browser.post(f"/accounts/{shop.account_id}/shop", data=form(web, shop=str(shop_id)))
    assert linked.status_code == 303
    assert "Account us linked to shop main" in browser.get("/accounts").text
    assert (
        browser.post(f"/accounts/{shop.account_id}/shop", data=form(web, shop="abc")).status_code
        == 303
    )
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).shop_id == shop_id
    synced = browser.post(f"/shops/{shop_id}/sync", data=form(web, full="1"))
    assert synced.status_code == 303 and synced.headers["location"] == "/"
    jobs = browser.get("/").text
    assert "a full catalog pass of the shop" in jobs and "Shop Catalog Sync" in jobs
    again = browser.post(f"/shops/{shop_id}/sync", data=form(web))
    assert again.headers["location"] == "/shops"
    assert "syncing this shop" in browser.get("/shops").text
    shop.run_worker()
    assert "us" in browser.get("/shops").text.split(f'id="shop-{shop_id}"', 1)[1]
    confirm = browser.get(f"/shops/{shop_id}/delete")
    assert confirm.status_code == 200 and "use the manual shop" in confirm.text
    deleted = browser.post(f"/shops/{shop_id}/delete", data=form(web))
    assert deleted.status_code == 303
    assert "Shop main deleted" in browser.get("/shops").text
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).shop_id is None
        assert session.scalar(select(func.count()).select_from(Product)) > 12  # products stay


def test_pages_settings_form_saves_what_changed_and_names_each_wrong_field(web, shop, presta):
    shop_id = add(web, presta.url)["id"]
    browser = web.browser
    page = browser.get(f"/shops/{shop_id}/settings")
    assert page.status_code == 200 and 'value="ps_wirepayment"' in page.text
    fields = {
        "payment_module": "ps_wirepayment",
        "payment_label": "Amazon EU",
        "new_order_state": "PS_OS_PAYMENT",
        "shipped_states": "PS_OS_SHIPPING, 5",
        "canceled_state": "PS_OS_CANCELED",
        "carrier_id": "",
        "shipping_cost": "0",
        "carriers": "2 = UPS | UPS Ground\n3 = DHL",
        "countries": "FR = 8",
        "currency_id": "",
        "language_id": "",
        "shipments_every_s": "300",
    }
    saved = browser.post(f"/shops/{shop_id}/settings", data=form(web, **fields))
    assert saved.status_code == 303, saved.text
    with shop.rt.db.read() as session:
        stored = session.get_one(Shop, shop_id).settings
    assert stored == {
        "payment_label": "Amazon EU",
        "shipped_states": ["PS_OS_SHIPPING", "5"],
        "carriers": {"2": {"code": "UPS", "name": "UPS Ground"}, "3": {"code": "DHL"}},
        "countries": {"FR": 8},
    }
    wrong = {
        **fields,
        "shipping_cost": "twenty",
        "carrier_id": "x",
        "carriers": "UPS",
        "new_order_state": "?",
    }
    refused = browser.post(f"/shops/{shop_id}/settings", data=form(web, **wrong))
    assert refused.status_code == 422
    for field in ("shipping_cost", "carrier_id", "carriers", "new_order_state"):
        assert f'data-field="{field}"' in refused.text, field
    assert 'data-field="payment_label"' not in refused.text
    with shop.rt.db.read() as session:
        assert session.get_one(Shop, shop_id).settings == stored
    cleared = browser.post(
        f"/shops/{shop_id}/settings", data=form(web, **{**fields, "payment_label": ""})
    )
    assert cleared.status_code == 303
    with shop.rt.db.read() as session:
        assert "payment_label" not in session.get_one(Shop, shop_id).settings
    assert browser.get("/shops/999/settings").status_code == 404
