"""The soak scenario: workers and the scheduler under chaos, then the invariants.

Several ``amazon-jobs worker`` processes (each also running the scheduler,
one acting at a time) serve a few accounts against the simulator, which
answers a small share of requests with 500/503. Meanwhile a driver changes
quantities and prices (the scheduler turns them into update jobs), places
orders on Amazon (the scheduler imports them), ships some of them
(fulfillment jobs) and stops a few listings; a chaos loop SIGKILLs a random
worker every few seconds and starts a new one, and PostgreSQL is restarted
once half way. Then the faults stop, the fleet drains, and
:func:`check_invariants` looks at what is left.

Sizes: :data:`SMALL` runs in CI (about a minute); ``make soak`` runs
:data:`LARGE` (``AMAZON_JOBS_SOAK=large``).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import SelectionError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_fulfillment_job, create_listings_job, ship_order
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.store.available import targets_for
from amazon_jobs.store.models import Job, JobItem, Listing, Order, Product, Shipment
from amazon_jobs.store.orders import ShipmentSpec
from tests.conftest import truncate
from tests.processes.harness import Fleet, fleet
from tests.processes.liveness import LivenessMonitor, LivenessReport

T = TypeVar("T")
TERMINAL = [s.value for s in JobStatus if s.is_terminal]


@dataclass(frozen=True)
class SoakSize:
    accounts: int
    products: int
    workers: int
    #: Real seconds of chaos before the drain.
    duration_s: float
    #: Real seconds between two SIGKILLs.
    kill_every_s: float
    #: Real seconds between two rounds of changes and orders.
    round_every_s: float
    #: Clock seconds per real second.
    scale: float = 50.0
    error_rate: float = 0.02
    #: Real seconds the fleet gets to finish everything once the chaos stops.
    drain_s: float = 150.0


SMALL = SoakSize(accounts=3, products=30, workers=3, duration_s=30, kill_every_s=4, round_every_s=2)
LARGE = SoakSize(
    accounts=6,
    products=150,
    workers=4,
    duration_s=240,
    kill_every_s=5,
    round_every_s=1.5,
    drain_s=300,
)


@dataclass
class SoakReport:
    kills: int = 0
    restarts: int = 0
    changes: int = 0
    orders_placed: int = 0
    shipments: int = 0
    stops: int = 0
    database_retries: int = 0
    jobs_by_status: dict[str, int] = field(default_factory=dict)
    feeds_created: int = 0
    throttled: int = 0
    errors: list[str] = field(default_factory=list)
    #: Real seconds from the last kill to a settled fleet (bounded by ``drain_s``).
    drain_s: float = 0.0
    #: The newest job when the fleet settled: the schedulers may make periodic jobs
    #: after that, before the workers are stopped.
    settled_job_id: int = 0
    liveness: LivenessReport | None = None


#: Settings and limits that let the soak run on the wall clock: Amazon's waits and
#: quotas shortened so that a minute of chaos does real work.
SYSTEM_CLOCK_SETTINGS: dict[str, float] = {
    "scheduler_interval_s": 1.0,
    "orders_import_every_s": 3.0,
    "poll_first_s": 1.0,
    "poll_max_s": 3.0,
    "lease_s": 5.0,
}
SYSTEM_CLOCK_LIMITS: dict[str, dict[str, float]] = {
    "createFeed": {"burst": 50, "rate": 5, "window_s": 60, "window_max": 1000},
    "JSON_LISTINGS_FEED": {"burst": 50, "rate": 5, "window_s": 60, "window_max": 1000},
    "getFeeds": {"burst": 50, "rate": 5},
    "getFeedDocument": {"burst": 50, "rate": 5},
    "searchOrders": {"burst": 20, "rate": 5},
    "createReport": {"burst": 15, "rate": 1},
    "getReports": {"burst": 50, "rate": 5},
    "getReportDocument": {"burst": 50, "rate": 5},
}


#: Kills every soak makes at least, however slow the machine.
MIN_KILLS = 3


def run_soak(
    database_url: str,
    tmp_path: Path,
    size: SoakSize,
    seed: int = 7,
    *,
    system_clock: bool = False,
) -> SoakReport:
    """Run the scenario; returns what happened (the invariants are checked by the caller).

    On PostgreSQL the server is restarted half way; on SQLite the workers are
    several processes on one file. With ``system_clock`` everything runs on the
    wall clock, with Amazon's waits and quotas shortened.
    """
    postgres = database_url.startswith("postgresql")
    if postgres:
        truncate(database_url)
    rng = random.Random(seed)
    report = SoakReport()
    if system_clock:
        config = SimulatorConfig.focused(feed_queue_s=1, feed_processing_s=2, catalog_size=200,
                                 order_settling_s=5,
                                 report_queue_s=1, report_processing_s=2)  # fmt: skip
        settings: dict[str, float] = SYSTEM_CLOCK_SETTINGS
        limits: dict[str, dict[str, float]] | None = SYSTEM_CLOCK_LIMITS
    else:
        config = SimulatorConfig.focused(feed_queue_s=5, feed_processing_s=10, catalog_size=200)
        settings = {"scheduler_interval_s": 30.0, "orders_import_every_s": 120.0, "lease_s": 60.0}
        limits = None
    with fleet(database_url, tmp_path, scale=size.scale, system_clock=system_clock,
               sim_config=config, limits=limits, **settings) as crew:  # fmt: skip
        accounts = {
            n: crew.add_account(n, products=size.products) for n in range(1, size.accounts + 1)
        }
        crew.sim.faults.set_error_rate(size.error_rate, seed=seed)
        monitor = LivenessMonitor(crew.rt)
        workers = [crew.worker(f"w{i}") for i in range(size.workers)]
        driver = Driver(crew, accounts, size.products, rng, report)
        with monitor.running(after_first_claim=False):  # the driver makes the jobs
            started = time.monotonic()
            next_kill = started + size.kill_every_s
            restarted = not postgres
            # The chaos lasts its duration, and on a busy machine until three kills.
            while time.monotonic() - started < size.duration_s or report.kills < MIN_KILLS:
                driver.round()
                if time.monotonic() >= next_kill:
                    workers = _kill_one(crew, workers, rng, report)
                    next_kill += size.kill_every_s
                if not restarted and time.monotonic() - started > size.duration_s / 2:
                    restart_postgres()
                    report.restarts += 1
                    restarted = True
                time.sleep(size.round_every_s)
            crew.sim.faults.set_error_rate(0.0)
            calm = time.monotonic()
            report.settled_job_id = drain(crew, driver, size.drain_s)
            report.drain_s = time.monotonic() - calm
        report.liveness = monitor.report(crew.rt)
        crew.stop_all()
        check_invariants(crew, driver, report)
    return report


class Driver:
    """What the shop and its buyers do during the soak."""

    def __init__(
        self,
        crew: Fleet,
        accounts: dict[int, int],
        products: int,
        rng: random.Random,
        report: SoakReport,
    ) -> None:
        self.crew, self.accounts, self.rng, self.report = crew, accounts, rng, report
        self.products = products
        #: Orders placed on Amazon, by account id.
        self.placed: dict[int, set[str]] = {account_id: set() for account_id in accounts.values()}
        self.stopped: set[str] = set()

    def round(self) -> None:
        n = self.rng.choice(list(self.accounts))
        self._retrying(lambda: self._change(n))
        self._place_order(n)
        if self.rng.random() < 0.3:
            self._retrying(lambda: self._ship_one(n))
        if self.rng.random() < 0.1:
            self._retrying(lambda: self._stop_one(n))

    def _change(self, n: int) -> None:
        skus = self.rng.sample(range(self.products), k=5)
        with self.crew.rt.db.transaction() as session:
            for k in skus:
                session.execute(
                    update(Product)
                    .where(Product.sku == f"P{n}-{k}")
                    .values(
                        quantity=self.rng.randint(0, 50),
                        price=Decimal(self.rng.randint(500, 5000)) / 100,
                    )
                )
        self.report.changes += len(skus)

    def _place_order(self, n: int) -> None:
        k = self.rng.randrange(self.products)
        order = self.crew.sim.orders.add_order([{"sku": f"P{n}-{k}"}], seller_id=f"A{n:02d}SELLER")
        self.placed[self.accounts[n]].add(order.order_id)
        self.report.orders_placed += 1

    def _ship_one(self, n: int) -> None:
        account_id = self.accounts[n]
        with self.crew.rt.db.read() as session:
            # Without a package yet: an order stays UNSHIPPED until Amazon confirms it,
            # and a retry after a restart that hit create_fulfillment_job must not pick
            # the order its first try has just shipped.
            order_id = session.scalar(
                select(Order.amazon_order_id)
                .where(
                    Order.account_id == account_id,
                    Order.status == "UNSHIPPED",
                    ~exists().where(Shipment.order_id == Order.id),
                )
                .order_by(Order.id)
                .limit(1)
            )
        if order_id is None:
            return
        spec = ShipmentSpec("UPS", f"1Z{order_id[-9:]}", self.crew.rt.clock.now())
        ship_order(self.crew.rt, account_id, order_id, spec)
        try:
            create_fulfillment_job(self.crew.rt, account_id)
        except SelectionError as exc:  # an earlier one will take this shipment too
            self.report.errors.append(f"fulfillment: {exc}")
        self.report.shipments += 1

    def _stop_one(self, n: int) -> None:
        sku = f"P{n}-{self.rng.randrange(self.products)}"
        if sku in self.stopped:
            return
        try:
            create_listings_job(
                self.crew.rt, JobType.STOP, self.accounts[n], Selection(skus=(sku,))
            )
        except SelectionError as exc:  # the listing may be held by a job right now
            self.report.errors.append(f"stop {sku}: {exc}")
            return
        self.stopped.add(sku)
        self.report.stops += 1

    def _retrying(self, action: Callable[[], T]) -> T | None:
        """The driver's own database work survives the restart like the workers do."""
        for _ in range(20):
            try:
                return action()
            except OperationalError:
                self.report.database_retries += 1
                self.crew.rt.db.engine.dispose()
                time.sleep(0.5)
        raise AssertionError("the database did not come back")


