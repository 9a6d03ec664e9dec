"""The REST API over real HTTP: accounts, products, listings, inventory and quota."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from amazon_jobs.store.models import Account, Product
from tests.integration.api_helpers import assert_error, create_jobs
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)

NEW_ACCOUNT = {
    "name": "eu",
    "seller_id": "A2EUSELLER",
    "region": "eu",
    "marketplace_id": "A1PA6795UKMFR9",
    "lwa_client_id": "amzn1.application-oa2-client.eu",
    "lwa_client_secret": "very-secret-client-value",
    "refresh_token": "Atzr|very-secret-refresh-value",
}
SECRETS = ("very-secret-client-value", "very-secret-refresh-value", "rotated-secret-value")


def assert_no_secret(text, shop):
    for secret in (*SECRETS, shop.sim.config.client_secret, shop.sim.config.refresh_token):
        assert secret not in text


# --- accounts -------------------------------------------------------------------------


def test_accounts_are_created_read_and_listed_without_secrets(shop, web):
    listed = web.api.get("/api/v1/accounts")
    assert [a["name"] for a in listed.json()["items"]] == ["us"]
    assert_no_secret(listed.text, shop)

    created = web.api.post("/api/v1/accounts", json=NEW_ACCOUNT)
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["name"] == "eu" and account["region"] == "eu"
    assert account["endpoint"] == "https://sellingpartnerapi-eu.amazon.com"
    assert account["orders_api"] == "2026-01-01"
    assert not {key for key in account if "secret" in key or key == "refresh_token"}
    read = web.api.get(f"/api/v1/accounts/{account['id']}")
    assert read.json() == account
    everything = web.api.get("/api/v1/accounts").text
    assert_no_secret(created.text + read.text + everything, shop)
    with shop.rt.db.read() as session:
        stored = session.get_one(Account, account["id"])
    assert "very-secret" not in stored.lwa_client_secret_enc + stored.refresh_token_enc
    assert (
        shop.rt.credentials(stored).client_secret.get_secret_value()
        == NEW_ACCOUNT["lwa_client_secret"]
    )

    assert_error(web.api.post("/api/v1/accounts", json=NEW_ACCOUNT), 409, "exists already")
    assert_error(web.api.get("/api/v1/accounts/999999"), 404, "account 999999 does not exist")
    assert_error(web.api.get("/api/v1/accounts/0"), 422, "account_id")


BAD_ACCOUNTS = [
    ({"region": "mars"}, "region"),
    ({"orders_api": "v1"}, "orders_api"),
    ({"endpoint": "ftp://example.com"}, "endpoint"),
    ({"lwa_token_url": "not a url"}, "lwa_token_url"),
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "a\x00b"}, "name"),
    ({"seller_id": 42}, "seller_id"),
    ({"lwa_client_secret": ""}, "lwa_client_secret"),
    ({"lwa_client_secret_enc": "x"}, "lwa_client_secret_enc"),
]


def test_account_creation_rejects_bad_input(shop, web):
    for change, says in BAD_ACCOUNTS:
        assert_error(web.api.post("/api/v1/accounts", json=NEW_ACCOUNT | change), 422, says)
    missing = {k: v for k, v in NEW_ACCOUNT.items() if k != "refresh_token"}
    assert_error(web.api.post("/api/v1/accounts", json=missing), 422, "refresh_token")
    answer = web.api.post("/api/v1/accounts", json=NEW_ACCOUNT | {"region": "mars"})
    assert_no_secret(answer.text, shop)  # not even echoed back in a validation error
    assert len(web.api.get("/api/v1/accounts").json()["items"]) == 1


def test_account_update_changes_only_what_is_sent(shop, web):
    eu = web.api.post("/api/v1/accounts", json=NEW_ACCOUNT).json()
    url = f"/api/v1/accounts/{eu['id']}"
    answer = web.api.patch(
        url,
        json={
            "name": "eu-de",
            "orders_api": "v0",
            "endpoint": "https://example.test/spapi/",
            "marketplace_id": "A13V1IB3VIYZZH",
            # a new endpoint needs both secrets again (tests/integration/test_account_endpoints.py)
            "lwa_client_secret": NEW_ACCOUNT["lwa_client_secret"],
            "refresh_token": NEW_ACCOUNT["refresh_token"],
        },
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed["name"] == "eu-de" and changed["orders_api"] == "v0"
    assert changed["endpoint"] == "https://example.test/spapi"
    assert changed["seller_id"] == eu["seller_id"] and changed["marketplace_id"] == "A13V1IB3VIYZZH"

    rotated = web.api.patch(url, json={"lwa_client_secret": "rotated-secret-value"})
    assert rotated.status_code == 200 and rotated.json()["name"] == "eu-de"
    assert_no_secret(answer.text + rotated.text, shop)
    with shop.rt.db.read() as session:
        credentials = shop.rt.credentials(session.get_one(Account, eu["id"]))
    assert credentials.client_secret.get_secret_value() == "rotated-secret-value"
    assert credentials.refresh_token.get_secret_value() == NEW_ACCOUNT["refresh_token"]

    assert web.api.patch(url, json={}).json() == rotated.json()
    assert web.api.patch(url, json={"name": "eu-de"}).status_code == 200
    assert_error(web.api.patch(url, json={"name": "us"}), 409, "exists already")
    assert_error(web.api.patch(url, json={"seller_id": "OTHER"}), 422, "seller_id")
    assert_error(web.api.patch(url, json={"orders_api": "v9"}), 422, "orders_api")
    assert_error(
        web.api.patch(url, content=b"{", headers={"content-type": "application/json"}), 422
    )
    assert_error(web.api.patch("/api/v1/accounts/999999", json={"name": "x"}), 404)


def test_connection_test_reaches_amazon_or_says_why_not(shop, web):
    ok = web.api.post(f"/api/v1/accounts/{shop.account_id}/test")
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"ok": True, "message": "OK: Amazon accepted the credentials"}

    wrong = web.api.post(
        "/api/v1/accounts",
        json=NEW_ACCOUNT
        | {"endpoint": shop.server.url, "lwa_token_url": f"{shop.server.url}/auth/o2/token"},
    ).json()
    refused = web.api.post(f"/api/v1/accounts/{wrong['id']}/test")
    assert refused.status_code == 200
    assert refused.json()["ok"] is False and refused.json()["message"]
    assert_no_secret(refused.text, shop)
    assert_error(web.api.post("/api/v1/accounts/999999/test"), 404)


# --- products -------------------------------------------------------------------------


def test_products_are_searched_and_paged(shop, web):
    def skus(**params):
        answer = web.api.get("/api/v1/products", params=params)
        assert answer.status_code == 200, answer.text
        return [p["sku"] for p in answer.json()["items"]]

    assert skus() == [sku(n) for n in range(11, -1, -1)]
    first = web.api.get("/api/v1/products", params={"limit": 5}).json()
    assert len(first["items"]) == 5 and first["next_before_id"] == first["items"][-1]["id"]
    second = web.api.get(
        "/api/v1/products", params={"limit": 10, "before_id": first["next_before_id"]}
    ).json()
    assert [p["sku"] for p in second["items"]] == [sku(n) for n in range(6, -1, -1)]
    assert second["next_before_id"] is None

    web.api.put(
        "/api/v1/products",
        json={
            "products": [
                {
                    "sku": "EAN-1",
                    "ean": "4006381333931",
                    "title": "Pen 100%",
                    "quantity": 1,
                    "price": 2.5,
                },
            ]
        },
    ).raise_for_status()
    assert skus(q="SKU-01") == [sku(11), sku(10)]
    assert skus(q="product 1") == [sku(11), sku(10), sku(1)]
    assert skus(q="4006381333931") == ["EAN-1"]
    assert skus(q="100%") == ["EAN-1"]
    assert skus(q="%") == ["EAN-1"] and skus(q="_") == []

    product = web.api.get("/api/v1/products/EAN-1").json()
    assert product["price"] == "2.50" and product["ean"] == "4006381333931"
    assert product["quantity"] == 1 and product["title"] == "Pen 100%"
    assert_error(web.api.get("/api/v1/products/NOPE"), 404, "no product has SKU 'NOPE'")
    for params in ({"limit": 0}, {"before_id": 0}, {"q": ""}, {"q": "\x00"}):
        assert_error(web.api.get("/api/v1/products", params=params), 422)


def test_bulk_upsert_stores_the_good_rows_and_reports_the_bad(shop, web):
    rows = [
        {"sku": "NEW-1", "ean": "4006381333931", "title": "New", "quantity": 3, "price": "5"},
        {"sku": sku(0), "title": "Renamed", "quantity": 0, "price": 1.25},
        {"sku": "BAD-QTY", "title": "x", "quantity": -1, "price": "1"},
        {"sku": "BAD-EAN", "ean": "4006381333932", "title": "x", "quantity": 1, "price": "1"},
        {"sku": "NEW-1", "title": "again", "quantity": 1, "price": "1"},
        {"sku": "BAD-PRICE", "title": "x", "quantity": 1, "price": "0"},
        {"sku": "BAD-CENTS", "title": "x", "quantity": 1, "price": "1.234"},
        {"sku": "NO-TITLE", "title": " ", "quantity": 1, "price": "1"},
        {"sku": "S" * 41, "title": "x", "quantity": 1, "price": "1"},
        {"sku": "HUGE", "title": "x", "quantity": 2**31, "price": "1"},
        {"sku": "A/B", "title": "slash", "quantity": 1, "price": "1"},
    ]
    answer = web.api.put("/api/v1/products", json={"products": rows})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["created"], result["updated"]) == (2, 1)
    errors = {e["index"]: e["message"] for e in result["errors"]}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert errors[2] == "quantity -1 is negative"
    assert "not a valid EAN-13" in errors[3]
    assert errors[4] == "SKU 'NEW-1' appears already in row 0"
    assert "greater than 0" in errors[5] and "two decimals" in errors[6]
    assert errors[7] == "title is empty" and "longer than 40" in errors[8]
    assert "too large" in errors[9]
    assert web.api.get(f"/api/v1/products/{sku(0)}").json()["title"] == "Renamed"
    assert web.api.get("/api/v1/products/A/B").json()["title"] == "slash"

    nothing = web.api.put("/api/v1/products", json={"products": rows[2:4]})
    error = assert_error(nothing, 422, "no row was stored")
    assert error["details"] == [
        {"index": 0, "message": "quantity -1 is negative"},
        {"index": 1, "message": errors[3]},
    ]


def test_bulk_upsert_takes_10000_rows_and_refuses_more(shop, web):
    rows = [
        {"sku": f"BULK-{n:05d}", "title": f"Bulk {n}", "quantity": n % 7, "price": "1.99"}
        for n in range(10_001)
    ]
    assert_error(web.api.put("/api/v1/products", json={"products": rows}), 422, "10000")
    answer = web.api.put("/api/v1/products", json={"products": rows[:10_000]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"created": 10_000, "updated": 0, "errors": []}
    again = web.api.put("/api/v1/products", json={"products": rows[:10_000]})
    assert again.json() == {"created": 0, "updated": 10_000, "errors": []}
    with shop.rt.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == 10_012


BAD_UPSERTS = [
    {"products": []},
    {"products": "SKU-1"},
    {"products": [{"sku": "A", "title": "a", "quantity": "many", "price": "1"}]},
    {"products": [{"sku": "A", "title": "a", "quantity": 1, "price": "cheap"}]},
    {"products": [{"sku": "A", "title": "a", "quantity": 1.5, "price": "1"}]},
    {"products": [{"sku": "A", "title": "a", "quantity": 1}]},
    {"products": [{"sku": "A", "title": "a", "quantity": 1, "price": "1", "color": "red"}]},
    {"products": [{"sku": "A\x00", "title": "a", "quantity": 1, "price": "1"}]},
    {"rows": []},
    [],
]


def test_bulk_upsert_rejects_malformed_requests(shop, web):
    for body in BAD_UPSERTS:
        assert_error(web.api.put("/api/v1/products", json=body), 422)
    answer = web.api.put(
        "/api/v1/products", content=b'{"products": [', headers={"content-type": "application/json"}
    )
    assert_error(answer, 422, "JSON")
    assert len(web.api.get("/api/v1/products").json()["items"]) == 12


# --- listings -------------------------------------------------------------------------


def test_listings_are_filtered_searched_and_paged(shop, web):
    def listed(**params):
        answer = web.api.get("/api/v1/listings", params={"account": "us", **params})
        assert answer.status_code == 200, answer.text
        return answer.json()

    every = listed()["items"]
    assert [item["sku"] for item in every] == [sku(n) for n in range(11, -1, -1)]
    first = every[-1]
    assert first["state"] == "active" and first["asin"] == "B0TEST0000"
    assert first["shop_quantity"] == first["confirmed_quantity"] == 10
    assert first["shop_price"] == first["confirmed_price"] == "9.99"
    assert len(listed(account=shop.account_id, state="active")["items"]) == 12
    assert listed(state="not_listed")["items"] == []
    assert [i["sku"] for i in listed(q="B0TEST0005")["items"]] == [sku(5)]
    assert [i["sku"] for i in listed(q="b0test0005")["items"]] == [sku(5)]
    assert len(listed(q="SKU-00")["items"]) == 10
    page = listed(limit=5)
    assert len(page["items"]) == 5 and page["next_before_id"] == page["items"][-1]["id"]
    rest = listed(before_id=page["next_before_id"])
    assert len(rest["items"]) == 7 and rest["next_before_id"] is None

    (job,) = create_jobs(web, type="stop", skus=[sku(2)])
    held = listed(q=sku(2))["items"][0]
    assert held["locked_by_job_id"] == job["id"]

    assert_error(web.api.get("/api/v1/listings"), 422, "account")
    assert_error(web.api.get("/api/v1/listings", params={"account": "nope"}), 422, "nope")
    assert_error(web.api.get("/api/v1/listings", params={"account": "us", "state": "on"}), 422)


def test_products_are_added_to_the_selling_list(shop, web):
    web.api.put(
        "/api/v1/products",
        json={"products": [{"sku": "NEW-1", "title": "New", "quantity": 1, "price": "3"}]},
    ).raise_for_status()
    answer = web.api.post("/api/v1/listings", json={"account": "us", "skus": ["NEW-1", "NOPE"]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "added": 1,
        "skipped": [{"sku": "NOPE", "reason": "no product has this SKU"}],
    }
    listing = web.api.get(
        "/api/v1/listings", params={"account": "us", "state": "not_listed"}
    ).json()["items"]
    assert [item["sku"] for item in listing] == ["NEW-1"] and listing[0]["asin"] is None
    again = web.api.post("/api/v1/listings", json={"account": shop.account_id, "skus": ["NEW-1"]})
    assert again.json()["skipped"] == [
        {"sku": "NEW-1", "reason": "already on the list (not_listed)"}
    ]
    assert web.api.post("/api/v1/listings", json={"account": "us", "all": True}).json() == {
        "added": 0,
        "skipped": [],
    }
    for body, says in [
        ({"account": "us"}, "either skus or all"),
        ({"account": "us", "all": True, "skus": ["A"]}, "either skus or all"),
        ({"account": "nope", "all": True}, "no account 'nope'"),
        ({"account": "us", "skus": ["x" * 41]}, "skus"),
        ({"all": True}, "account"),
    ]:
        assert_error(web.api.post("/api/v1/listings", json=body), 422, says)


# --- inventory ------------------------------------------------------------------------


def test_inventory_shows_the_last_report(shop, web):
    empty = web.api.get("/api/v1/inventory", params={"account": "us"}).json()
    assert empty == {
        "account_id": shop.account_id,
        "snapshot_id": None,
        "items": [],
        "next_after_id": None,
    }
    shop.sim.seed_listings(
        [{"sku": "ONLY-ON-AMAZON", "asin": "B0ONLYAMZN", "quantity": 0, "price": "4.20"}]
    )
    (job,) = create_jobs(web, type="inventory_report")
    shop.run_worker()
    report = web.api.get("/api/v1/inventory", params={"account": "us", "limit": 1000}).json()
    assert report["snapshot_id"] == job["id"] and len(report["items"]) == 12
    by_sku = {row["sku"]: row for row in report["items"]}
    assert by_sku[sku(1)]["product_id"] and by_sku[sku(1)]["asin"] == "B0TEST0001"
    assert by_sku[sku(1)]["price"] == "9.99" and by_sku[sku(1)]["quantity"] == 11
    unmatched = web.api.get("/api/v1/inventory", params={"account": "us", "unmatched": True})
    assert [row["sku"] for row in unmatched.json()["items"]] == ["ONLY-ON-AMAZON"]
    page = web.api.get("/api/v1/inventory", params={"account": "us", "limit": 5}).json()
    rest = web.api.get(
        "/api/v1/inventory", params={"account": "us", "after_id": page["next_after_id"]}
    ).json()
    assert [r["id"] for r in page["items"] + rest["items"]] == [r["id"] for r in report["items"]]
    assert rest["next_after_id"] is None

    assert_error(web.api.get("/api/v1/inventory"), 422, "account")
    assert_error(web.api.get("/api/v1/inventory", params={"account": "nope"}), 422, "nope")
    bad = {"account": "us", "unmatched": "perhaps"}
    assert_error(web.api.get("/api/v1/inventory", params=bad), 422, "unmatched")


# --- quota ----------------------------------------------------------------------------


def test_quota_shows_every_bucket_used(shop, web):
    assert web.api.get("/api/v1/quota", params={"account": "us"}).json() == {
        "account_id": shop.account_id,
        "account": "us",
        "buckets": [],
    }
    create_jobs(web, type="update_qty", skus=[sku(1)])
    shop.run_worker()
    quota = web.api.get("/api/v1/quota", params={"account": shop.account_id}).json()
    buckets = {b["operation"]: b for b in quota["buckets"]}
    assert {"createFeed", "createFeedDocument", "getFeed"} <= set(buckets)
    feed = buckets["createFeed"]
    assert feed["granted"] == 1 and feed["throttled"] == 0
    assert feed["burst"] >= 1 and feed["rate"] > 0 and feed["tokens"] <= feed["burst"]
    assert feed["next_token_at"].endswith("Z")
    assert_error(web.api.get("/api/v1/quota"), 422, "account")
    assert_error(web.api.get("/api/v1/quota", params={"account": "nope"}), 422, "nope")
