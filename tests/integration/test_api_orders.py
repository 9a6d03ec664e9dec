"""The REST API over real HTTP: orders and their shipments, and /metrics."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from amazon_jobs.domain.limits import Operation
from tests.integration.api_helpers import assert_error, create_jobs
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def imported(shop, web, count):
    """*count* orders of two lines placed on the simulator, imported through the API.
    (The ``web`` shop's SKU-003 is unknown to the simulated seller: no order has it.)"""
    base = shop.clock.now() - timedelta(minutes=60)
    ids = [
        shop.sim.orders.add_order(
            [{"sku": sku(n % 3), "quantity": 1}, {"sku": sku(4 + n % 3)}],
            purchased_at=base + timedelta(seconds=30 * n),
        ).order_id
        for n in range(count)
    ]
    create_jobs(web, type="orders_import")
    shop.run_worker()
    return ids


def test_orders_are_listed_and_read_with_items_and_packages(shop, web):
    ids = imported(shop, web, 3)
    listed = web.api.get("/api/v1/orders", params={"account": "us"})
    assert listed.status_code == 200, listed.text
    orders = listed.json()["items"]
    assert {o["amazon_order_id"] for o in orders} == set(ids)
    assert [o["id"] for o in orders] == sorted((o["id"] for o in orders), reverse=True)
    assert all(o["status"] == "UNSHIPPED" for o in orders)
    page = web.api.get("/api/v1/orders", params={"account": "us", "limit": 2}).json()
    rest = web.api.get(
        "/api/v1/orders",
        params={"account": shop.account_id, "before_id": page["next_before_id"]},
    ).json()
    assert [o["id"] for o in page["items"] + rest["items"]] == [o["id"] for o in orders]
    assert rest["next_before_id"] is None
    unshipped = web.api.get("/api/v1/orders", params={"account": "us", "status": "unshipped"})
    assert len(unshipped.json()["items"]) == 3
    shipped = web.api.get("/api/v1/orders", params={"account": "us", "status": "SHIPPED"})
    assert shipped.json()["items"] == []

    order = web.api.get(f"/api/v1/orders/{ids[0]}", params={"account": "us"}).json()
    assert order["amazon_order_id"] == ids[0] and order["packages"] == []
    assert [item["sku"] for item in order["items"]] == [sku(0), sku(4)]
    assert order["items"][0]["quantity_ordered"] == 1 and order["items"][0]["product_id"]

    assert_error(web.api.get("/api/v1/orders/NOPE-1", params={"account": "us"}), 404, "NOPE-1")
    assert_error(web.api.get(f"/api/v1/orders/{ids[0]}"), 422, "account")
    assert_error(web.api.get(f"/api/v1/orders/{ids[0]}", params={"account": "x"}), 422, "'x'")
    assert_error(web.api.get("/api/v1/orders"), 422, "account")
    assert_error(web.api.get("/api/v1/orders", params={"account": "us", "limit": -5}), 422)
    assert_error(web.api.get("/api/v1/orders/" + "9" * 31, params={"account": "us"}), 422)


def test_an_order_is_shipped_then_confirmed_by_a_fulfillment_job(shop, web):
    (order_id,) = imported(shop, web, 1)
    lines = web.api.get(f"/api/v1/orders/{order_id}", params={"account": "us"}).json()["items"]
    first, second = (line["order_item_id"] for line in lines)
    answer = web.api.post(
        f"/api/v1/orders/{order_id}/ship",
        json={
            "account": "us",
            "carrier_code": "UPS",
            "tracking_number": "1Z999",
            "ship_date": "2026-11-27T08:30:00+01:00",
            "items": {first: 1},
        },
    )
    assert answer.status_code == 201, answer.text
    package = answer.json()
    assert package["package_reference_id"] == 1 and package["state"] == "due"
    assert package["ship_date"] == "2026-11-27T07:30:00Z"
    assert package["items"] == [{"order_item_id": first, "quantity": 1}]

    rest = web.api.post(
        f"/api/v1/orders/{order_id}/ship",
        json={"account": shop.account_id, "carrier_code": "DHL", "tracking_number": "JD0002"},
    )
    assert rest.status_code == 201, rest.text
    assert rest.json()["items"] == [{"order_item_id": second, "quantity": 1}]
    assert rest.json()["ship_date"] == "2026-11-27T09:00:00Z"

    (job,) = create_jobs(web, type="orders_fulfillment", orders=[order_id])
    assert job["items_total"] == 2
    shop.run_worker()
    detail = web.api.get(f"/api/v1/orders/{order_id}", params={"account": "us"}).json()
    assert [p["state"] for p in detail["packages"]] == ["confirmed", "confirmed"]
    assert web.api.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "done"


def test_shipping_rejects_bad_input(shop, web):
    (order_id,) = imported(shop, web, 1)
    item = web.api.get(f"/api/v1/orders/{order_id}", params={"account": "us"}).json()["items"][0]
    url = f"/api/v1/orders/{order_id}/ship"
    good = {"account": "us", "carrier_code": "UPS", "tracking_number": "1Z1"}
    for change, status, says in [
        ({"items": {item["order_item_id"]: -1}}, 422, "items"),
        ({"items": {item["order_item_id"]: 0}}, 422, "items"),
        ({"items": {item["order_item_id"]: "two"}}, 422, "items"),
        ({"items": {}}, 422, "items"),
        ({"items": {item["order_item_id"]: 5}}, 400, "left to ship, not 5"),
        ({"items": {"NO-SUCH-ITEM": 1}}, 400, "left to ship"),
        ({"ship_date": "last tuesday"}, 422, "ship_date"),
        ({"ship_date": "2026-02-30T10:00:00Z"}, 422, "ship_date"),
        ({"carrier_code": "Other"}, 400, "carrier 'Other' needs a carrier name"),
        ({"carrier_code": ""}, 422, "carrier_code"),
        ({"tracking_number": None}, 422, "tracking_number"),
        ({"account": "nope"}, 422, "no account 'nope'"),
        ({"weight": 3}, 422, "weight"),
    ]:
        assert_error(web.api.post(url, json=good | change), status, says)
    assert_error(web.api.post("/api/v1/orders/NOPE-1/ship", json=good), 404, "NOPE-1")
    detail = web.api.get(f"/api/v1/orders/{order_id}", params={"account": "us"}).json()
    assert detail["packages"] == []


def parse_metrics(text):
    samples = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


def test_metrics_in_prometheus_text_format(shop, web):
    done = create_jobs(web, type="update_qty", skus=["SKU-001"])
    shop.clock.advance(1)
    with shop.rt.db.transaction() as session:
        shop.rt.throttle.throttled(session, shop.account_id, Operation.GET_FEED, shop.clock.now())
    shop.run_worker()
    create_jobs(web, type="update_price", skus=["SKU-002"])
    shop.clock.advance(30)

    answer = web.api.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = answer.text
    assert "# TYPE amazon_jobs_jobs gauge" in text
    assert "# TYPE amazon_jobs_throttled_total counter" in text
    assert "# TYPE amazon_jobs_job_duration_seconds summary" in text
    for line in text.splitlines():
        assert line.startswith("#") or re.fullmatch(
            r'[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+', line
        ), line
    samples = parse_metrics(text)
    assert samples['amazon_jobs_jobs{type="update_qty",status="done"}'] == 1
    assert samples['amazon_jobs_jobs{type="update_price",status="reserved"}'] == 1
    assert samples['amazon_jobs_jobs{type="stop",status="error"}'] == 0
    assert samples['amazon_jobs_granted_total{account="us",operation="createFeed"}'] == 1
    assert samples['amazon_jobs_throttled_total{account="us",operation="getFeed"}'] == 1
    assert samples['amazon_jobs_throttled_total{account="us",operation="createFeed"}'] == 0
    assert samples["amazon_jobs_queue_age_seconds"] == 30
    count = samples['amazon_jobs_job_duration_seconds_count{type="update_qty"}']
    total = samples['amazon_jobs_job_duration_seconds_sum{type="update_qty"}']
    job = web.api.get(f"/api/v1/jobs/{done[0]['id']}").json()
    assert count == 1 and total > 0 and job["status"] == "done"
    assert samples['amazon_jobs_job_duration_seconds_count{type="stop"}'] == 0

    shop.clock.advance(24 * 3600)
    later = parse_metrics(web.api.get("/metrics").text)
    assert later['amazon_jobs_job_duration_seconds_count{type="update_qty"}'] == 0
    assert_error(web.browser.get("/metrics"), 401)
