"""The push path of a shop without a connector, over real HTTP: the order cursor,
acknowledgements, and quantity/price changes that automatic sync sends."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.scheduler.sync import create_sync_jobs
from amazon_jobs.store.account_status import delete_account
from amazon_jobs.store.models import Account, Action, JobItem, Order, Product, Shop
from tests.conftest import SECRET_KEY
from tests.integration.api_helpers import assert_error, create_jobs
from tests.integration.conftest import sku
from tests.integration.test_api_orders import imported

pytestmark = pytest.mark.timeout(120)


def cursor_page(web, after: int, limit: int = 50) -> dict:
    answer = web.api.get(
        "/api/v1/orders", params={"account": "us", "after_cursor": after, "limit": limit}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_cursor_pages_new_orders_with_their_items_then_only_what_changed(shop, web):
    ids = imported(shop, web, 3)
    first = cursor_page(web, 0, limit=2)
    rest = cursor_page(web, first["next_cursor"], limit=2)
    listed = first["items"] + rest["items"]
    assert [o["amazon_order_id"] for o in listed] == ids  # imported oldest first
    assert [o["cursor"] for o in listed] == sorted(o["cursor"] for o in listed)
    assert first["next_cursor"] == listed[1]["cursor"] and first["next_before_id"] is None
    assert rest["next_cursor"] == listed[-1]["cursor"]
    line = listed[0]["order_items"][0]
    assert line["sku"] == sku(0) and line["quantity_ordered"] == 1
    assert not listed[0]["in_shop"] and listed[0]["in_shop_at"] is None
    caught_up = cursor_page(web, rest["next_cursor"])
    assert caught_up["items"] == [] and caught_up["next_cursor"] == rest["next_cursor"]

    shop.sim.orders.cancel_order(ids[1])  # the buyer cancels on Amazon
    shop.clock.advance(600)
    create_jobs(web, type="orders_import")
    shop.run_worker()
    changed = cursor_page(web, rest["next_cursor"])
    assert [o["amazon_order_id"] for o in changed["items"]] == [ids[1]]
    assert changed["items"][0]["status"] != "UNSHIPPED"
    assert changed["items"][0]["cursor"] > rest["next_cursor"]

    recent = web.api.get("/api/v1/orders", params={"account": "us"}).json()  # unchanged paging
    assert recent["next_cursor"] is None and recent["items"][0]["order_items"] is None
    bad = {"account": "us", "after_cursor": 0}
    assert_error(web.api.get("/api/v1/orders", params={**bad, "status": "UNSHIPPED"}), 422)
    assert_error(web.api.get("/api/v1/orders", params={**bad, "before_id": 5}), 422)
    assert_error(web.api.get("/api/v1/orders", params={**bad, "after_cursor": -1}), 422)
    assert_error(web.api.get("/api/v1/orders", params={"after_cursor": 0}), 422, "account")


def test_acknowledging_marks_the_order_in_the_shop_once(shop, web):
    ids = imported(shop, web, 2)
    orders = cursor_page(web, 0)["items"]
    url = f"/api/v1/orders/{orders[0]['id']}/acknowledge"
    answer = web.api.post(url, json={"shop_order_ref": "PS-1001", "reason": "created in shop"})
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert done["changed"] is True and done["order"]["in_shop"] is True
    assert done["order"]["shop_order_ref"] == "PS-1001" and done["order"]["in_shop_at"]
    again = web.api.post(url).json()  # no body at all
    assert again["changed"] is False and "already" in again["message"]
    assert again["order"]["in_shop_at"] == done["order"]["in_shop_at"]
    assert web.api.post(url, json={"shop_order_ref": "PS-1001"}).json()["changed"] is False
    assert_error(web.api.post(url, json={"shop_order_ref": "PS-9"}), 409, "'PS-1001'")

    by_amazon_id = web.api.post(f"/api/v1/orders/{ids[1]}/acknowledge", params={"account": "us"})
    assert by_amazon_id.status_code == 200 and by_amazon_id.json()["changed"] is True
    assert by_amazon_id.json()["order"]["shop_order_ref"] is None
    listed = cursor_page(web, 0)["items"]  # acknowledging does not move the cursor
    assert [o["cursor"] for o in listed] == [o["cursor"] for o in orders]
    assert all(o["in_shop"] for o in listed)
    page = web.browser.get(f"/orders/{orders[0]['id']}").text
    assert "in shop</span> since" in page and "PS-1001" in page

    with shop.rt.db.read() as session:
        actions = session.scalars(select(Action).where(Action.action == "acknowledge")).all()
    assert len(actions) == 2  # the repeated acknowledgements are not recorded
    assert {a.actor for a in actions} == {"seller"}
    assert any(a.reason == "created in shop" and "PS-1001" in a.detail for a in actions)


def test_acknowledge_errors_are_json_and_change_nothing(shop, web):
    (order_id,) = imported(shop, web, 1)
    ack = "/api/v1/orders/{}/acknowledge"
    assert_error(web.api.post(ack.format(987654)), 404, "987654")
    assert_error(web.api.post(ack.format("NOPE-1"), params={"account": "us"}), 404, "NOPE-1")
    assert_error(web.api.post(ack.format(order_id)), 404, "needs its account")
    assert_error(web.api.post(ack.format(order_id), params={"account": "x"}), 422, "'x'")
    assert_error(web.api.post(ack.format(9 * 10**30)), 422)  # longer than an order id
    too_long = {"shop_order_ref": "R" * 65}
    assert_error(web.api.post(ack.format(order_id), params={"account": "us"}, json=too_long), 422)
    assert_error(
        web.api.post(ack.format(order_id), params={"account": "us"}, json={"extra": 1}), 422
    )

    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        shop_row = Shop(
            name="presta",
            kind="prestashop",
            url="http://shop",
            key_enc="x",
            settings={},
            created_at=now,
            updated_at=now,
        )
        session.add(shop_row)
        session.flush()
        session.get_one(Account, shop.account_id).shop_id = shop_row.id
    connected = web.api.post(ack.format(order_id), params={"account": "us"})
    assert_error(connected, 409, "without a connector")

    with shop.rt.db.transaction() as session:
        account = session.get_one(Account, shop.account_id)
        account.shop_id = None
        delete_account(session, account, now, "closing")
        internal_id = session.scalars(select(Order.id)).one()
    assert_error(web.api.post(ack.format(internal_id)), 409, "deleted account")
    with shop.rt.db.read() as session:
        assert session.get_one(Order, internal_id).in_shop_at is None


def test_orders_ack_command(shop, web, tmp_path, monkeypatch):
    from amazon_jobs.cli.main import app as cli_app

    (order_id,) = imported(shop, web, 1)
    env = {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": shop.rt.settings.database_url,
        "AMAZON_JOBS_SECRET_KEY": SECRET_KEY,
        "COLUMNS": "200",
    }
    run = CliRunner().invoke
    done = run(cli_app, ["orders", "ack", order_id, "--account", "us", "--shop-ref", "7"], env=env)
    assert done.exit_code == 0, done.output
    assert f"Order {order_id} is in the shop" in done.output
    again = run(cli_app, ["orders", "ack", order_id, "--account", "us"], env=env)
    assert again.exit_code == 0 and "nothing changed" in again.output
    missing = run(cli_app, ["orders", "ack", "123456789"], env=env)
    assert missing.exit_code != 0 and "no imported order '123456789'" in missing.output
    assert "Traceback" not in missing.output
    with shop.rt.db.read() as session:
        assert session.scalars(select(Order.shop_order_ref)).one() == "7"
        actor = session.scalars(select(Action.actor).where(Action.action == "acknowledge")).one()
    assert actor.startswith("cli")


def test_quantity_and_price_changes_are_applied_row_by_row_and_synced(shop, web):
    body = {
        "products": [
            {"sku": sku(1), "quantity": 3},
            {"sku": sku(2), "price": "12.50"},
            {"sku": sku(4), "quantity": 0, "price": 8},
            {"sku": sku(5), "quantity": 15},  # its quantity already
            {"sku": "NOPE", "quantity": 1},
            {"sku": sku(6), "quantity": -1},
            {"sku": sku(7), "price": "1.999"},
            {"sku": sku(8)},
            {"sku": sku(1), "quantity": 4},
        ]
    }
    answer = web.api.patch("/api/v1/products", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["updated"], result["unchanged"]) == (3, 1)
    assert [(e["index"], e["message"].split(":")[0]) for e in result["errors"]] == [
        (4, "no product has SKU 'NOPE'"),
        (5, "quantity -1 is negative"),
        (6, "price 1.999 has more than two decimals"),
        (7, "SKU 'SKU-008'"),
        (8, "SKU 'SKU-001' appears already in row 0"),
    ]
    with shop.rt.db.read() as session:
        rows = session.execute(select(Product.sku, Product.quantity, Product.price)).all()
    values = {row.sku: row.quantity for row in rows}
    prices = {row.sku: row.price for row in rows}
    assert values[sku(1)] == 3 and values[sku(4)] == 0 and values[sku(6)] == 16
    assert str(prices[sku(2)]) == "12.50" and str(prices[sku(4)]) == "8.00"
    assert str(prices[sku(7)]) == "9.99"

    jobs = create_sync_jobs(shop.rt, shop.account_id)
    with shop.rt.db.read() as session:
        refs = set(session.scalars(select(JobItem.ref).where(JobItem.job_id.in_(jobs))))
    assert {sku(1), sku(2), sku(4)} <= refs and sku(5) not in refs

    one = web.api.patch(f"/api/v1/products/{sku(9)}", json={"quantity": 7})
    assert one.status_code == 200, one.text
    assert one.json()["quantity"] == 7 and one.json()["sku"] == sku(9)
    assert_error(web.api.patch("/api/v1/products/NOPE", json={"quantity": 1}), 404, "NOPE")
    assert_error(web.api.patch(f"/api/v1/products/{sku(9)}", json={}), 422, "give a quantity")
    assert_error(web.api.patch(f"/api/v1/products/{sku(9)}", json={"price": 0}), 422, "price")
    assert_error(web.api.patch(f"/api/v1/products/{sku(9)}", json={"title": "x"}), 422)
    nothing = web.api.patch("/api/v1/products", json={"products": [{"sku": "NOPE", "price": 1}]})
    assert_error(nothing, 422, "no row was applied").get("details")
    assert_error(web.api.patch("/api/v1/products", json={"products": []}), 422)

    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        shop_row = Shop(
            name="presta",
            kind="prestashop",
            url="http://shop",
            key_enc="x",
            settings={},
            created_at=now,
            updated_at=now,
        )
        session.add(shop_row)
        session.flush()
        session.scalars(select(Product).where(Product.sku == sku(10))).one().shop_id = shop_row.id
    synced = web.api.patch(f"/api/v1/products/{sku(10)}", json={"quantity": 1})
    assert_error(synced, 409, "comes from the shop 'presta'")
