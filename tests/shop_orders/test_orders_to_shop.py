"""Orders to Shop against both simulators over HTTP: an Amazon order becomes a
PrestaShop order (customer, address, cart rows, state, totals, stock), refusals are
per-item errors with the shop's words, and their retry writes them once fixed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.service import (
    create_orders_import_job,
    create_orders_to_shop_job,
    retry_failed_items,
)
from amazon_jobs.store.jobs import get_job, job_items
from amazon_jobs.store.models import Job
from tests.shop_orders.harness import Presta, stock_of

pytestmark = pytest.mark.timeout(120)


def import_and_write(presta: Presta) -> Job:
    create_orders_import_job(presta.rt, presta.account_id)
    presta.run_worker()
    job = create_orders_to_shop_job(presta.rt, presta.account_id)
    presta.run_worker()
    with presta.rt.db.read() as session:
        return get_job(session, job.id)


def test_an_amazon_order_becomes_one_prestashop_order(presta: Presta) -> None:
    simple, unsynced, _, _, combo = list(presta.skus)
    presta.set_stock(simple, 10)
    presta.set_stock(combo, 5)
    amazon_id = presta.place((simple, 2), (combo, 1), (unsynced, 1))
    job = import_and_write(presta)
    assert job.status == JobStatus.DONE and (job.items_ok, job.items_failed) == (1, 0), job.error
    order = presta.order(amazon_id)
    assert order.in_shop_at is not None and order.shop_order_id
    shop = presta.shop_order(order.shop_order_id)
    assert shop["module"] == "ps_wirepayment" and shop["payment"] == "Amazon"
    assert shop["current_state"] == "2"  # PS_OS_PAYMENT, read from configurations
    assert shop["total_paid"] == shop["total_paid_real"]  # not a Payment error
    assert shop["note"] == f"Amazon order {amazon_id}"
    details = presta.ps.store["order_details"]
    rows = {
        (int(details.value(r, "product_id")), int(details.value(r, "product_attribute_id"))):
        int(details.value(r, "product_quantity"))
        for r in details.where("id_order", str(order.shop_order_id))
    }  # fmt: skip
    assert rows == {
        presta.skus[simple]: 2,
        presta.skus[combo]: 1,
        presta.skus[unsynced]: 1,
    }
    assert stock_of(presta, simple) == 8 and stock_of(presta, combo) == 4
    customers = presta.ps.store["customers"]
    customer = customers.rows[int(shop["id_customer"])]
    assert customers.value(customer, "email") == (f"{amazon_id.lower()}@marketplace.amazon.invalid")
    addresses = presta.ps.store["addresses"]
    address = addresses.rows[int(shop["id_address_delivery"])]
    assert addresses.value(address, "address1") == f"See Amazon order {amazon_id}"
    assert addresses.value(address, "id_country") == "21"  # US, found by iso_code
    # Written once: a second job finds nothing to do, and the shop has one order.
    with pytest.raises(Exception, match="no imported Amazon order waits"):
        create_orders_to_shop_job(presta.rt, presta.account_id)
    assert len(presta.shop_orders()) == 1


def test_refusals_are_item_errors_and_their_retry_writes_them(presta: Presta) -> None:
    good, _, disabled, _, _ = list(presta.skus)
    presta.amazon.seed_listings([{"sku": "NOT-IN-SHOP", "asin": "B0NOTSHOP1", "quantity": 3,
                                  "price": "5.00"}])  # fmt: skip
    good_id = presta.place((good, 1))
    unknown_id = presta.place(("NOT-IN-SHOP", 1))
    disabled_id = presta.place((disabled, 1))
    refused_id = presta.place((good, 1))
    product_id = presta.skus[disabled][0]
    presta.ps.store["products"].update(product_id, {"active": "0"})
    presta.ps.faults.refuse_next_orders(1)
    job = import_and_write(presta)
    assert job.status == JobStatus.DONE, job.error
    with presta.rt.db.read() as session:
        items = {i.ref: i for i in job_items(session, job.id)}
    assert items[good_id].outcome == "ok"
    assert items[unknown_id].error_message == "the shop has no product with SKU NOT-IN-SHOP"
    assert "is disabled in the shop" in (items[disabled_id].error_message or "")
    assert "The order was refused by the shop" in (items[refused_id].error_message or "")
    assert items[refused_id].error_code == "SHOP_85"
    assert len(presta.shop_orders()) == 1
    # Refused orders wait for a retry; the retry writes those the shop now takes.
    presta.ps.store["products"].update(product_id, {"active": "1"})
    retried, _ = retry_failed_items(presta.rt, job.id)
    presta.run_worker()
    with presta.rt.db.read() as session:
        again = get_job(session, retried[0].id)
        outcomes = {i.ref: i.outcome for i in job_items(session, again.id)}
    assert again.parent_id == job.id and again.type == JobType.ORDERS_TO_SHOP
    assert outcomes == {unknown_id: "error", disabled_id: "ok", refused_id: "ok"}
    assert len(presta.shop_orders()) == 3
    assert presta.order(refused_id).shop_error is None
    assert presta.order(unknown_id).shop_error


def test_address_the_shop_refuses_is_the_items_error(presta: Presta) -> None:
    sku = next(iter(presta.skus))
    amazon_id = presta.place((sku, 1))
    presta.ps.faults.fail_next(1, status=400, resource="addresses", method="POST")
    job = import_and_write(presta)
    with presta.rt.db.read() as session:
        (item,) = job_items(session, job.id)
    assert item.outcome == "error"
    assert item.error_message == "POST addresses: the shop answered HTTP 400"
    order = presta.order(amazon_id)
    assert order.in_shop_at is None and presta.shop_orders() == []
    assert order.shop_refs and "customer" in order.shop_refs and "address" not in order.shop_refs


def test_total_mismatch_is_reported_as_payment_error(presta: Presta) -> None:
    sku = next(iter(presta.skus))
    amazon_id = presta.place((sku, 1))
    presta.settings(shipping_cost=5.5)  # the default carrier costs less
    job = import_and_write(presta)
    with presta.rt.db.read() as session:
        (item,) = job_items(session, job.id)
        order_ids = list(session.scalars(select(Job.id)))
    assert item.outcome == "error" and "Payment error" in (item.error_message or "")
    order = presta.order(amazon_id)
    assert order.shop_order_id and order.in_shop_at is None  # the shop holds no stock for it
    assert presta.shop_order(order.shop_order_id)["current_state"] == "8"
    assert order_ids
