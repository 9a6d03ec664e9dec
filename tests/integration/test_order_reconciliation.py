"""Missed orders: the daily reconciliation finds the orders the regular import did not
store and imports them (issue 15, section 2), against the simulator over HTTP, on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.service import create_orders_import_job, create_orders_reconciliation_job
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import Account, Job, Order, OrderItem
from amazon_jobs.worker import Worker
from tests.conftest import T0
from tests.integration.conftest import Shop, sku

pytestmark = pytest.mark.timeout(300)

#: Only orders: no automatic sync, no inventory report.
ORDERS_ONLY = {"auto_sync": False, "inventory_report_every_s": 0}


def place(shop: Shop, count: int, *, minutes_ago: int = 90, **fields: object) -> list[str]:
    base = shop.clock.now() - timedelta(minutes=minutes_ago)
    return [
        shop.sim.orders.add_order(
            [{"sku": sku(n % 8)}, {"sku": sku((n + 3) % 8), "quantity": 2}],
            purchased_at=base + timedelta(minutes=n),
            **fields,
        ).order_id
        for n in range(count)
    ]


def run(shop: Shop, *, reconcile: bool = False) -> Job:
    create = create_orders_reconciliation_job if reconcile else create_orders_import_job
    job = create(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.read() as session:
        return get_job(session, job.id)


def log_lines(shop: Shop, job_id: int) -> list[str]:
    with shop.rt.db.read() as session:
        return [line.message for line in job_log(session, job_id)]


def stored(shop: Shop) -> dict[str, int]:
    """Each stored Amazon order id and how many lines it has."""
    with shop.rt.db.read() as session:
        rows = session.execute(
            select(Order.amazon_order_id, func.count(OrderItem.id).label("lines"))
            .outerjoin(OrderItem, OrderItem.order_id == Order.id)
            .group_by(Order.amazon_order_id)
        )
        return {row.amazon_order_id: row.lines for row in rows}


def forget(shop: Shop, order_id: str) -> None:
    """Lose an imported order here (a restore from an old backup, a bug)."""
    with shop.rt.db.transaction() as session:
        order = select(Order.id).where(Order.amazon_order_id == order_id).scalar_subquery()
        session.execute(delete(OrderItem).where(OrderItem.order_id == order))
        session.execute(delete(Order).where(Order.amazon_order_id == order_id))


def imported_until(shop: Shop) -> object:
    with shop.rt.db.read() as session:
        return session.scalar(select(Account.orders_imported_until))


@pytest.mark.parametrize("api", ["2026-01-01", "v0"])
def test_the_reconciliation_imports_the_orders_the_regular_import_missed(shop_factory, api):
    shop = shop_factory(orders_page_size=4)
    with shop.rt.db.transaction() as session:
        session.execute(update(Account).values(orders_api=api))
    ids = place(shop, 9)
    assert run(shop).status == JobStatus.DONE
    lost = ids[4]
    forget(shop, lost)
    # Amazon lists an order late, with an update time before the point already imported.
    (late,) = place(shop, 1, minutes_ago=80, updated_at=shop.clock.now() - timedelta(minutes=70))
    shop.clock.advance(600)
    regular = run(shop)
    assert regular.status == JobStatus.DONE and regular.items_total == 0
    assert lost not in stored(shop) and late not in stored(shop), "the regular import missed them"
    until = imported_until(shop)
    calls = shop.sim.stats()["requests"].get("getOrderItems", 0)

    job = run(shop, reconcile=True)
    assert job.status == JobStatus.DONE, job.error
    lines = log_lines(shop, job.id)
    assert lines[0].startswith("Orders reconciliation requested: the orders Amazon lists")
    summary = next(line for line in lines if line.startswith("Reconciliation:"))
    assert summary == (  # oldest first, as Amazon lists them
        f"Reconciliation: 2 order(s) Amazon lists were missing here: {lost}, {late}; imported"
    )
    assert stored(shop) == dict.fromkeys([*ids, late], 2), "imported with items"
    with shop.rt.db.read() as session:
        items = job_items(session, job.id)
        assert get_job(session, job.id).data["mode"] == "reconcile"
    assert sorted(item.ref for item in items) == sorted([lost, late])
    assert all(item.confirmed and item.confirmed["missing"] for item in items)
    assert (job.items_total, job.items_ok) == (2, 2)
    assert imported_until(shop) == until, "a reconciliation leaves the regular import's point"
    if api == "v0":  # the items of the missing orders only
        assert shop.sim.stats()["requests"]["getOrderItems"] == calls + 2


def test_a_reconciliation_that_finds_nothing_missing_says_so(shop_factory):
    shop = shop_factory(SimulatorConfig.focused(order_page_duplicates=0.6), orders_page_size=3)
    ids = place(shop, 10)
    run(shop)
    shop.clock.advance(600)
    job = run(shop, reconcile=True)
    assert job.status == JobStatus.DONE and job.items_total == 0
    since = (T0 + timedelta(seconds=600) - timedelta(days=3)).isoformat()
    assert (
        f"Reconciliation: all {len(ids)} order(s) Amazon lists as created since {since} "
        "were here already; nothing missing"
    ) in log_lines(shop, job.id)
    assert stored(shop) == dict.fromkeys(ids, 2)


def test_the_reconciliation_looks_back_its_configured_days(shop_factory):
    shop = shop_factory(orders_reconcile_days=1.0, orders_initial_days=7.0)
    (old,) = place(shop, 1, minutes_ago=2 * 24 * 60)
    (recent,) = place(shop, 1, minutes_ago=60)
    shop.clock.advance(600)
    job = run(shop, reconcile=True)
    assert stored(shop) == {recent: 2}, "two days old: outside a one-day reconciliation"
    assert old not in str(log_lines(shop, job.id))


def test_the_scheduler_reconciles_once_a_day_after_the_first_import(shop_factory):
    shop = shop_factory(**ORDERS_ONLY, orders_import_every_s=3600)
    scheduler = Scheduler(shop.rt, "host-a")
    ids = place(shop, 3)

    def tick() -> list[Job]:
        created = scheduler.tick().jobs(JobType.ORDERS_IMPORT)
        shop.run_worker()
        with shop.rt.db.read() as session:
            return [get_job(session, job_id) for job_id in created]

    def modes(jobs: list[Job]) -> list[str]:
        return [job.data.get("mode", "regular") for job in jobs]

    assert modes(tick()) == ["regular"]  # the first import; nothing to reconcile yet
    forget(shop, ids[1])
    found = []
    for hour in range(1, 50):
        shop.clock.set(T0 + timedelta(hours=hour))
        jobs = tick()
        assert len(jobs) == 1
        found.append((hour, modes(jobs)[0]))
    reconciliations = [hour for hour, mode in found if mode == "reconcile"]
    assert reconciliations == [24, 48], "once a day, counted from the first import"
    assert [mode for hour, mode in found if hour in (25, 49)] == ["regular", "regular"]
    assert ids[1] in stored(shop)
    with shop.rt.db.read() as session:
        first = session.scalars(
            select(Job).where(Job.data["mode"].as_string() == "reconcile").order_by(Job.id)
        ).first()
    assert first is not None and first.items_total == 1
    assert f"were missing here: {ids[1]}; imported" in " ".join(log_lines(shop, first.id))


def test_no_reconciliation_when_it_is_turned_off(shop_factory):
    shop = shop_factory(**ORDERS_ONLY, orders_import_every_s=3600, orders_reconcile_every_s=0)
    scheduler = Scheduler(shop.rt, "host-a")
    worker = Worker(shop.rt)
    for hour in range(0, 49, 6):
        shop.clock.set(T0 + timedelta(hours=hour))
        for job_id in scheduler.tick().jobs(JobType.ORDERS_IMPORT):
            worker.run(until_idle=True)
            with shop.rt.db.read() as session:
                assert "mode" not in get_job(session, job_id).data


def test_the_jobs_table_and_the_job_page_tell_a_reconciliation(shop, web):
    regular = run(shop)
    job = run(shop, reconcile=True)
    page = web.browser.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    assert 'Orders Import <span class="tag">reconciliation</span>' in page.text
    assert "Reconciliation: all 0 order(s) Amazon lists as created since" in page.text
    table = web.browser.get("/").text
    row = table.split(f'id="job-{job.id}"', 1)[1].split("</tr>", 1)[0]
    assert "reconciliation" in row
    other = table.split(f'id="job-{regular.id}"', 1)[1].split("</tr>", 1)[0]
    assert "reconciliation" not in other
