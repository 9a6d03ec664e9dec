"""Shipments from Shop against both simulators: a shipped shop order with its tracking
number becomes a package Orders Fulfillment confirms on Amazon; a tracking number typed
after the state is still found; an Amazon cancellation cancels the shop order once."""

from __future__ import annotations

import httpx
import pytest

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.service import (
    create_fulfillment_job,
    create_orders_import_job,
    create_orders_to_shop_job,
    create_shipments_from_shop_job,
)
from amazon_jobs.shop_simulator import DEFAULT_KEY
from amazon_jobs.store.jobs import get_job, job_items
from amazon_jobs.store.models import Job
from amazon_jobs.store.orders import order_lines
from tests.shop_orders.harness import Presta, stock_of

pytestmark = pytest.mark.timeout(120)


def in_shop(presta: Presta, *lines: tuple[str, int]) -> tuple[str, int]:
    amazon_id = presta.place(*lines)
    create_orders_import_job(presta.rt, presta.account_id)
    presta.run_worker()
    create_orders_to_shop_job(presta.rt, presta.account_id)
    presta.run_worker()
    shop_order_id = presta.order(amazon_id).shop_order_id
    assert shop_order_id
    return amazon_id, shop_order_id


def back_office(presta: Presta) -> httpx.Client:
    """What a merchant's back office does, over the same Webservice."""
    return httpx.Client(base_url=presta.servers[0].url, auth=(DEFAULT_KEY, ""), timeout=30)


def set_state(presta: Presta, shop_order_id: int, state: int) -> None:
    body = (
        f"<prestashop><order_history><id_order>{shop_order_id}</id_order>"
        f"<id_order_state>{state}</id_order_state></order_history></prestashop>"
    )
    with back_office(presta) as http:
        assert http.post("/api/order_histories", content=body).status_code == 201


def set_tracking(presta: Presta, shop_order_id: int, number: str) -> None:
    table = presta.ps.store["order_carriers"]
    (row,) = table.where("id_order", str(shop_order_id))
    body = (
        f"<prestashop><order_carrier><id>{row['id']}</id>"
        f"<tracking_number>{number}</tracking_number></order_carrier></prestashop>"
    )
    with back_office(presta) as http:
        assert http.patch("/api/order_carriers", content=body).status_code == 200


def read_shipments(presta: Presta) -> Job:
    job = create_shipments_from_shop_job(presta.rt, presta.account_id)
    presta.run_worker()
    with presta.rt.db.read() as session:
        return get_job(session, job.id)


def test_shipped_in_the_shop_is_confirmed_on_amazon(presta: Presta) -> None:
    sku = next(iter(presta.skus))
    presta.settings(carriers={"1": {"code": "UPS"}})
    amazon_id, shop_order_id = in_shop(presta, (sku, 2))
    presta.rt.clock.advance(600)  # type: ignore[attr-defined]
    set_state(presta, shop_order_id, 4)  # Shipped, tracking typed first
    set_tracking(presta, shop_order_id, "1Z999AA10123456784")
    job = read_shipments(presta)
    assert job.status == JobStatus.DONE and job.items_ok == 1, job.error
    with presta.rt.db.read() as session:
        (item,) = job_items(session, job.id)
        _, (package,) = order_lines(session, presta.order(amazon_id).id)
    assert item.ref == amazon_id and item.confirmed == {
        "package": 1, "carrier": "UPS", "tracking": "1Z999AA10123456784"
    }  # fmt: skip
    assert package.carrier_code == "UPS" and package.state == "due"
    create_fulfillment_job(presta.rt, presta.account_id)
    presta.run_worker()
    state = presta.amazon.orders.order(amazon_id)
    assert str(state.status) == "Shipped"
    assert state.packages[0].tracking_number == "1Z999AA10123456784"
    # Read again: nothing new, no second package.
    again = read_shipments(presta)
    assert again.items_total == 0


def test_tracking_typed_after_the_state_is_still_found(presta: Presta) -> None:
    sku = next(iter(presta.skus))
    amazon_id, shop_order_id = in_shop(presta, (sku, 1))
    presta.rt.clock.advance(600)  # type: ignore[attr-defined]
    set_state(presta, shop_order_id, 4)
    first = read_shipments(presta)
    assert first.items_total == 0
    presta.rt.clock.advance(3600)  # type: ignore[attr-defined]
    set_tracking(presta, shop_order_id, "TRACK-42")  # date_upd does not move
    second = read_shipments(presta)
    assert second.items_ok == 1
    with presta.rt.db.read() as session:
        _, (package,) = order_lines(session, presta.order(amazon_id).id)
    carrier = presta.ps.store["carriers"].rows[1]
    assert package.carrier_code == "Other"
    assert package.carrier_name == presta.ps.store["carriers"].value(carrier, "name")
    assert package.tracking_number == "TRACK-42"


def test_amazon_cancellation_cancels_the_shop_order_once(presta: Presta) -> None:
    sku = next(iter(presta.skus))
    presta.set_stock(sku, 10)
    amazon_id, shop_order_id = in_shop(presta, (sku, 3))
    assert stock_of(presta, sku) == 7
    presta.amazon.orders.cancel_order(amazon_id)
    presta.rt.clock.advance(300)  # type: ignore[attr-defined]
    create_orders_import_job(presta.rt, presta.account_id)
    presta.run_worker()
    job = read_shipments(presta)
    assert job.items_ok == 1 and job.data["canceled"] == 1
    assert presta.shop_order(shop_order_id)["current_state"] == "6"
    assert stock_of(presta, sku) == 10  # the shop restocked
    assert presta.order(amazon_id).shop_canceled_at is not None
    histories = presta.ps.store["order_histories"].where("id_order", str(shop_order_id))
    again = read_shipments(presta)
    assert again.items_total == 0
    assert len(presta.ps.store["order_histories"].where("id_order", str(shop_order_id))) == len(
        histories
    )
