"""The scheduler against the simulator over HTTP, on SQLite and PostgreSQL, in virtual time:
automatic sync, periodic imports and reports, fulfillment, the watchdog, retention and
leadership."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from amazon_jobs.acknowledge import acknowledge_job
from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler import LEASE_NAME, Scheduler
from amazon_jobs.scheduler.periodic import is_due
from amazon_jobs.scheduler.retention import prune_jobs
from amazon_jobs.scheduler.watchdog import format_duration, stuck_message
from amazon_jobs.service import add_to_selling_list, create_listings_job, ship_order
from amazon_jobs.store import catalog, leases
from amazon_jobs.store.database import Database
from amazon_jobs.store.jobs import append_log, create_job, get_job, insert_items, job_items, job_log
from amazon_jobs.store.models import Account, Job, JobItem, JobLog, Product
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.worker import Worker
from tests.conftest import T0
from tests.integration.conftest import Shop, sku

pytestmark = pytest.mark.timeout(300)

QTY_PRICE = JobType.UPDATE_QTY_PRICE
#: Only what a test turns on: no periodic import or report.
QUIET = {"orders_import_every_s": 0, "inventory_report_every_s": 0}


def quiet_shop(shop_factory: Callable[..., Shop], **settings: object) -> Shop:
    return shop_factory(**{**QUIET, **settings})


def set_price(shop: Shop, sku_: str, price: str) -> None:
    with shop.rt.db.transaction() as session:
        session.execute(update(Product).where(Product.sku == sku_).values(price=Decimal(price)))


def load(shop: Shop, job_id: int) -> tuple[Job, dict[str, JobItem]]:
    with shop.rt.db.read() as session:
        return get_job(session, job_id), {item.ref: item for item in job_items(session, job_id)}


def log_lines(shop: Shop, job_id: int) -> list[str]:
    with shop.rt.db.read() as session:
        return [line.message for line in job_log(session, job_id)]


def step_until(shop: Shop, job_id: int, status: JobStatus, steps: int = 10) -> None:
    worker = Worker(shop.rt)
    for _ in range(steps):
        if load(shop, job_id)[0].status == status:
            return
        worker.run_once()
    assert load(shop, job_id)[0].status == status


# Automatic sync


def test_sync_sends_changed_active_listings_one_waiting_job_at_a_time(shop_factory):
    shop = quiet_shop(shop_factory)
    scheduler = Scheduler(shop.rt, "host-a")
    report = scheduler.tick()
    assert report.leader and report.created == {} and not report.errors  # nothing changed

    create_listings_job(shop.rt, JobType.STOP, shop.account_id, Selection(skus=(sku(4),)))
    shop.run_worker()
    assert shop.listing(sku(4)).state == ListingState.STOPPED
    shop.set_quantity(sku(1), 71)
    set_price(shop, sku(2), "12.00")
    shop.set_quantity(sku(4), 99)  # stopped: never picked
    with shop.rt.db.transaction() as session:  # not listed yet: never picked either
        catalog.upsert_products(
            session, [ProductRow("NEW-1", None, "New", 3, Decimal("4.00"))], shop.clock.now()
        )
    assert add_to_selling_list(shop.rt, shop.account_id, skus=("NEW-1",))[0] == 1
    (job_id,) = scheduler.tick().jobs(QTY_PRICE)
    job, items = load(shop, job_id)
    assert set(items) == {sku(1), sku(2)}
    assert items[sku(2)].requested == {"quantity": 12, "price": "12.00"}

    # While it waits to be sent, changes join it instead of making a second feed.
    shop.set_quantity(sku(5), 55)  # added to the waiting job
    shop.set_quantity(sku(1), 72)  # coalesced into the waiting job
    deferred = scheduler.tick()
    assert deferred.created == {} and deferred.sync_deferred == [shop.account_id]
    assert deferred.topped_up == {job_id: 1}
    job, items = load(shop, job_id)
    assert set(items) == {sku(1), sku(2), sku(5)} and job.items_total == 3
    assert "Added 1 listing(s)" in log_lines(shop, job_id)
    shop.use_up(Operation.JSON_LISTINGS_FEED)  # it waits for quota in created
    Worker(shop.rt).run_once()
    assert load(shop, job_id)[0].status == JobStatus.CREATED
    assert scheduler.tick().created == {}

    shop.run_worker()
    job, items = load(shop, job_id)
    assert job.status == JobStatus.DONE and items[sku(1)].sent == {"quantity": 72, "price": "9.99"}
    assert shop.listing(sku(1)).confirmed_quantity == 72
    assert shop.listing(sku(5)).confirmed_quantity == 55
    assert scheduler.tick().created == {}
    shop.set_quantity(sku(3), 33)  # once the waiting job is sent, the next change is a new job
    (next_id,) = scheduler.tick().jobs(QTY_PRICE)
    assert set(load(shop, next_id)[1]) == {sku(3)}
    shop.run_worker()
    assert scheduler.tick().created == {}
    assert shop.listing(sku(4)).confirmed_quantity == 0
    assert shop.sim.listings()[sku(4)].quantity == 0
    assert shop.sim.stats()["requests"]["createFeed"] == 3  # stop, then two syncs


def test_auto_sync_off_creates_nothing(shop_factory):
    shop = quiet_shop(shop_factory, auto_sync=False)
    shop.set_quantity(sku(1), 71)
    assert Scheduler(shop.rt, "host-a").tick().created == {}


def seed_bulk(shop: Shop, count: int) -> None:
    """*count* more products, listed and confirmed on Amazon as they are."""
    now = shop.clock.now()
    rows = [
        ProductRow(f"BULK-{n:05d}", None, f"Bulk {n}", n % 50, Decimal("20.00") + n % 7)
        for n in range(count)
    ]
    listings = [ListingRow(r.sku, f"B1{n:08d}", r.quantity, r.price) for n, r in enumerate(rows)]
    for start in range(0, count, 1000):
        with shop.rt.db.transaction() as session:
            catalog.upsert_products(session, rows[start : start + 1000], now)
            catalog.upsert_listings(session, shop.account_id, listings[start : start + 1000], now)
    shop.sim.seed_listings(
        {"sku": r.sku, "asin": r.asin, "quantity": r.quantity, "price": r.price} for r in listings
    )


@pytest.mark.parametrize(
    ("feed_max", "feeds"), [(None, [5000]), (1000, [1000] * 5)], ids=["default", "1000-a-feed"]
)
def test_5000_price_changes_become_the_fewest_feeds(shop_factory, feed_max, feeds):
    settings = {"feed_max_messages": feed_max} if feed_max else {}
    shop = quiet_shop(shop_factory, **settings)
    seed_bulk(shop, 5000)
    scheduler = Scheduler(shop.rt, "host-a")
    assert scheduler.tick().created == {}
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Product).where(Product.sku.like("BULK-%")).values(price=Product.price + 1)
        )

    job_ids = scheduler.tick().jobs(QTY_PRICE)
    assert [load(shop, job_id)[0].items_total for job_id in job_ids] == feeds
    assert scheduler.tick().created == {}  # they wait in reserved: nothing more
    shop.run_worker()

    stats = shop.sim.stats()
    assert stats["requests"]["createFeed"] == len(feeds)
    assert [feed["messages"] for feed in stats["feeds"]] == feeds
    assert stats["throttled"] == {}
    for job_id in job_ids:
        job, _ = load(shop, job_id)
        assert job.status == JobStatus.DONE and job.items_failed == 0
    assert sum(load(shop, job_id)[0].items_ok for job_id in job_ids) == 5000
    assert shop.sim.listings()["BULK-04999"].price == Decimal("20.00") + 4999 % 7 + 1
    assert shop.listing("BULK-04999").confirmed_price == Decimal("20.00") + 4999 % 7 + 1
    assert scheduler.tick().created == {}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_changes_spread_over_ticks_still_fill_every_feed(shop_factory):
    shop = quiet_shop(shop_factory, feed_max_messages=100)
    seed_bulk(shop, 250)
    scheduler = Scheduler(shop.rt, "host-a")

    def raise_prices(first: int, last: int) -> None:
        skus = [f"BULK-{n:05d}" for n in range(first, last)]
        with shop.rt.db.transaction() as session:
            session.execute(
                update(Product).where(Product.sku.in_(skus)).values(price=Product.price + 1)
            )

    raise_prices(0, 150)
    first = scheduler.tick()
    job_ids = first.jobs(QTY_PRICE)
    assert [load(shop, job_id)[0].items_total for job_id in job_ids] == [100, 50]
    raise_prices(150, 220)  # the second job has room for 50 of these 70
    second = scheduler.tick()
    assert second.created == {} and second.topped_up == {job_ids[1]: 50}
    assert [load(shop, job_id)[0].items_total for job_id in job_ids] == [100, 100]
    shop.run_worker()
    (last_id,) = scheduler.tick().jobs(QTY_PRICE)
    assert load(shop, last_id)[0].items_total == 20
    shop.run_worker()

    stats = shop.sim.stats()
    assert [feed["messages"] for feed in stats["feeds"]] == [100, 100, 20]  # ceil(220/100)
    assert shop.sim.listings()["BULK-00219"].price == shop.listing("BULK-00219").confirmed_price
    assert shop.listing("BULK-00220").confirmed_price == Decimal("20.00") + 220 % 7


# Periodic jobs


def test_is_due():
    assert is_due(None, 900, T0)
    assert not is_due(T0, 900, T0 + timedelta(seconds=899))
    assert is_due(T0, 900, T0 + timedelta(seconds=900))
    assert not is_due(None, 0, T0)


@pytest.mark.parametrize(
    ("job_type", "setting", "every"),
    [
        (JobType.ORDERS_IMPORT, "orders_import_every_s", 900),
        (JobType.INVENTORY_REPORT, "inventory_report_every_s", 3600),
    ],
)
def test_periodic_job_respects_its_interval_one_active_at_a_time(
    shop_factory, job_type, setting, every
):
    shop = quiet_shop(shop_factory, auto_sync=False, **{setting: every})
    scheduler = Scheduler(shop.rt, "host-a")
    (first,) = scheduler.tick().jobs(job_type)
    assert scheduler.tick().created == {}  # one active at a time
    shop.run_worker()
    assert load(shop, first)[0].status == JobStatus.DONE
    assert shop.clock.now() < T0 + timedelta(seconds=every - 1)

    shop.clock.set(T0 + timedelta(seconds=every - 1))
    assert scheduler.tick().created == {}
    shop.clock.set(T0 + timedelta(seconds=every))
    (second,) = scheduler.tick().jobs(job_type)
    assert load(shop, second)[0].created_at == T0 + timedelta(seconds=every)

    shop.clock.advance(3 * every)  # overdue, but the second one has not run yet
    assert scheduler.tick().created == {}
    shop.run_worker()
    (third,) = scheduler.tick().jobs(job_type)
    assert third not in (first, second)


def place_orders(shop: Shop, count: int) -> list[str]:
    base = shop.clock.now() - timedelta(minutes=60)
    return [
        shop.sim.orders.add_order(
            [{"sku": sku(n % 8), "quantity": 1}], purchased_at=base + timedelta(seconds=30 * n)
        ).order_id
        for n in range(count)
    ]


def ship(shop: Shop, order_id: str) -> None:
    spec = ShipmentSpec(carrier_code="UPS", tracking_number="1Z999", ship_date=shop.clock.now())
    ship_order(shop.rt, shop.account_id, order_id, spec)


def test_fulfillment_job_for_due_packages_one_active_at_a_time(shop_factory):
    shop = quiet_shop(shop_factory, auto_sync=False, orders_import_every_s=86_400)
    ids = place_orders(shop, 3)
    scheduler = Scheduler(shop.rt, "host-a")
    assert scheduler.tick().jobs(JobType.ORDERS_IMPORT)
    shop.run_worker()
    assert scheduler.tick().created == {}  # imported, nothing shipped yet

    ship(shop, ids[0])
    ship(shop, ids[1])
    (first,) = scheduler.tick().jobs(JobType.ORDERS_FULFILLMENT)
    assert load(shop, first)[0].items_total == 2
    ship(shop, ids[2])
    assert scheduler.tick().created == {}  # the first one is still active
    shop.run_worker()
    assert load(shop, first)[0].items_ok == 2
    (second,) = scheduler.tick().jobs(JobType.ORDERS_FULFILLMENT)
    assert [item.ref.split()[0] for item in load(shop, second)[1].values()] == [ids[2]]
    shop.run_worker()
    assert scheduler.tick().created == {}
    assert all(str(shop.sim.orders.order(i).status) == "Shipped" for i in ids)


# Watchdog


def test_watchdog_flags_a_feed_amazon_has_not_finished_once(shop_factory):
    shop = quiet_shop(shop_factory)
    scheduler = Scheduler(shop.rt, "host-a")
    shop.set_quantity(sku(1), 71)
    (job_id,) = scheduler.tick().jobs(QTY_PRICE)
    step_until(shop, job_id, JobStatus.WAITING_FOR_RESULT)
    submitted = shop.clock.now()
    with shop.rt.db.transaction() as session:  # as the worker records it
        session.execute(update(Job).where(Job.id == job_id).values(submitted_at=submitted))

    shop.clock.set(submitted + timedelta(hours=8))
    assert scheduler.tick().stuck == []
    shop.clock.advance(1)
    assert scheduler.tick().stuck == [job_id]
    assert scheduler.tick().stuck == []
    job, _ = load(shop, job_id)
    assert job.stuck_at == submitted + timedelta(hours=8, seconds=1)
    warnings = [line for line in log_lines(shop, job_id) if "has not finished" in line]
    assert warnings == [
        f"Amazon has not finished feed {job.amazon_ref} after 8 hours (its guidance): still "
        "polling; further feeds of this account wait until it finishes."
    ]
    shop.run_worker()  # polling goes on: the feed finishes
    assert load(shop, job_id)[0].status == JobStatus.DONE


def test_stuck_message_says_the_configured_wait():
    assert format_duration(8 * 3600) == "8 hours"
    assert format_duration(3600) == "1 hour"
    assert format_duration(5400) == "1.5 hours"
    assert format_duration(1800) == "30 minutes"
    assert stuck_message("inventory_report", "77", 1800) == (
        "Amazon has not finished report 77 after 30 minutes (its guidance): still polling."
    )


# Retention


def finished_job(
    session: Session,
    shop: Shop,
    status: str,
    finished_at: datetime,
    *,
    acknowledged: bool = False,
    parent_id: int | None = None,
) -> int:
    job = create_job(session, shop.account_id, JobType.UPDATE_QTY, finished_at - timedelta(hours=1))
    job.status, job.finished_at, job.next_run_at = status, finished_at, None
    job.parent_id = parent_id
    job.acknowledged_at = finished_at if acknowledged else None
    insert_items(
        session,
        [
            {"job_id": job.id, "ref": f"R{n}", "prior": {}, "requested": {}, "outcome": "ok"}
            for n in range(3)
        ],
    )
    append_log(session, job.id, finished_at, "finished")
    session.flush()
    return job.id


def counts(shop: Shop, model: type[JobItem] | type[JobLog], job_ids: list[int]) -> dict[int, int]:
    with shop.rt.db.read() as session:
        rows = session.execute(
            select(model.job_id, func.count())
            .where(model.job_id.in_(job_ids))
            .group_by(model.job_id)
        )
        return dict(rows.all())


def test_retention_prunes_old_finished_and_acknowledged_jobs_only(shop_factory):
    shop = quiet_shop(shop_factory)
    now = shop.clock.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    with shop.rt.db.transaction() as session:
        old_done = finished_job(session, shop, "done", old)
        old_canceled = finished_job(session, shop, "canceled", old)
        acked_error = finished_job(session, shop, "error", old)
        unacked_error = finished_job(session, shop, "error", old)
        recent_done = finished_job(session, shop, "done", recent)
        child = finished_job(session, shop, "done", recent, parent_id=old_done)
        snapshot = finished_job(session, shop, "done", now - timedelta(days=40))
        session.execute(update(Account).values(inventory_snapshot_id=snapshot))
    acknowledge_job(shop.rt, acked_error)
    acknowledge_job(shop.rt, acked_error)  # twice changes nothing
    with pytest.raises(AmazonJobsError, match="is done: only jobs in error can be acknowledged"):
        acknowledge_job(shop.rt, old_done)

    report = Scheduler(shop.rt, "host-a").tick()
    assert report.pruned == 3 and not report.errors
    gone = [old_done, old_canceled, acked_error]
    kept = [unacked_error, recent_done, child, snapshot]
    with shop.rt.db.read() as session:
        assert set(session.scalars(select(Job.id))) == set(kept)
        assert get_job(session, child).parent_id is None
    assert counts(shop, JobItem, gone) == {} and counts(shop, JobLog, gone) == {}
    assert counts(shop, JobItem, kept) == dict.fromkeys(kept, 3)
    assert counts(shop, JobLog, kept) == dict.fromkeys(kept, 1)
    assert Scheduler(shop.rt, "host-a").tick().pruned == 0


def test_retention_works_in_bounded_batches(shop_factory):
    shop = quiet_shop(shop_factory)
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        ids = [finished_job(session, shop, "done", now - timedelta(days=60)) for _ in range(7)]
    db = shop.rt.db
    assert prune_jobs(db, now, 30, jobs_per_batch=2, rows_per_batch=2, max_batches=2) == 4
    assert prune_jobs(db, now, 30, jobs_per_batch=2, rows_per_batch=2) == 3
    assert counts(shop, JobItem, ids) == {} and counts(shop, JobLog, ids) == {}


# Leadership


class StopAfterSleeps:
    """The shared virtual clock, but the *n*-th sleep sets the stop event instead."""

    def __init__(self, clock: VirtualClock, n: int) -> None:
        self.clock, self.n = clock, n
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.clock.now()

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        self.slept.append(seconds)
        if len(self.slept) >= self.n and interrupt is not None:
            interrupt.set()
            return False
        return self.clock.sleep(seconds, interrupt)

    def sleep_until(self, when: datetime, interrupt: threading.Event | None = None) -> bool:
        return self.sleep((when - self.now()).total_seconds(), interrupt)

    def real_seconds(self, seconds: float) -> float:
        return self.clock.real_seconds(seconds)

    def from_real(self, seconds: float) -> float:
        return self.clock.from_real(seconds)


def test_only_the_lease_holder_acts_and_another_takes_over(shop_factory):
    shop = quiet_shop(shop_factory)
    clock_b = StopAfterSleeps(shop.clock, 2)
    rt_b = Runtime.build(shop.rt.settings, clock=clock_b)
    try:
        a, b = Scheduler(shop.rt, "host-a"), Scheduler(rt_b, "host-b")
        shop.set_quantity(sku(1), 71)
        first = a.tick()
        assert first.leader and first.jobs(QTY_PRICE)
        shop.set_quantity(sku(2), 72)
        idle = b.tick()
        assert not idle.leader and idle.created == {} and str(idle) == "not the leader: idle"

        # a dies: its lease runs out in virtual time, then b takes over.
        shop.clock.advance(a.lease_ttl.total_seconds() - 1)
        assert not b.tick().leader
        shop.clock.advance(2)
        taken = b.tick()
        assert taken.leader and taken.sync_deferred == [shop.account_id]
        assert not a.tick().leader

        # b runs and stops: it ticks every interval and lets the lease go on exit.
        b.run(threading.Event())
        assert clock_b.slept == [60.0, 60.0]
        with shop.rt.db.read() as session:
            assert leases.holder(session, LEASE_NAME, shop.clock.now()) is None
        assert a.tick().leader
    finally:
        rt_b.close()


def test_exactly_one_of_many_contenders_holds_a_lease(db_url):
    db = Database(db_url)
    ttl = timedelta(seconds=60)
    try:
        for round_ in range(5):
            name, barrier = f"race-{round_}", threading.Barrier(8)
            won: dict[int, bool] = {}

            def contend(n, name=name, barrier=barrier, won=won):
                barrier.wait()
                with db.transaction() as session:
                    won[n] = leases.acquire(session, name, f"p{n}", T0, ttl)

            threads = [threading.Thread(target=contend, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(won.values()) == [False] * 7 + [True]

        with db.transaction() as session:
            owner = leases.holder(session, "race-0", T0)
            assert owner is not None
            other = "p0" if owner != "p0" else "p1"
            assert leases.acquire(session, "race-0", owner, T0 + ttl / 2, ttl)  # renewed
            assert not leases.acquire(session, "race-0", other, T0 + ttl, ttl)
            leases.release(session, "race-0", other)  # not its lease: nothing happens
            assert leases.holder(session, "race-0", T0 + ttl) == owner
            assert leases.acquire(session, "race-0", other, T0 + ttl * 2, ttl)  # expired
    finally:
        db.dispose()


def test_sync_does_not_resend_a_sku_amazon_says_does_not_exist(shop_factory):
    """SKU-003 is not on the simulated seller: Amazon refuses its update once, and the
    listing leaves "active" (issue 13 §3), so sync never resends it, even after the
    product changes; Sending Products is what can put it on Amazon."""
    shop = quiet_shop(shop_factory, unknown_on_amazon=(3,))
    shop.set_quantity(sku(3), 99)
    scheduler = Scheduler(shop.rt, "host-a")
    first = scheduler.tick().jobs(JobType.UPDATE_QTY_PRICE)
    assert len(first) == 1
    shop.run_worker()
    listing = shop.listing(sku(3))
    assert listing.last_error and listing.state == ListingState.ERROR
    assert scheduler.tick().jobs(JobType.UPDATE_QTY_PRICE) == []  # not again, unchanged
    shop.clock.advance(1)
    shop.set_quantity(sku(3), 98)  # the shop changed it: still not on Amazon
    assert scheduler.tick().jobs(JobType.UPDATE_QTY_PRICE) == []