def _kill_one(
    crew: Fleet, workers: list[subprocess.Popen[bytes]], rng: random.Random, report: SoakReport
) -> list[subprocess.Popen[bytes]]:
    victim = rng.choice(workers)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    report.kills += 1
    alive = [w for w in workers if w is not victim]
    return [*alive, crew.worker(f"w{report.kills + 100}")]


def restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    done = subprocess.run([*command, "-m", "fast"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def drain(crew: Fleet, driver: Driver, timeout_s: float) -> int:
    """Wait until every job has ended, every change is confirmed and every order imported.

    Returns the newest job of that moment, read just *before* the check that found
    every job ended: the scheduler keeps making jobs meanwhile, and one it makes
    right after the check is not the fleet's to have finished (read after, it was
    counted as settled, and the workers had already started it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        newest = driver._retrying(lambda: _newest_job(crew))
        if driver._retrying(lambda: _settled(crew, driver)):
            return newest or 0
        time.sleep(0.5)
    raise AssertionError(f"the fleet did not settle in {timeout_s} s: {_pending(crew, driver)}")


def _newest_job(crew: Fleet) -> int:
    with crew.rt.db.read() as session:
        return session.scalar(select(func.max(Job.id))) or 0


def _settled(crew: Fleet, driver: Driver) -> bool:
    return not any(_pending(crew, driver).values())


def _pending(crew: Fleet, driver: Driver) -> dict[str, int]:
    with crew.rt.db.read() as session:
        unfinished = session.scalar(
            select(func.count()).select_from(Job).where(Job.status.not_in(TERMINAL))
        )
        # Unsent: what automatic sync still has to send, i.e. a listing whose product
        # changed since and whose confirmed values are not the account's targets (the
        # shop's values less the units of orders not in the shop, after its policy).
        # An order alone changes nothing to send: Amazon took its units itself.
        out_of_sync = 0
        for account_id in driver.accounts.values():
            targets = targets_for(session, account_id)
            out_of_sync += (
                session.scalar(
                    select(func.count())
                    .select_from(Listing)
                    .join(Product, Product.id == Listing.product_id)
                    .where(
                        Listing.account_id == account_id,
                        Listing.state == ListingState.ACTIVE.value,
                        Listing.last_error.is_(None),
                        targets.quantity_differs() | targets.price_differs(),
                        targets.changed_since_listing(),
                    )
                )
                or 0
            )
        imported = set(session.scalars(select(Order.amazon_order_id)))
    missing = sum(len(ids - imported) for ids in driver.placed.values())
    return {
        "unfinished jobs": unfinished or 0,
        "unsent changes": out_of_sync,
        "orders not imported": missing,
    }


def _given_back(job: Job) -> bool:
    """Left by a stopped worker as any step leaves it: no lease held, so another worker
    takes it up where it stands (reserved, queued, or even sent and waiting)."""
    return job.lease_owner is None


def check_invariants(crew: Fleet, driver: Driver, report: SoakReport) -> None:
    """What must hold after any amount of chaos."""
    stats = crew.sim.stats()
    report.feeds_created, report.throttled = (
        stats["feeds_created"],
        sum(stats["throttled"].values()),
    )
    with crew.rt.db.read() as session:
        jobs = list(session.scalars(select(Job)))
        report.jobs_by_status = dict(
            session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
        )
        # Every job has ended, and one that failed says why. A job the schedulers made
        # after the fleet settled may be anywhere on its way (the workers went on until
        # they were stopped), but each stopped worker gave its jobs back.
        settled = [j for j in jobs if j.id <= report.settled_job_id]
        late = [j for j in jobs if j.id > report.settled_job_id]
        assert all(JobStatus(j.status).is_terminal for j in settled), report.jobs_by_status
        assert all(JobStatus(j.status).is_terminal or _given_back(j) for j in late), [
            (j.id, j.type, j.status, j.lease_owner) for j in late
        ]
        assert all(j.error for j in jobs if j.status == JobStatus.ERROR)
        # Each feed Amazon created belongs to exactly one job: none was sent twice.
        feed_refs = [j.amazon_ref for j in jobs if JobType(j.type) in FEED_JOB_TYPES]
        owned = [ref for ref in feed_refs if ref]
        assert len(owned) == len(set(owned))
        assert {f["feed_id"] for f in stats["feeds"]} == set(owned)
        # Every order placed was imported, once.
        rows = session.execute(select(Order.account_id, Order.amazon_order_id)).all()
        assert len(rows) == len(set(rows))
        for account_id, placed in driver.placed.items():
            imported = {order_id for acct, order_id in rows if acct == account_id}
            assert placed <= imported, placed - imported
        # No listing held by a job that has ended.
        held = session.scalars(
            select(Listing.id)
            .join(Job, Job.id == Listing.locked_by_job_id)
            .where(Job.status.in_(TERMINAL))
        ).all()
        assert not held, held
        listings = session.execute(
            select(Listing, Product.sku).join(Product, Product.id == Listing.product_id)
        ).all()
        last_sent = _last_sent_quantities(session)
    # What we believe Amazon has is what Amazon has.
    sellers = {account_id: seller for seller, account_id in crew.accounts.items()}
    on_amazon = {acct: crew.sim.listings(seller) for acct, seller in sellers.items()}
    for listing, sku in listings:
        offer = on_amazon[listing.account_id].get(sku)
        if listing.state == ListingState.ACTIVE.value and offer is not None:
            # Amazon holds the quantity our last successful send carried (orders placed
            # since moved Amazon's count, and an inventory report may have copied that).
            if listing.id in last_sent:
                assert offer.sent_quantity == last_sent[listing.id], (
                    sku,
                    offer,
                    last_sent[listing.id],
                    _sends(crew, listing.id),
                )
            assert offer.price == listing.confirmed_price, (sku, offer, listing.__dict__)
        if listing.state == ListingState.STOPPED.value:
            assert offer is None or offer.quantity == 0, (sku, offer)


def _last_sent_quantities(session: Session) -> dict[int, int]:
    """The quantity each listing's last successful send carried, by listing id."""
    rows = session.execute(
        select(JobItem.listing_id, JobItem.sent)
        .where(JobItem.outcome == "ok", JobItem.listing_id.is_not(None))
        .order_by(JobItem.id)
    ).all()
    return {
        listing_id: int(sent["quantity"])
        for listing_id, sent in rows
        if sent and sent.get("quantity") is not None
    }


def _sends(crew: Fleet, listing_id: int) -> list[tuple[object, ...]]:
    """The listing's job items, oldest first (what the failure message shows)."""
    with crew.rt.db.read() as session:
        rows = session.execute(
            select(Job.id, Job.type, Job.status, JobItem.outcome, JobItem.sent, Job.amazon_ref)
            .join(Job, Job.id == JobItem.job_id)
            .where(JobItem.listing_id == listing_id)
            .order_by(JobItem.id)
        ).all()
    return [tuple(row) for row in rows]
