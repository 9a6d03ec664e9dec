"""Inventory Report against the simulator: request, wait, download, stream into the table."""

from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import func, select

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.service import cancel_job, create_inventory_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.store.models import Account, InventoryRow
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(300)


def run_report(shop):
    job = create_inventory_job(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.read() as session:
        return get_job(session, job.id)


def inventory(shop):
    with shop.rt.db.read() as session:
        account = session.get_one(Account, shop.account_id)
        rows = session.scalars(
            select(InventoryRow).where(InventoryRow.snapshot_id == account.inventory_snapshot_id)
        ).all()
        total = session.scalar(select(func.count()).select_from(InventoryRow))
    return {row.sku: row for row in rows}, total


def test_report_rows_are_imported_and_linked_by_sku(shop_factory):
    shop = shop_factory()
    shop.sim.seed_listings(
        [{"sku": "ONLY-ON-AMAZON", "asin": "B0ONLYAMZN", "quantity": 0, "price": "4.20"}]
    )
    job = run_report(shop)
    assert job.status == JobStatus.DONE, job.error
    rows, total = inventory(shop)
    assert len(rows) == total == 13
    assert rows[sku(1)].product_id and rows[sku(1)].quantity == 11
    assert rows[sku(1)].asin == "B0TEST0001" and str(rows[sku(1)].price) == "9.99"
    assert rows["ONLY-ON-AMAZON"].product_id is None
    assert rows["ONLY-ON-AMAZON"].status == "Inactive"
    assert job.data["unmatched"] == 1 and job.items_ok == 13
    stats = shop.sim.stats()["requests"]
    assert stats["createReport"] == 1 and stats["getReportDocument"] == 1


def test_reimport_replaces_the_snapshot_atomically(shop_factory):
    shop = shop_factory()
    first = run_report(shop)
    shop.sim.seed_listings([{"sku": sku(1), "asin": "B0TEST0001", "quantity": 77, "price": "1"}])
    second = run_report(shop)
    rows, total = inventory(shop)
    assert total == len(rows) == 12  # the first snapshot is gone
    assert rows[sku(1)].quantity == 77
    with shop.rt.db.read() as session:
        assert session.get_one(Account, shop.account_id).inventory_snapshot_id == second.id
    assert first.id != second.id


def test_eu_report_in_cp1252_is_decoded(shop_factory):
    shop = shop_factory(SimulatorConfig.focused(marketplace_id="A1PA6795UKMFR9"))
    with shop.rt.db.transaction() as session:
        session.get_one(Account, shop.account_id).marketplace_id = "A1PA6795UKMFR9"
    shop.sim.seed_catalog(
        [{"asin": "B0DE000001", "item_name": "Kaffeebecher grün, 5 € – Łódź", "brand": "X"}]  # noqa: RUF001
    )
    shop.sim.seed_listings([{"sku": "DE-1", "asin": "B0DE000001", "quantity": 3, "price": "5"}])
    job = run_report(shop)
    assert job.status == JobStatus.DONE, job.error
    rows, _ = inventory(shop)
    # Cp1252 holds ä, € and the dash; it has no Ł, which Amazon sends as "?".
    assert rows["DE-1"].title == "Kaffeebecher grün, 5 € – ?ód?"  # noqa: RUF001
    assert rows["DE-1"].quantity == 3


def test_report_failures_end_in_error_and_leave_the_inventory(shop_factory):
    shop = shop_factory()
    run_report(shop)
    before, _ = inventory(shop)
    shop.sim.faults.fail_next_reports(1)
    job = run_report(shop)
    assert job.status == JobStatus.ERROR and "FATAL" in job.error
    after, total = inventory(shop)
    assert after.keys() == before.keys() and total == len(before)


def test_cancel_before_it_is_requested(shop_factory):
    shop = shop_factory()
    job = create_inventory_job(shop.rt, shop.account_id)
    Worker(shop.rt).run_once()
    cancel_job(shop.rt, job.id)
    shop.run_worker()
    assert shop.sim.stats()["requests"].get("createReport", 0) == 0


@pytest.mark.long  # a minute of a busy machine: make test-long's
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # memory is the parser's
def test_100k_rows_import_with_bounded_memory(shop_factory, db_url):
    shop = shop_factory()
    shop.sim.seed_listings(
        {"sku": f"BULK-{n:06d}", "asin": f"B{n:09d}", "quantity": n % 50, "price": "9.99"}
        for n in range(100_000)
    )
    job = create_inventory_job(shop.rt, shop.account_id)
    worker = Worker(shop.rt)
    tracemalloc.start()
    try:
        worker.run(until_idle=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with shop.rt.db.read() as session:
        job = get_job(session, job.id)
        log = [line.message for line in job_log(session, job.id)]
    assert job.status == JobStatus.DONE, job.error
    assert job.items_ok == 100_012 and job.data["linked"] == 12
    # Python allocations stay far below the report's size in memory (~100 000 rows).
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert any("100012 row(s) imported" in line for line in log)


def test_report_jobs_wait_in_created_for_quota(shop_factory):
    shop = shop_factory(limits={"createReport": {"burst": 1}})
    first = create_inventory_job(shop.rt, shop.account_id)
    second = create_inventory_job(shop.rt, shop.account_id)
    worker = Worker(shop.rt)
    for _ in range(4):
        worker.run_once()
    with shop.rt.db.read() as session:
        assert get_job(session, second.id).status == JobStatus.CREATED
    shop.run_worker()
    with shop.rt.db.read() as session:
        assert get_job(session, first.id).status == get_job(session, second.id).status
        assert get_job(session, second.id).status == JobStatus.DONE
    assert not shop.sim.stats()["throttled"]
