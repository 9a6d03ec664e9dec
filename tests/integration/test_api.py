"""The REST API over real HTTP: the bearer token, the error shape, and /api/v1/jobs.

Other resources: test_api_catalog.py (accounts, products, listings, inventory,
quota), test_api_orders.py (orders, /metrics), test_api_schema.py (schemathesis).
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.worker import Worker
from tests.integration.api_helpers import assert_error, create_jobs
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def test_every_route_needs_a_valid_bearer_token(web):
    schema = web.api.get("/api/v1/openapi.json").json()
    routes = [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in schema["paths"].items()
        for method in operations
        if path != "/healthz"
    ]
    assert len(routes) == 44 and ("GET", "/metrics") in routes
    wrong = [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXM6cHc="}]
    with httpx.Client(base_url=web.url) as anonymous:
        for method, path in routes:
            for headers in wrong:
                answer = anonymous.request(method, path, headers=headers, json={})
                assert_error(answer, 401, "token")
                assert answer.headers["www-authenticate"] == "Bearer"
        # The browser's session cookie is not an API token.
        assert_error(web.browser.get("/api/v1/jobs"), 401)
        assert anonymous.get("/healthz").json() == {"status": "ok"}
    security = schema["components"]["securitySchemes"]
    assert security["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": security["HTTPBearer"]["description"],
    }


def test_openapi_documents_every_error_with_the_one_shape(web):
    schema = web.api.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorResponse"), (method, path, status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_jobs_are_listed_newest_first_filtered_and_paged(shop, web):
    qty = [create_jobs(web, type="update_qty", skus=[sku(n)])[0] for n in range(3)]
    (report,) = create_jobs(web, type="inventory_report", account=shop.account_id)
    ids = [job["id"] for job in [*qty, report]]

    def listed(**params):
        answer = web.api.get("/api/v1/jobs", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    first = listed(limit=3)
    assert [j["id"] for j in first["items"]] == ids[::-1][:3]
    assert first["next_before_id"] == ids[1]
    rest = listed(limit=3, before_id=first["next_before_id"])
    assert [j["id"] for j in rest["items"]] == [ids[0]] and rest["next_before_id"] is None
    assert listed(limit=4)["next_before_id"] is None

    job = first["items"][0]
    assert job["account"] == "us" and job["type"] == "inventory_report"
    assert job["type_label"] == "Inventory Report" and job["created_at"] == "2026-11-27T09:00:00Z"
    assert [j["id"] for j in listed(type="update_qty")["items"]] == ids[2::-1]
    web.api.post(f"/api/v1/jobs/{ids[0]}/cancel").raise_for_status()
    assert [j["id"] for j in listed(status="reserved")["items"]] == ids[:0:-1]
    assert [j["id"] for j in listed(status="canceled", type="update_qty")["items"]] == [ids[0]]
    assert [j["id"] for j in listed(active="false")["items"]] == [ids[0]]
    assert len(listed(active="true")["items"]) == 3
    assert len(listed(account="us")["items"]) == len(listed(account=shop.account_id)["items"]) == 4
    assert listed(created_from="2026-11-27T09:00:01Z")["items"] == []
    assert (
        len(listed(created_from="2026-11-27T09:00:00", created_to="2026-11-27T10:00")["items"]) == 4
    )
    assert listed(created_to="2026-11-27T11:00:00+02:00")["items"] == []  # 09:00 UTC


BAD_FILTERS = [
    ({"account": "nope"}, "no account 'nope'"),
    ({"account": "99999999999999999999999"}, "no account"),
    ({"type": "make_coffee"}, "type"),
    ({"status": "sleeping"}, "status"),
    ({"active": "maybe"}, "active"),
    ({"created_from": "yesterday"}, "created_from"),
    ({"created_to": "2026-13-45"}, "created_to"),
    ({"created_from": "0001-01-01T00:00:00+01:00"}, "out of range"),
    ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"),
    ({"before_id": -1}, "before_id"),
    ({"before_id": 2**64}, "before_id"),
    ({"before_id": "x"}, "before_id"),
    ({"account": "a\x00b"}, "account"),
]


def test_job_list_rejects_bad_filters(web):
    for params, says in BAD_FILTERS:
        assert_error(web.api.get("/api/v1/jobs", params=params), 422, says)


def test_jobs_of_every_type_are_created(shop, web):
    (job,) = create_jobs(web, type="update_qty", skus=[sku(0), "NOPE"])
    assert job["status"] == "reserved" and job["items_total"] == 1
    answer = web.api.post(
        "/api/v1/jobs", json={"type": "stop", "account": "us", "skus": ["NOPE", sku(0)]}
    )
    assert_error(answer, 422, "nothing to send")
    assert "held by job" in answer.json()["error"]["message"]

    created = web.api.post(
        "/api/v1/jobs", json={"type": "update_price", "account": "us", "skus": [sku(1), "NOPE"]}
    )
    assert created.status_code == 201
    assert created.json()["skipped"] == [{"sku": "NOPE", "reason": "no product has this SKU"}]

    assert_error(
        web.api.post("/api/v1/jobs", json={"type": "update_qty", "account": "us", "changed": True}),
        422,
        "nothing to send",
    )
    shop.set_quantity(sku(4), 99)
    (changed,) = create_jobs(web, type="update_qty_price", changed=True)
    assert changed["items_total"] == 1 and changed["type_label"] == "Update Products QTY & Price"
    assert create_jobs(web, type="stop", skus=[sku(5)])[0]["type"] == "stop"
    assert create_jobs(web, type="stop_remove", all=True)[0]["items_total"] == 8

    put = web.api.put(
        "/api/v1/products",
        json={"products": [{"sku": "NEW-1", "title": "New", "quantity": 3, "price": "5.00"}]},
    )
    assert put.json()["created"] == 1
    web.api.post("/api/v1/listings", json={"account": "us", "skus": ["NEW-1"]}).raise_for_status()
    (send,) = create_jobs(web, type="send_products", skus=["NEW-1"])
    assert send["items_total"] == 1

    assert create_jobs(web, type="orders_import")[0]["type_label"] == "Orders Import"
    assert create_jobs(web, type="inventory_report")[0]["type"] == "inventory_report"
    assert_error(
        web.api.post("/api/v1/jobs", json={"type": "orders_fulfillment", "account": "us"}),
        422,
        "no shipped order waits for confirmation",
    )


BAD_JOBS = [
    ({"type": "make_coffee", "account": "us", "all": True}, "type"),
    ({"type": "update_qty", "account": "nope", "all": True}, "no account 'nope'"),
    ({"type": "update_qty", "account": 12345, "all": True}, "no account '12345'"),
    ({"type": "update_qty", "account": 0, "all": True}, "account"),
    ({"type": "update_qty", "account": ["us"], "all": True}, "account"),
    ({"type": "update_qty", "account": "us"}, "exactly one of: skus, changed, all"),
    ({"type": "update_qty", "account": "us", "all": True, "skus": ["a"]}, "exactly one"),
    ({"type": "update_qty", "account": "us", "skus": []}, "skus"),
    ({"type": "update_qty", "account": "us", "skus": ["x" * 41]}, "skus"),
    ({"type": "update_qty", "account": "us", "skus": "SKU-001"}, "skus"),
    ({"type": "update_qty", "account": "us", "all": "maybe"}, "all"),
    ({"type": "stop", "account": "us", "changed": True}, "changed applies to update_qty"),
    ({"type": "update_qty", "account": "us", "all": True, "orders": ["1"]}, "orders do not"),
    ({"type": "orders_import", "account": "us", "skus": ["a"]}, "skus do(es) not apply"),
    ({"type": "inventory_report", "account": "us", "orders": ["1"]}, "orders do(es) not"),
    ({"type": "update_qty", "account": "us", "all": True, "priority": 9}, "priority"),
    ({"account": "us", "all": True}, "type"),
    ([{"type": "update_qty"}], "body"),
]


def test_job_creation_rejects_bad_input(web):
    for body, says in BAD_JOBS:
        assert_error(web.api.post("/api/v1/jobs", json=body), 422, says)
    assert web.api.get("/api/v1/jobs").json()["items"] == []


def test_job_creation_rejects_a_body_that_is_not_json(web):
    for content, content_type in [
        (b'{"type": "update_qty",', "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"type=update_qty&account=us", "application/x-www-form-urlencoded"),
    ]:
        answer = web.api.post(
            "/api/v1/jobs", content=content, headers={"content-type": content_type}
        )
        assert_error(answer, 422)
    assert web.api.get("/api/v1/jobs").json()["items"] == []


def test_a_job_its_items_and_its_log(shop, web):
    (job,) = create_jobs(web, type="update_qty", skus=[sku(1), sku(3)])  # 3: unknown to Amazon
    shop.run_worker()
    answer = web.api.get(f"/api/v1/jobs/{job['id']}")
    assert answer.status_code == 200
    done = answer.json()
    assert done["status"] == "done" and done["status_label"] == "Done"
    assert (done["items_total"], done["items_ok"], done["items_failed"]) == (2, 1, 1)
    assert done["amazon_ref"] and done["finished_at"] and done["next_run_at"] is None

    page = web.api.get(f"/api/v1/jobs/{job['id']}/items", params={"limit": 1}).json()
    assert [item["ref"] for item in page["items"]] == [sku(1)]
    assert page["items"][0]["outcome"] == "ok" and page["items"][0]["requested"]
    last = web.api.get(
        f"/api/v1/jobs/{job['id']}/items", params={"after_id": page["next_after_id"]}
    ).json()
    assert [item["ref"] for item in last["items"]] == [sku(3)] and last["next_after_id"] is None
    failed = last["items"][0]
    assert failed["outcome"] == "error" and failed["error_message"]

    log = web.api.get(f"/api/v1/jobs/{job['id']}/log").json()
    messages = [line["message"] for line in log["items"]]
    assert messages[0].startswith("Reserved") and any("→ Done" in m for m in messages)
    assert any(line["request_id"] for line in log["items"]) and log["next_after_id"] is None
    two = web.api.get(f"/api/v1/jobs/{job['id']}/log", params={"limit": 2}).json()
    assert [line["message"] for line in two["items"]] == messages[:2]
    assert two["next_after_id"] == two["items"][1]["id"]


JOB_ROUTES = [
    ("GET", ""),
    ("GET", "/items"),
    ("GET", "/log"),
    ("POST", "/cancel"),
    ("POST", "/check"),
    ("POST", "/retry-failed"),
]


def test_unknown_job_is_404_and_a_bad_id_422(web):
    for method, suffix in JOB_ROUTES:
        answer = web.api.request(method, f"/api/v1/jobs/999999{suffix}")
        assert_error(answer, 404, "job 999999 does not exist")
        for bad in ("0", "abc", "1.5", str(2**63)):
            assert_error(web.api.request(method, f"/api/v1/jobs/{bad}{suffix}"), 422, "job_id")


def test_cancel_check_and_retry_follow_the_job_status(shop, web):
    (job,) = create_jobs(web, type="update_qty", skus=[sku(0)])
    url = f"/api/v1/jobs/{job['id']}"
    shop.clock.advance(60)
    checked = web.api.post(f"{url}/check")
    assert checked.status_code == 200 and checked.json()["id"] == job["id"]
    assert checked.json()["next_run_at"] == "2026-11-27T09:00:00Z"
    assert_error(web.api.post(f"{url}/retry-failed"), 409, "still running")
    canceled = web.api.post(f"{url}/cancel")
    assert canceled.status_code == 200 and canceled.json() == {"canceled": True}
    assert web.api.get(url).json()["status"] == "canceled"
    assert_error(web.api.post(f"{url}/cancel"), 409, "canceled")
    assert_error(web.api.post(f"{url}/check"), 409, "nothing left to check")
    assert_error(web.api.post(f"{url}/retry-failed"), 422, "no failed items")


def test_cancel_of_a_waiting_feed_is_a_request_to_amazon(shop, web):
    (job,) = create_jobs(web, type="update_qty", all=True)
    worker = Worker(shop.rt)
    while web.api.get(f"/api/v1/jobs/{job['id']}").json()["status"] != "waiting_for_result":
        worker.run_once()
    answer = web.api.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert answer.status_code == 200 and answer.json() == {"canceled": False, "requested": True}
    assert web.api.get(f"/api/v1/jobs/{job['id']}").json()["cancel_requested_at"]
    assert_error(web.api.post(f"/api/v1/jobs/{job['id']}/cancel"), 409)
    worker.run_once()
    assert web.api.get(f"/api/v1/jobs/{job['id']}").json()["status"] == JobStatus.CANCELED


def test_retry_failed_items_creates_a_child_job(shop, web):
    (unknown,) = create_jobs(web, type="update_qty", skus=[sku(1), sku(3)])
    shop.run_worker()
    # Amazon said SKU-003 does not exist: a retry cannot fix it, and says so.
    refused = web.api.post(f"/api/v1/jobs/{unknown['id']}/retry-failed")
    assert refused.status_code == 422, refused.text
    assert f"{sku(3)}: Amazon does not know this SKU" in refused.json()["error"]["message"]
    shop.sim.faults.abort_next_feeds(1)  # Amazon aborts the next feed as a whole
    (job,) = create_jobs(web, type="update_qty", skus=[sku(2), sku(4)])
    shop.run_worker()
    shop.clock.advance(timedelta(minutes=5).total_seconds())
    answer = web.api.post(f"/api/v1/jobs/{job['id']}/retry-failed")
    assert answer.status_code == 201, answer.text
    (retry,) = answer.json()["jobs"]
    assert answer.json()["skipped"] == []
    assert retry["parent_id"] == job["id"] and retry["items_total"] == 2
    assert retry["account"] == "us" and retry["status"] == "reserved"
    items = web.api.get(f"/api/v1/jobs/{retry['id']}/items").json()["items"]
    assert sorted(item["ref"] for item in items) == [sku(2), sku(4)]
