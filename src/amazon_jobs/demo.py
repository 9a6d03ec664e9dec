"""The demo: a simulated Amazon, a catalog, an account and jobs moving on a fast clock.

Everything runs in one process on 127.0.0.1: the SP-API simulator, the
worker, and (unless ``until_idle``) the dashboard. The clock runs
``scale`` times faster than the wall clock, so Amazon's minutes pass in
seconds. The demo's data lives in its own SQLite file, recreated each run.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import SecretStr
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from amazon_jobs.clock import ScaledClock
from amazon_jobs.config import Settings
from amazon_jobs.crypto import generate_key
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError, SelectionError
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.security import DEMO_PASSWORD, DEMO_USER
from amazon_jobs.service import (
    cancel_job,
    create_fulfillment_job,
    create_inventory_job,
    create_listings_job,
    create_orders_import_job,
    ship_order,
)
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator import create_app as create_simulator_app
from amazon_jobs.simulator.catalog_generator import (
    GeneratedCatalog,
    catalog_asin,
    catalog_ean,
    generate_catalog,
)
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.jobs import count_by_status
from amazon_jobs.store.models import (
    Account,
    ApiToken,
    InventoryRow,
    Job,
    JobItem,
    JobLog,
    Listing,
    Order,
    OrderItem,
    Product,
    Shipment,
    ThrottleBucket,
    User,
    WebSession,
)
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.store.users import add_user
from amazon_jobs.worker import Worker

__all__ = ["DEMO_PASSWORD", "DEMO_USER", "Demo", "DemoOptions"]

ADJECTIVES = ["Classic", "Compact", "Deluxe", "Eco", "Pro", "Travel", "Smart", "Vintage"]
NOUNS = ["Backpack", "Desk Lamp", "Water Bottle", "Notebook", "Headphones", "Mug", "Umbrella"]
COLOURS = ["Black", "Blue", "Green", "Red", "Grey", "White", "Orange", "Teal"]
DEMO_ACCOUNT = "demo-us"
#: SKUs the simulated seller does not have: their updates come back with Amazon errors.
UNKNOWN_ON_AMAZON = 6


@dataclass(frozen=True)
class DemoOptions:
    products: int = 240
    scale: float = 60.0
    seed: int = 42
    #: Real seconds between two rounds of simulated shop activity (0: none).
    sales_every_s: float = 20.0


@dataclass
class Demo:
    """A running demo: the runtime, the simulator and the servers behind it."""

    rt: Runtime
    simulator: Simulator
    simulator_server: RunningServer
    options: DemoOptions
    rng: random.Random
    account_id: int = 0
    job_ids: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings, options: DemoOptions) -> Demo:
        clock = ScaledClock(options.scale)
        settings = settings.with_overrides(
            demo=True,
            clock="scaled",
            clock_scale=options.scale,
            secret_key=settings.secret_key or generate_key(),
        )
        rt = Runtime.build(settings, clock=clock)
        migrate.upgrade(rt.db)
        with rt.db.transaction() as session:
            _clear_previous_demo(session)
        simulator = Simulator(_simulator_config(options), clock)
        server = serve_in_thread(create_simulator_app(simulator))
        demo = cls(rt, simulator, server, options, random.Random(options.seed))
        demo._seed()
        return demo

    # Setting the scene

    def _seed(self) -> None:
        """A catalog; most products already on Amazon, some new, a few unknown to Amazon."""
        config, now = self.simulator.config, self.rt.clock.now()
        products = [self._product(n) for n in range(1, self.options.products + 1)]
        generated = _catalog(self.options)
        unlisted = set(generated.ambiguous + generated.unknown)
        listings = [
            ListingRow(p.sku, catalog_asin(self.options.seed, n), p.quantity, p.price)
            for n, p in _numbered(products[: self._first_new()])
            if p.ean not in unlisted
        ]
        self.simulator.seed_listings(
            {"sku": row.sku, "asin": row.asin, "quantity": row.quantity, "price": row.price}
            for row in listings[UNKNOWN_ON_AMAZON:]
        )
        spec = AccountSpec(
            name=DEMO_ACCOUNT,
            seller_id=config.seller_id,
            region="na",
            marketplace_id=config.marketplace_id,
            lwa_client_id=config.client_id,
            lwa_client_secret=SecretStr(config.client_secret),
            refresh_token=SecretStr(config.refresh_token),
            endpoint=self.simulator_server.url,
            lwa_token_url=f"{self.simulator_server.url}/auth/o2/token",
        )
        with self.rt.db.transaction() as session:
            self.account_id = add_account(session, spec, self.rt.cipher, now).id
            catalog.upsert_products(session, products, now)
            catalog.upsert_listings(session, self.account_id, listings, now)
            catalog.add_to_list(session, self.account_id, [], now)
            add_user(session, DEMO_USER, DEMO_PASSWORD, now, is_demo=True)

    def _first_new(self) -> int:
        """Index of the first product not on Amazon yet (the last sixth are new)."""
        return self.options.products * 5 // 6

    def _product(self, n: int) -> ProductRow:
        rng = self.rng
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, {rng.choice(COLOURS)}"
        return ProductRow(
            sku=f"DEMO-{n:04d}",
            ean=catalog_ean(n),
            title=title,
            quantity=rng.randint(0, 60),
            price=Decimal(rng.randint(499, 9999)) / 100,
        )

    # The shop's activity

    def sell(self, share: float = 0.3) -> int:
        """Simulate shop sales: lower the quantity of a share of the products."""
        with self.rt.db.transaction() as session:
            rows = list(session.execute(select(Product.id, Product.quantity)))
            changed = [r for r in rows if self.rng.random() < share]
            for product_id, quantity in changed:
                sold = min(quantity, self.rng.randint(1, 5)) if quantity else -10
                session.execute(
                    update(Product)
                    .where(Product.id == product_id)
                    .values(quantity=quantity - sold, updated_at=self.rt.clock.now())
                )
        return len(changed)

    def reprice(self, share: float = 0.1) -> None:
        """Change the price of a share of the products."""
        with self.rt.db.transaction() as session:
            rows = list(session.execute(select(Product.id, Product.price)))
            for product_id, price in rows:
                if self.rng.random() < share:
                    new = max(Decimal("0.99"), price + Decimal(self.rng.randint(-300, 300)) / 100)
                    session.execute(
                        update(Product)
                        .where(Product.id == product_id)
                        .values(price=new, updated_at=self.rt.clock.now())
                    )

    def create_jobs(self) -> None:
        """The first wave: one or more jobs of every listings type, one canceled at once."""
        self.sell()
        self.reprice()
        skus = [f"DEMO-{n:04d}" for n in range(1, self.options.products + 1)]
        n = self._first_new()
        self._create(JobType.SEND_PRODUCTS, all_=True)
        self._create(JobType.STOP, skus[n - 6 : n - 3])
        self._create(JobType.STOP_REMOVE, skus[n - 3 : n])
        self._create(JobType.UPDATE_QTY_PRICE, skus[n // 3 : n // 3 + 10])
        canceled = self._create(JobType.UPDATE_QTY_PRICE, skus[n // 2 : n // 2 + 5])
        self._create(JobType.UPDATE_QTY, skus[:UNKNOWN_ON_AMAZON] + skus[n // 4 : n // 3])
        self._create(JobType.UPDATE_QTY, changed=True)
        self._create(JobType.UPDATE_PRICE, changed=True)
        if canceled:
            cancel_job(self.rt, canceled)
        self._other(create_orders_import_job)
        self._other(create_inventory_job)

    def ship_orders(self, most: int = 5) -> int | None:
        """Mark some imported, unshipped orders shipped and confirm them to Amazon.

        The buyer of the first one cancels meanwhile, so Amazon refuses that one.
        """
        with self.rt.db.read() as session:
            first = session.scalar(
                select(Order.amazon_order_id)
                .where(Order.status == "UNSHIPPED", ~Order.id.in_(select(Shipment.order_id)))
                .limit(1)
            )
        self._ship(most)
        if first:
            self.simulator.orders.cancel_order(first)
        return self._other(create_fulfillment_job)

    def _create(
        self,
        job_type: JobType,
        skus: list[str] | None = None,
        changed: bool = False,
        all_: bool = False,
    ) -> int | None:
        if not skus and not changed and not all_:
            return None
        selection = Selection(skus=tuple(skus or ()), changed=changed, all=all_)
        try:
            reservation = create_listings_job(self.rt, job_type, self.account_id, selection)
        except SelectionError:  # a wave may find nothing to send
            return None
        ids = [job.id for job in reservation.jobs]
        self.job_ids.extend(ids)
        return ids[0] if ids else None

    def _other(self, create: Callable[[Runtime, int], Job]) -> int | None:
        try:
            job = create(self.rt, self.account_id)
        except AmazonJobsError:  # e.g. nothing shipped, or an import still running
            return None
        self.job_ids.append(job.id)
        return job.id

    # Running

    def run_worker(self, until_idle: bool, stop: threading.Event | None = None) -> None:
        Worker(self.rt, idle_poll_s=0.2).run(until_idle=until_idle, stop=stop)

    def run_to_the_end(self) -> None:
        """The first wave, then fulfillment of the imported orders, to completion."""
        self.run_worker(until_idle=True)
        self.ship_orders()
        self.run_worker(until_idle=True)

    def shop_activity(self, stop: threading.Event, on_event: Callable[[str], None]) -> None:
        """Every little while the shop sells and reprices products and ships orders.

        The scheduler (running beside the worker) does the rest on its own:
        it sends the changed quantities and prices, imports orders and
        confirms the shipped ones.
        """
        every = self.options.sales_every_s
        while every > 0 and not stop.wait(every):
            sold = self.sell(share=0.1)
            self.reprice(share=0.02)
            shipped = self._ship(most=3)
            on_event(f"Shop: {sold} product(s) sold, {shipped} order(s) shipped")

    def _ship(self, most: int) -> int:
        """Mark up to *most* imported, unshipped orders shipped (the scheduler confirms them)."""
        with self.rt.db.read() as session:
            orders = list(
                session.scalars(
                    select(Order.amazon_order_id)
                    .where(Order.status == "UNSHIPPED", ~Order.id.in_(select(Shipment.order_id)))
                    .limit(most)
                )
            )
        for order_id in orders:
            spec = ShipmentSpec("UPS", f"1Z{self.rng.randint(10**9, 10**10)}", self.rt.clock.now())
            with contextlib.suppress(AmazonJobsError):
                ship_order(self.rt, self.account_id, order_id, spec)
        return len(orders)

    def run_scheduler(self, stop: threading.Event) -> None:
        Scheduler(self.rt, "demo").run(stop)

    def summary(self) -> dict[JobStatus, int]:
        with self.rt.db.read() as session:
            return count_by_status(session)

    def close(self) -> None:
        self.simulator_server.stop()
        self.rt.close()


CATALOG_AMBIGUOUS, CATALOG_UNKNOWN = 2, 3


def _catalog(options: DemoOptions) -> GeneratedCatalog:
    return generate_catalog(
        options.products,
        seed=options.seed,
        ambiguous=CATALOG_AMBIGUOUS,
        unknown=CATALOG_UNKNOWN,
    )


def _simulator_config(options: DemoOptions) -> SimulatorConfig:
    return SimulatorConfig(
        feed_queue_s=20,
        feed_processing_s=60,
        report_queue_s=20,
        report_processing_s=90,
        catalog_size=options.products,
        catalog_seed=options.seed,
        catalog_ambiguous=CATALOG_AMBIGUOUS,
        catalog_unknown=CATALOG_UNKNOWN,
        orders_per_hour=30,
        order_backlog_h=24,
        order_seed=options.seed,
    )


def _numbered(products: list[ProductRow]) -> list[tuple[int, ProductRow]]:
    return list(enumerate(products, start=1))


def _clear_previous_demo(session: Session) -> None:
    """Empty the database of a previous demo; refuse to touch anyone's real data."""
    foreign = session.scalar(
        select(func.count()).select_from(Account).where(Account.name != DEMO_ACCOUNT)
    ) or session.scalar(
        select(func.count()).select_from(Product).where(Product.sku.not_like("DEMO-%"))
    )
    if foreign:
        raise AmazonJobsError(
            "this database holds data that is not the demo's: run the demo on its own "
            "database (`make demo` uses .demo/demo.db, or set AMAZON_JOBS_DATABASE_URL)"
        )
    session.execute(update(Listing).values(locked_by_job_id=None))
    session.execute(update(Shipment).values(locked_by_job_id=None))
    for model in (
        WebSession,
        ApiToken,
        User,
        JobLog,
        JobItem,
        Shipment,
        OrderItem,
        Order,
        InventoryRow,
        Listing,
        Job,
        ThrottleBucket,
        Product,
        Account,
    ):
        session.execute(delete(model))
