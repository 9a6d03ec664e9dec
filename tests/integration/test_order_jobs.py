"""Orders Import (2026-01-01 and v0) and Orders Fulfillment against the simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.errors import AmazonJobsError, SelectionError
from amazon_jobs.service import (
    cancel_job,
    create_fulfillment_job,
    create_orders_import_job,
    ship_order,
)
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import Account, Order, OrderItem, Shipment
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def place_orders(shop, count, start_minutes=60):
    base = shop.clock.now() - timedelta(minutes=start_minutes)
    return [
        shop.sim.orders.add_order(
            [{"sku": sku(n % 8), "quantity": 1 + n % 2}, {"sku": sku((n + 3) % 8)}],
            purchased_at=base + timedelta(seconds=30 * n),
        ).order_id
        for n in range(count)
    ]


def stored_orders(shop):
    with shop.rt.db.read() as session:
        orders = session.scalar(select(func.count()).select_from(Order))
        items = session.scalar(select(func.count()).select_from(OrderItem))
    return orders, items


def run_import(shop):
    job = create_orders_import_job(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.read() as session:
        return get_job(session, job.id)


@pytest.mark.parametrize("api", ["2026-01-01", "v0"])
def test_import_pages_store_each_order_once(shop_factory, api):
    shop = shop_factory(orders_page_size=5)
    with shop.rt.db.transaction() as session:
        session.execute(update(Account).values(orders_api=api))
    ids = place_orders(shop, 23)
    job = run_import(shop)
    assert job.status == JobStatus.DONE, job.error
    assert job.items_total == 23 and job.data["pages"] == 5
    assert stored_orders(shop) == (23, 46)
    with shop.rt.db.read() as session:
        first = session.scalars(select(Order).where(Order.amazon_order_id == ids[0])).one()
        lines = session.scalars(select(OrderItem).where(OrderItem.order_id == first.id)).all()
    assert first.status == "UNSHIPPED" and {line.sku for line in lines} == {sku(0), sku(3)}
    assert all(line.product_id for line in lines)
    stats = shop.sim.stats()["requests"]
    if api == "v0":
        assert stats["getOrders"] == 5 and stats["getOrderItems"] == 23
    else:
        assert stats["searchOrders"] == 5 and "getOrderItems" not in stats

    # Seen again (the overlap) and updated on Amazon: updated, never duplicated.
    shop.sim.orders.cancel_order(ids[-1])
    shop.clock.advance(300)  # Amazon lists changes older than two minutes
    again = run_import(shop)
    assert again.status == JobStatus.DONE
    assert stored_orders(shop) == (23, 46)
    with shop.rt.db.read() as session:
        last = session.scalars(select(Order).where(Order.amazon_order_id == ids[-1])).one()
    assert last.status == "CANCELLED"


def test_import_resumes_after_interruption_from_the_last_stored_page(shop_factory):
    shop = shop_factory(
        SimulatorConfig.focused(),
        orders_page_size=5,
        limits={"searchOrders": {"burst": 2}},
    )
    place_orders(shop, 18)
    job = create_orders_import_job(shop.rt, shop.account_id)
    worker = Worker(shop.rt)
    for _ in range(3):  # assemble, then two pages: the bucket is empty
        worker.run_once()
    with shop.rt.db.read() as session:
        half = get_job(session, job.id)
    assert half.status == JobStatus.PROCESSING and half.data["pages"] == 2
    assert stored_orders(shop)[0] == 10
    shop.sim.faults.fail_next("searchOrders", 503, times=4)  # a failed page: retried later
    # A new worker (the first one "died") finishes the job.
    Worker(shop.rt).run(until_idle=True)
    with shop.rt.db.read() as session:
        done = get_job(session, job.id)
    assert done.status == JobStatus.DONE and done.data["pages"] == 4
    assert stored_orders(shop)[0] == 18
    assert shop.sim.stats()["requests"]["searchOrders"] == 4 + 4
    assert not shop.sim.stats()["throttled"]


def test_one_import_per_account_at_a_time(shop_factory):
    shop = shop_factory()
    create_orders_import_job(shop.rt, shop.account_id)
    with pytest.raises(SelectionError, match="importing this account's orders already"):
        create_orders_import_job(shop.rt, shop.account_id)


def test_fulfillment_confirms_packages_and_keeps_amazons_refusal_per_order(shop_factory):
    shop = shop_factory()
    ids = place_orders(shop, 3)
    run_import(shop)
    for order_id in ids:
        ship_order(shop.rt, shop.account_id, order_id, spec(shop))
    shop.sim.orders.cancel_order(ids[1])  # the buyer canceled after our import
    job = create_fulfillment_job(shop.rt, shop.account_id)
    assert job.items_total == 3
    shop.run_worker()
    with shop.rt.db.read() as session:
        job = get_job(session, job.id)
        items = {i.ref.split()[0]: i for i in job_items(session, job.id)}
        shipments = {s.order_id: s for s in session.scalars(select(Shipment))}
        orders = {o.amazon_order_id: o for o in session.scalars(select(Order))}
    assert job.status == JobStatus.DONE and (job.items_ok, job.items_failed) == (2, 1)
    assert items[ids[1]].outcome == "error" and items[ids[1]].error_message
    assert orders[ids[0]].status == "SHIPPED"
    assert shipments[orders[ids[0]].id].state == "confirmed"
    assert shipments[orders[ids[1]].id].state == "error"
    amazon = shop.sim.orders.order(ids[0])
    assert str(amazon.status) == "Shipped" and amazon.packages[0].tracking_number == "1Z999"


def test_partial_shipment_then_the_rest(shop_factory):
    shop = shop_factory()
    (order_id,) = place_orders(shop, 1)
    run_import(shop)
    with shop.rt.db.read() as session:
        lines = session.scalars(select(OrderItem)).all()
    first = lines[0].order_item_id
    ship_order(shop.rt, shop.account_id, order_id, spec(shop, items={first: 1}))
    create_fulfillment_job(shop.rt, shop.account_id)
    shop.run_worker()
    assert str(shop.sim.orders.order(order_id).status) == "PartiallyShipped"
    ship_order(shop.rt, shop.account_id, order_id, spec(shop))
    create_fulfillment_job(shop.rt, shop.account_id)
    shop.run_worker()
    state = shop.sim.orders.order(order_id)
    assert str(state.status) == "Shipped" and len(state.packages) == 2
    with pytest.raises(AmazonJobsError, match="only unshipped or partly shipped"):
        ship_order(shop.rt, shop.account_id, order_id, spec(shop))


def test_cancel_fulfillment_from_created_frees_the_packages(shop_factory):
    shop = shop_factory()
    (order_id,) = place_orders(shop, 1)
    run_import(shop)
    ship_order(shop.rt, shop.account_id, order_id, spec(shop))
    job = create_fulfillment_job(shop.rt, shop.account_id)
    Worker(shop.rt).run_once()
    cancel_job(shop.rt, job.id)
    with shop.rt.db.read() as session:
        shipment = session.scalars(select(Shipment)).one()
    assert shipment.state == "due" and shipment.locked_by_job_id is None
    assert shop.sim.stats()["requests"].get("confirmShipment", 0) == 0
    again = create_fulfillment_job(shop.rt, shop.account_id)
    assert again.items_total == 1


def spec(shop, items=None):
    return ShipmentSpec(
        carrier_code="UPS", tracking_number="1Z999", ship_date=shop.clock.now(), items=items
    )


def test_fulfillment_waits_in_created_for_quota(shop_factory):
    shop = shop_factory(limits={"confirmShipment": {"burst": 1, "rate": 0.01}})
    first, second = place_orders(shop, 2)
    run_import(shop)
    ship_order(shop.rt, shop.account_id, first, spec(shop))
    job1 = create_fulfillment_job(shop.rt, shop.account_id)
    ship_order(shop.rt, shop.account_id, second, spec(shop))
    job2 = create_fulfillment_job(shop.rt, shop.account_id)
    worker = Worker(shop.rt)
    for _ in range(6):
        worker.run_once()
    with shop.rt.db.read() as session:
        assert get_job(session, job1.id).status == JobStatus.DONE
        assert get_job(session, job2.id).status == JobStatus.CREATED
    shop.run_worker()
    with shop.rt.db.read() as session:
        assert get_job(session, job2.id).status == JobStatus.DONE
    assert not shop.sim.stats()["throttled"]


def log_lines(shop, job_id):
    with shop.rt.db.read() as session:
        return [line.message for line in job_log(session, job_id)]


def use_api(shop, api):
    with shop.rt.db.transaction() as session:
        session.execute(update(Account).values(orders_api=api))


@pytest.mark.parametrize("api", ["2026-01-01", "v0"])
def test_an_order_amazon_repeats_on_the_next_page_is_stored_and_counted_once(shop_factory, api):
    repeating = SimulatorConfig.focused(order_page_duplicates=0.6, order_seed=4)
    shop = shop_factory(repeating, orders_page_size=5)
    use_api(shop, api)
    place_orders(shop, 25)
    job = run_import(shop)
    assert job.status == JobStatus.DONE, job.error
    assert job.data["pages"] > 5, "a page that repeats an order carries one fewer of its own"
    assert job.items_total == 25
    assert stored_orders(shop) == (25, 50)
    with shop.rt.db.read() as session:
        refs = [item.ref for item in job_items(session, job.id)]
    assert len(refs) == len(set(refs)) == 25
    if api == "v0":
        assert shop.sim.stats()["requests"]["getOrderItems"] == 25, "items fetched once"
    repeats = [line for line in log_lines(shop, job.id) if "already seen in this job" in line]
    assert repeats, "the log says which pages repeated an order"


@pytest.mark.parametrize("api", ["2026-01-01", "v0"])
def test_an_order_changed_without_a_status_change_is_updated_not_duplicated(shop_factory, api):
    shop = shop_factory(orders_page_size=5)
    use_api(shop, api)
    ids = place_orders(shop, 7)
    run_import(shop)
    with shop.rt.db.read() as session:
        before = session.scalars(select(Order).where(Order.amazon_order_id == ids[2])).one()
    assert before.ship_to and before.ship_to["city"] == shop.sim.orders.order(ids[2]).address.city
    shop.clock.advance(600)
    moved = {"city": "Portland", "state": "OR", "postal_code": "97205"}
    changed = shop.sim.orders.update_order(ids[2], address=moved, ship_days=1)
    assert str(changed.status) == "Unshipped"
    shop.clock.advance(300)  # Amazon lists changes older than two minutes
    again = run_import(shop)
    assert again.status == JobStatus.DONE, again.error
    assert [item.ref for item in items_of(shop, again.id)] == [ids[2]]
    assert stored_orders(shop) == (7, 14)
    with shop.rt.db.read() as session:
        after = session.scalars(select(Order).where(Order.amazon_order_id == ids[2])).one()
    assert after.status == before.status == "UNSHIPPED"
    assert after.amazon_updated_at == changed.last_updated_at > before.amazon_updated_at
    assert after.ship_to["city"] == "Portland" and after.ship_to["state"] == "OR"
    if api == "v0":  # 2026 keeps the postal code for applications with the PII role
        assert after.ship_to["postal_code"] == "97205"
    assert after.change_seq > before.change_seq, "the shop learns where the order goes now"


def items_of(shop, job_id):
    with shop.rt.db.read() as session:
        return job_items(session, job_id)
