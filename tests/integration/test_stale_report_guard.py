"""Issue 15 §2, stale-report guard: an Inventory Report requested before one of our jobs had
a change accepted must not overwrite that change in the listings' confirmed values, while
the other active listings take Amazon's quantity and price from it; against the harsh
simulator over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.inventory_report import report_requested_at
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_inventory_job, create_listings_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.store.models import InventoryRow, Job
from amazon_jobs.worker import Worker
from tests.integration.conftest import Shop, sku

pytestmark = pytest.mark.timeout(300)

KEPT = "1 listing(s) changed after this report was requested: kept our confirmed values"
HELD = "1 listing(s) held by a running job: left to that job"
#: Amazon as it is (accepted changes visible late, random 500s…), with a report that
#: takes five minutes: it reads the listings 300 s after it is requested.
HARSH = SimulatorConfig(report_queue_s=10, report_processing_s=290)


def run_until(shop: Shop, until: datetime) -> None:
    """Run every job step due up to *until* on the virtual clock, then stop there."""
    worker = Worker(shop.rt)
    while True:
        if worker.run_once():
            continue
        wake = worker._next_wake()
        if wake is None or wake > until:
            shop.clock.set(max(until, shop.clock.now()))
            return
        shop.clock.set(max(wake, shop.clock.now()))


def update_qty(shop: Shop, n: int, quantity: int) -> Job:
    shop.set_quantity(sku(n), quantity)
    selection = Selection(skus=(sku(n),))
    (job,) = create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, selection).jobs
    return job


def job_of(shop: Shop, job_id: int) -> tuple[Job, list[str]]:
    with shop.rt.db.read() as session:
        return get_job(session, job_id), [line.message for line in job_log(session, job_id)]


def reported_quantity(shop: Shop, n: int) -> int | None:
    with shop.rt.db.read() as session:
        return session.scalars(
            select(InventoryRow.quantity).where(InventoryRow.sku == sku(n))
        ).one()


def test_a_change_confirmed_after_the_report_was_requested_is_kept(shop_factory):
    shop = shop_factory(HARSH)
    start = shop.clock.now()
    report = create_inventory_job(shop.rt, shop.account_id)
    run_until(shop, start)  # createReport at start: Amazon reads the listings at +300 s
    run_until(shop, start + timedelta(seconds=230))
    shop.sim.seed_listings([{"sku": sku(2), "asin": "B0TEST0002", "quantity": 55, "price": "7"}])
    qty = update_qty(shop, 1, 111)  # its feed ends at +320 s: after Amazon read the listings
    shop.run_worker()

    qty_job, _ = job_of(shop, qty.id)
    report_job, log = job_of(shop, report.id)
    assert qty_job.status == report_job.status == JobStatus.DONE, (qty_job.error, report_job.error)
    mine, other = shop.listing(sku(1)), shop.listing(sku(2))
    # The setting: our change was accepted after the report was requested, and before
    # the report was imported; the report (Amazon's raw rows) still shows the old value.
    assert mine.confirmed_at is not None and report_job.finished_at is not None
    assert report_requested_at(report_job) <= mine.confirmed_at < report_job.finished_at
    assert reported_quantity(shop, 1) == 11
    # The guard: our confirmed value stays; the listing nobody changed takes Amazon's.
    assert mine.confirmed_quantity == 111
    assert (other.confirmed_quantity, str(other.confirmed_price)) == (55, "7.00")
    assert reported_quantity(shop, 2) == 55
    assert KEPT in log
    assert report_job.data["kept"] == 1 and report_job.data["confirmed"] == 11


def test_a_change_confirmed_before_the_report_was_requested_takes_amazons_value(shop_factory):
    shop = shop_factory(HARSH)
    qty = update_qty(shop, 1, 111)
    shop.run_worker()
    confirmed_at = shop.listing(sku(1)).confirmed_at
    assert job_of(shop, qty.id)[0].status == JobStatus.DONE and confirmed_at is not None
    # Long after Amazon applied the change, the seller raised it to 150 in Seller Central
    # (and the report says so).
    later = shop.clock.now() + timedelta(seconds=HARSH.visibility_delay_max_s + 60)
    run_until(shop, later)
    assert shop.sim.listings()[sku(1)].quantity == 111
    shop.sim.seed_listings(
        [{"sku": sku(1), "asin": "B0TEST0001", "quantity": 150, "price": "9.99"}]
    )
    report = create_inventory_job(shop.rt, shop.account_id)
    shop.run_worker()

    report_job, log = job_of(shop, report.id)
    assert report_job.status == JobStatus.DONE, report_job.error
    assert confirmed_at < report_requested_at(report_job)
    assert shop.listing(sku(1)).confirmed_quantity == reported_quantity(shop, 1) == 150
    assert not any("kept our confirmed values" in line for line in log)
    assert report_job.data["kept"] == 0
    # A lower count is what orders took, perhaps not imported yet: it is not taken, so
    # the next sync does not send the shop's stock again with nothing held back.
    shop.sim.seed_listings([{"sku": sku(1), "asin": "B0TEST0001", "quantity": 90, "price": "9.99"}])
    create_inventory_job(shop.rt, shop.account_id)
    shop.run_worker()
    assert shop.listing(sku(1)).confirmed_quantity == 150


def test_a_listing_held_by_a_running_job_is_left_to_it(shop_factory):
    shop = shop_factory(HARSH)
    start = shop.clock.now()
    report = create_inventory_job(shop.rt, shop.account_id)
    run_until(shop, start)
    shop.sim.seed_listings([{"sku": sku(1), "asin": "B0TEST0001", "quantity": 3, "price": "9.99"}])
    run_until(shop, start + timedelta(seconds=395))  # Amazon has the report; not polled yet
    assert job_of(shop, report.id)[0].status == JobStatus.WAITING_FOR_RESULT
    qty = update_qty(shop, 1, 111)
    run_until(shop, start + timedelta(seconds=400))  # imported while the job holds sku 1

    report_job, log = job_of(shop, report.id)
    assert report_job.status == JobStatus.DONE, report_job.error
    assert job_of(shop, qty.id)[0].status != JobStatus.DONE
    assert reported_quantity(shop, 1) == 3
    assert shop.listing(sku(1)).confirmed_quantity == 11  # not the report's 3
    assert HELD in log
    shop.run_worker()
    assert shop.listing(sku(1)).confirmed_quantity == 111
