"""Real worker processes killed with SIGKILL inside the shop connector jobs: another
worker finishes the job, nothing is lost and no shop order (or cancellation) is
written twice. The no-overselling variant (issue 14 §2): after a kill between the
orders import and the shop write, the shop's stock is synced and sent, and the
quantity Amazon then offers never exceeds what is really left (the shop's stock
minus the units of Amazon orders not in the shop yet, read from both simulators)."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import (
    create_listings_job,
    create_orders_import_job,
    create_orders_to_shop_job,
    create_shipments_from_shop_job,
)
from amazon_jobs.shop_simulator.orders import change_state
from amazon_jobs.shops import create_catalog_sync
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.store.models import Order
from amazon_jobs.store.orders import order_lines
from amazon_jobs.worker import Worker
from tests.conftest import truncate
from tests.processes.harness import Fleet, fleet, wait_for
from tests.shop_orders.harness import Presta, make_presta, stock_of

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]


def amazon_quantity(presta: Presta, sku: str) -> int:
    return presta.amazon.listings()[sku].quantity


def send_stock(presta: Presta, sku: str) -> None:
    """What the shop side does after a sale: sync the catalog, send the quantity."""
    create_catalog_sync(presta.rt, presta.shop_id)
    Worker(presta.rt).run(until_idle=True)
    create_listings_job(presta.rt, JobType.UPDATE_QTY, presta.account_id, Selection(skus=(sku,)))
    Worker(presta.rt).run(until_idle=True)


def kill_at(crew: Fleet, tmp_path: Path, point: str) -> None:
    marker = tmp_path / f"reached-{point.replace(':', '-')}"
    doomed = crew.worker(
        "doomed", "--no-scheduler",
        AMAZON_JOBS_CHECKPOINT=point, AMAZON_JOBS_CHECKPOINT_FILE=str(marker),
    )  # fmt: skip
    wait_for(marker.exists, 60, f"the worker to reach {point}")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)


def rescue(crew: Fleet, tmp_path: Path) -> None:
    rescuer = crew.worker("rescuer", "--no-scheduler", "--until-idle")
    assert rescuer.wait(120) == 0, (tmp_path / "logs" / "rescuer.log").read_text()


@pytest.mark.parametrize("point", ["shop:customer", "shop:cart", "shop:order", "shop:state"])
def test_orders_to_shop_killed_between_shop_calls(pg_url, tmp_path, point):
    truncate(pg_url)
    with fleet(pg_url, tmp_path, scale=100.0, lease_s=60.0, http_timeout_s=5.0) as crew:
        presta = make_presta(crew.rt, crew.rt.clock, amazon=(crew.sim, crew.server))
        sku = next(iter(presta.skus))
        presta.set_stock(sku, 10)
        # Placed now, so Amazon takes the units off the listing (10 → 4) at once.
        ids = [presta.place((sku, 2), minutes_ago=0) for _ in range(3)]
        placed_at = crew.rt.clock.now()  # Amazon lists orders two minutes old
        wait_for(lambda: crew.rt.clock.now() - placed_at > timedelta(minutes=3), 30,
                 "the orders to be listed")  # fmt: skip
        assert amazon_quantity(presta, sku) == 4
        create_orders_import_job(crew.rt, presta.account_id)
        Worker(crew.rt).run(until_idle=True)
        job = create_orders_to_shop_job(crew.rt, presta.account_id)
        kill_at(crew, tmp_path, point)
        # Killed between shop calls; the shop's stock is synced and sent to Amazon now.
        # Only these orders move the shop's stock, so 10 - 6 = 4 units are really left
        # whichever of them the shop has: Amazon must never offer more.
        send_stock(presta, sku)
        assert amazon_quantity(presta, sku) <= 4
        rescue(crew, tmp_path)
        with crew.rt.db.read() as session:
            done = get_job(session, job.id)
            log = [line.message for line in job_log(session, job.id)]
        assert done.status == JobStatus.DONE and done.items_ok == 3, log
        assert any("Taken over by worker" in line for line in log), log
        shop_ids = {presta.order(i).shop_order_id for i in ids}
        assert len(shop_ids) == 3 and sorted(shop_ids) == presta.shop_orders()  # none twice
        carts = [presta.shop_order(i)["id_cart"] for i in presta.shop_orders()]
        assert len(set(carts)) == 3
        assert stock_of(presta, sku) == 4
        send_stock(presta, sku)
        assert amazon_quantity(presta, sku) == 4
        presta.close()


@pytest.mark.parametrize("point", ["shop:package", "shop:cancel"])
def test_shipments_from_shop_killed_mid_way(pg_url, tmp_path, point):
    truncate(pg_url)
    with fleet(pg_url, tmp_path, scale=100.0, lease_s=60.0, http_timeout_s=5.0) as crew:
        presta = make_presta(crew.rt, crew.rt.clock, amazon=(crew.sim, crew.server))
        sku = next(iter(presta.skus))
        presta.set_stock(sku, 10)
        shipped, canceled = presta.place((sku, 1)), presta.place((sku, 2))
        create_orders_import_job(crew.rt, presta.account_id)
        Worker(crew.rt).run(until_idle=True)
        create_orders_to_shop_job(crew.rt, presta.account_id)
        Worker(crew.rt).run(until_idle=True)
        shipped_in_shop = presta.order(shipped).shop_order_id
        canceled_in_shop = presta.order(canceled).shop_order_id
        assert shipped_in_shop and canceled_in_shop
        with presta.ps.lock:
            change_state(presta.ps, shipped_in_shop, 4)
            (carrier,) = presta.ps.store["order_carriers"].where("id_order", str(shipped_in_shop))
            presta.ps.store["order_carriers"].update(int(carrier["id"]),
                                                     {"tracking_number": "TRK1"})  # fmt: skip
        crew.sim.orders.cancel_order(canceled)
        canceled_at = crew.rt.clock.now()  # Amazon lists changes two minutes old
        wait_for(lambda: crew.rt.clock.now() - canceled_at > timedelta(minutes=3), 30,
                 "the cancellation to be listed")  # fmt: skip
        create_orders_import_job(crew.rt, presta.account_id)
        Worker(crew.rt).run(until_idle=True)
        assert presta.order(canceled).status == "CANCELLED"
        job = create_shipments_from_shop_job(crew.rt, presta.account_id)
        kill_at(crew, tmp_path, point)
        rescue(crew, tmp_path)
        with crew.rt.db.read() as session:
            done = get_job(session, job.id)
            log = [line.message for line in job_log(session, job.id)]
        assert done.status == JobStatus.DONE and done.items_ok == 2, log
        histories = presta.ps.store["order_histories"]
        cancels = [
            h for h in histories.where("id_order", str(canceled_in_shop))
            if histories.value(h, "id_order_state") == "6"
        ]  # fmt: skip
        assert len(cancels) == 1 and stock_of(presta, sku) == 9
        with crew.rt.db.read() as session:
            packages = session.scalars(select(Order).where(Order.amazon_order_id == shipped)).one()
        assert packages.shop_state == 4
        with crew.rt.db.read() as session:
            _, found = order_lines(session, packages.id)
        assert [p.tracking_number for p in found] == ["TRK1"]
        presta.close()
