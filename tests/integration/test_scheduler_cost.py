"""What a scheduler tick costs the database when there is nothing to do, on SQLite and
PostgreSQL: no write transaction for an account with nothing to do (on SQLite a write
holds the whole database), a lease renewed only as often as it has to be, and the sync
selection answered from the account's own listings (bench/capacity.py measures the
time; these tests hold the shape)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select

from amazon_jobs.clock import ScaledClock, VirtualClock
from amazon_jobs.domain.catalog import ListingRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler import LEASE_NAME, Scheduler
from amazon_jobs.scheduler.loop import MIN_PAUSE_REAL_S, RENEW_FRACTION
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.models import LeaderLease, Product
from tests.conftest import T0, make_runtime
from tests.integration.conftest import Shop, make_shop, sku

pytestmark = pytest.mark.timeout(300)

QUIET = {"orders_import_every_s": 0, "inventory_report_every_s": 0}


def add_accounts(shop: Shop, count: int) -> list[int]:
    """*count* more accounts selling the shop's products, every listing as Amazon shows it
    (nothing to send)."""
    config, ids = shop.sim.config, []
    with shop.rt.db.transaction() as session:
        products = session.execute(select(Product.sku, Product.quantity, Product.price)).all()
        for n in range(count):
            spec = account_spec(config, shop.server.url, f"extra-{n}", seller_id=f"AEXTRA{n:04d}")
            account_id = add_account(session, spec, shop.rt.cipher, shop.clock.now()).id
            rows = [
                ListingRow(row.sku, f"B0X{n:03d}{k:04d}", row.quantity, row.price)
                for k, row in enumerate(products)
            ]
            catalog.upsert_listings(session, account_id, rows, shop.clock.now())
            ids.append(account_id)
    return ids


def writes_during(rt: Runtime, action: Callable[[], object]) -> int:
    """Write transactions begun while *action* runs."""
    began: list[object] = []
    rt.db.on_write.append(began.append)
    try:
        action()
    finally:
        rt.db.on_write.remove(began.append)
    return len(began)


def idle_tick_writes(shop: Shop, scheduler: Scheduler) -> int:
    shop.clock.advance(shop.rt.settings.scheduler_interval_s)
    return writes_during(shop.rt, scheduler.tick)


def test_an_account_with_nothing_to_do_costs_a_tick_no_write(shop_factory):
    shop = shop_factory(**QUIET)
    scheduler = Scheduler(shop.rt, "host-a")
    scheduler.tick()
    one_account = idle_tick_writes(shop, scheduler)

    add_accounts(shop, 4)
    scheduler.tick()
    five_accounts = idle_tick_writes(shop, scheduler)
    # The tick's own writes (its lease, the watchdog, expired logins), none per account.
    assert five_accounts == one_account <= 3

    # A change is still found, and written, at the next tick: a job for each account
    # selling the product.
    shop.set_quantity(sku(1), 71)
    shop.clock.advance(shop.rt.settings.scheduler_interval_s)
    report = scheduler.tick()
    assert len(report.jobs(JobType.UPDATE_QTY_PRICE)) == 5 and not report.errors


def lease_expiry(shop: Shop) -> datetime | None:
    with shop.rt.db.read() as session:
        at = session.scalar(select(LeaderLease.expires_at).where(LeaderLease.name == LEASE_NAME))
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


def test_a_long_tick_renews_its_lease_once_a_third_of_it_has_passed(shop_factory):
    shop = shop_factory(**QUIET)
    a, b = Scheduler(shop.rt, "host-a"), Scheduler(shop.rt, "host-b")
    assert a.tick().leader
    taken = lease_expiry(shop)
    assert taken is not None

    # Between two accounts, early in the lease: held, nothing written.
    shop.clock.advance((a.lease_ttl * RENEW_FRACTION).total_seconds() - 1)
    assert writes_during(shop.rt, a._still_hold) == 0
    assert lease_expiry(shop) == taken and not b.tick().leader

    # Later: renewed for a whole lease from now.
    shop.clock.advance(2)
    assert a._still_hold()
    assert lease_expiry(shop) == shop.clock.now() + a.lease_ttl
    assert not b.tick().leader

    # A scheduler that let its lease go takes it again before acting.
    a.release()
    assert b.tick().leader
    assert not a._still_hold()


def _stop_at_first_rest(rests: list[float]) -> Callable[..., bool]:
    """A clock's sleep that records the scheduler's first rest and stops it there."""

    def sleep(seconds: float, interrupt: threading.Event | None = None) -> bool:
        rests.append(seconds)
        return False

    return sleep


@pytest.mark.parametrize("scale", [600.0, 3600.0])
def test_on_a_fast_clock_the_scheduler_rests_between_ticks(
    sqlite_url: str, tmp_path: Path, scale: float
):
    """At 600x a 60 s interval is a tenth of a real second, less than a tick takes:
    the rest between ticks is at least MIN_PAUSE_REAL_S of real time, not nothing."""
    rests: list[float] = []
    clock = ScaledClock(scale)  # the demo's fast clock
    clock.sleep = _stop_at_first_rest(rests)  # type: ignore[method-assign]
    rt = make_runtime(sqlite_url, clock, tmp_path)  # type: ignore[arg-type]
    try:
        Scheduler(rt, "demo").run(threading.Event())
    finally:
        rt.close()
    (rest,) = rests
    assert rest >= MIN_PAUSE_REAL_S * scale > rt.settings.scheduler_interval_s


def test_on_the_virtual_clock_the_interval_alone_sets_the_rest(shop):
    """A virtual clock has no real time: the next tick is one interval after this one."""
    rests: list[float] = []
    shop.clock.sleep = _stop_at_first_rest(rests)
    Scheduler(shop.rt, "host-a").run(threading.Event())
    assert rests == [shop.rt.settings.scheduler_interval_s]  # the tick took no clock time


def test_a_ticks_questions_about_an_account_read_its_own_rows(tmp_path: Path):
    """SQLite plans without statistics. With several accounts and jobs kept, each question
    of an idle tick must be answered from the account's own rows: "anything to sync?"
    through ix_listings_account_state_free, not through every free listing of the
    installation (ix_listings_locked_by_job_id), which made a tick grow with the square
    of the number of accounts; the units held back from Amazon grouped once from the
    account's open orders (ix_orders_open), not looked up for each listing through every
    order item of its SKU ever imported (ix_order_items_sku), closed orders included; the
    latest job of a type at the end of ix_jobs_account_type_created, not over every job of
    the type kept."""
    rt = make_runtime(f"sqlite:///{tmp_path}/plan.db", VirtualClock(T0), tmp_path, **QUIET)
    migrate.upgrade(rt.db)
    shop, server = make_shop(rt, rt.clock)  # type: ignore[arg-type]
    try:
        add_accounts(shop, 3)
        scheduler = Scheduler(rt, "host-a")
        scheduler.tick()
        shop.clock.advance(rt.settings.scheduler_interval_s)
        statements: dict[str, object] = {}

        def seen(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
            if statement.lstrip().startswith(("SELECT", "WITH")):
                statements.setdefault(statement, parameters)

        event.listen(rt.db.engine, "after_cursor_execute", seen)
        scheduler.tick()
        event.remove(rt.db.engine, "after_cursor_execute", seen)
        plans: dict[str, list[str]] = {}
        with rt.db.engine.connect() as connection:
            for statement, parameters in statements.items():
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans[" ".join(statement.split())] = [row[3] for row in rows]
    finally:
        server.stop()
        rt.close()

    def plan_of(start: str) -> list[str]:
        (steps,) = [steps for text, steps in plans.items() if text.startswith(start)]
        return steps

    sync = plan_of("WITH held_units AS MATERIALIZED (SELECT order_items.sku")
    assert any("ix_listings_account_state_free" in step for step in sync), sync
    assert any("ix_orders_open" in step for step in sync), sync
    assert not any("ix_order_items_sku" in step for step in sync), sync
    every = [step for steps in plans.values() for step in steps]
    assert not any("ix_listings_locked_by_job_id" in step for step in every), plans
    latest = plan_of("SELECT max(jobs.created_at)")
    assert any("ix_jobs_account_type_created" in step for step in latest), latest
