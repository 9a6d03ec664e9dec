"""Four worker processes on one PostgreSQL; and PostgreSQL restarted under running workers."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import (
    add_to_selling_list,
    create_fulfillment_job,
    create_inventory_job,
    create_listings_job,
    create_orders_import_job,
    ship_order,
)
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.catalog.generator import catalog_ean
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.database import Database
from amazon_jobs.store.jobs import job_items
from amazon_jobs.store.models import Job, JobLog, Product
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.worker import Worker
from tests.conftest import truncate
from tests.processes.harness import Fleet, fleet, wait_for

pytestmark = [pytest.mark.timeout(300)]

ACCOUNTS = 9
#: (job type, how many jobs, SKUs each) per account, on disjoint SKUs.
LISTING_JOBS = [
    (JobType.UPDATE_QTY, 5, 2),
    (JobType.UPDATE_PRICE, 4, 2),
    (JobType.UPDATE_QTY_PRICE, 4, 2),
    (JobType.STOP, 2, 2),
    (JobType.STOP_REMOVE, 1, 2),
]


def create_mix(crew: Fleet, n: int, account_id: int) -> None:
    """About 23 jobs of every type for account n."""
    with crew.rt.db.transaction() as session:
        session.execute(
            update(Product)
            .where(Product.sku.like(f"P{n}-%"))
            .values(quantity=7, price=Decimal("8.88"))
        )
    k = 0
    for job_type, count, size in LISTING_JOBS:
        for _ in range(count):
            skus = tuple(f"P{n}-{k + i}" for i in range(size))
            create_listings_job(crew.rt, job_type, account_id, Selection(skus=skus))
            k += size
    new = [
        ProductRow(f"N{n}-{j}", catalog_ean(n * 10 + j), "New", 3, Decimal("5.00"))
        for j in range(4)
    ]
    with crew.rt.db.transaction() as session:
        catalog.upsert_products(session, new, crew.rt.clock.now())
    add_to_selling_list(crew.rt, account_id, skus=[p.sku for p in new])
    for j in (0, 2):
        create_listings_job(
            crew.rt,
            JobType.SEND_PRODUCTS,
            account_id,
            Selection(skus=(f"N{n}-{j}", f"N{n}-{j + 1}")),
        )
    for _ in range(2):
        create_inventory_job(crew.rt, account_id)


def import_orders(crew: Fleet, accounts: dict[int, int]) -> dict[int, list[str]]:
    """Two orders per account on Amazon, imported in-process before the fleet starts."""
    past = crew.rt.clock.now() - timedelta(minutes=30)
    orders = {
        n: [
            crew.sim.orders.add_order(
                [{"sku": f"P{n}-{30 + i}"}], seller_id=f"A{n:02d}SELLER", purchased_at=past
            ).order_id
            for i in range(2)
        ]
        for n in accounts
    }
    for account_id in accounts.values():
        create_orders_import_job(crew.rt, account_id)
    Worker(crew.rt, concurrency=4).run(until_idle=True)
    return orders


def ship(crew: Fleet, account_id: int, order_ids: list[str]) -> None:
    """Each order shipped in its own package and Orders Fulfillment job; then a new import."""
    for order_id in order_ids:
        spec = ShipmentSpec("UPS", f"1Z{order_id[-7:]}", crew.rt.clock.now())
        ship_order(crew.rt, account_id, order_id, spec)
        create_fulfillment_job(crew.rt, account_id)
    create_orders_import_job(crew.rt, account_id)


def check_every_job_and_feed(crew: Fleet) -> list[Job]:
    with crew.rt.db.read() as session:
        jobs = list(session.scalars(select(Job)))
        failed_items = {
            item.ref
            for job in jobs
            for item in job_items(session, job.id)
            if item.outcome == "error"
        }
    assert {JobStatus(j.status) for j in jobs} == {JobStatus.DONE}, [
        (j.id, j.type, j.status, j.error) for j in jobs if j.status != JobStatus.DONE
    ]
    # Only the SKUs the simulated sellers do not have failed, each in its QTY job.
    assert failed_items == {f"P{n}-{k}" for n in range(1, ACCOUNTS + 1) for k in (0, 1)}
    feed_jobs = [j for j in jobs if JobType(j.type) in FEED_JOB_TYPES]
    stats = crew.sim.stats()
    assert stats["feeds_created"] == len(feed_jobs) == len({j.amazon_ref for j in feed_jobs})
    assert {f["feed_id"] for f in stats["feeds"]} == {j.amazon_ref for j in feed_jobs}
    with crew.rt.db.read() as session:
        odd = [
            (line.job_id, line.message)
            for line in session.scalars(select(JobLog).where(JobLog.message.like("createFeed %")))
            if "HTTP 202" not in line.message
        ]
    assert stats["requests"]["createFeed"] == len(feed_jobs), odd
    report_jobs = [j for j in jobs if j.type == JobType.INVENTORY_REPORT]
    assert stats["reports_created"] == len(report_jobs)
    assert not stats["throttled"], stats["throttled"]
    return jobs


@pytest.mark.postgres
@pytest.mark.long  # a minute or more of a busy machine: make test-long's
def test_four_workers_two_hundred_jobs_each_feed_once_zero_429s(pg_url, tmp_path: Path):
    truncate(pg_url)
    config = SimulatorConfig.focused(feed_queue_s=5, feed_processing_s=10, catalog_size=200)
    with fleet(pg_url, tmp_path, scale=100.0, sim_config=config) as crew:
        accounts = {
            n: crew.add_account(n, products=40, unknown_on_amazon=2) for n in range(1, ACCOUNTS + 1)
        }
        orders = import_orders(crew, accounts)
        for n, account_id in accounts.items():
            ship(crew, account_id, orders[n])
            create_mix(crew, n, account_id)
        with crew.rt.db.read() as session:
            pending = session.scalars(select(Job).where(Job.status != JobStatus.DONE)).all()
        assert len(pending) >= 200
        workers = [crew.worker(f"w{i}", "--until-idle", "--concurrency", "2") for i in range(4)]
        for process in workers:
            assert process.wait(240) == 0
        check_every_job_and_feed(crew)
        with crew.rt.db.read() as session:
            leases = set(session.scalars(select(Job.lease_owner)))
        assert leases == {None}  # every lease given back


@pytest.mark.postgres
@pytest.mark.pg_restart
def test_postgres_restart_while_workers_run(pg_url, tmp_path: Path):
    truncate(pg_url)
    config = SimulatorConfig.focused(feed_queue_s=5, feed_processing_s=10, catalog_size=200)
    with fleet(pg_url, tmp_path, scale=50.0, sim_config=config) as crew:
        for n in range(1, 4):
            create_mix(crew, n, crew.add_account(n, products=40, unknown_on_amazon=2))
        workers = [crew.worker(f"w{i}", "--until-idle") for i in range(2)]
        wait_for(lambda: crew.sim.stats()["feeds_created"] >= 3, 60, "the first feeds")
        restart = subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                _pg_version(),
                "main",
                "restart",
                "-m",
                "fast",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert restart.returncode == 0, restart.stderr
        for process in workers:
            assert process.wait(240) == 0
        logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("*.log"))
        assert "database unreachable" in logs or "database error" in logs
        with crew.rt.db.read() as session:
            jobs = list(session.scalars(select(Job)))
        assert {JobStatus(j.status) for j in jobs} == {JobStatus.DONE}
        feed_jobs = [j for j in jobs if JobType(j.type) in FEED_JOB_TYPES]
        assert crew.sim.stats()["feeds_created"] == len(feed_jobs)
        assert not crew.sim.stats()["throttled"]


def _pg_version() -> str:
    return sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]


def test_several_worker_processes_on_one_sqlite_file(tmp_path: Path):
    """SQLite lets one writer in at a time: still, each step is claimed by one worker."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    config = SimulatorConfig.focused(feed_queue_s=5, feed_processing_s=10, catalog_size=200)
    with fleet(url, tmp_path, scale=100.0, sim_config=config) as crew:
        for n in range(1, 4):
            create_mix(crew, n, crew.add_account(n, products=40, unknown_on_amazon=2))
        workers = [crew.worker(f"w{i}", "--until-idle", "--concurrency", "2") for i in range(3)]
        for process in workers:
            assert process.wait(240) == 0
        with crew.rt.db.read() as session:
            jobs = list(session.scalars(select(Job)))
        assert {JobStatus(j.status) for j in jobs} == {JobStatus.DONE}
        feed_jobs = [j for j in jobs if JobType(j.type) in FEED_JOB_TYPES]
        stats = crew.sim.stats()
        assert stats["feeds_created"] == len(feed_jobs) == stats["requests"]["createFeed"]
        assert not stats["throttled"]
