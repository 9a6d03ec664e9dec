"""The demo: a simulated Amazon, a catalog, an account and jobs moving on a fast clock.

Everything runs in one process on 127.0.0.1: the SP-API simulator, the
worker, and (unless ``until_idle``) the dashboard. The clock runs
``scale`` times faster than the wall clock, so Amazon's minutes pass in
seconds. The demo's data lives in its own SQLite file, recreated each run.
"""

from __future__ import annotations

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
from amazon_jobs.service import cancel_job, create_listings_job
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator import create_app as create_simulator_app
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.jobs import count_by_status
from amazon_jobs.store.models import (
    Account,
    Job,
    JobItem,
    JobLog,
    Listing,
    Product,
    ThrottleBucket,
)
from amazon_jobs.worker import Worker

__all__ = ["Demo", "DemoOptions"]

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
    #: Real seconds between two rounds of simulated shop sales (0: none).
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
            clock="scaled",
            clock_scale=options.scale,
            secret_key=settings.secret_key or generate_key(),
        )
        rt = Runtime.build(settings, clock=clock)
        migrate.upgrade(rt.db)
        with rt.db.transaction() as session:
            _clear_previous_demo(session)
        simulator = Simulator(SimulatorConfig(feed_queue_s=20, feed_processing_s=60), clock)
        server = serve_in_thread(create_simulator_app(simulator))
        demo = cls(rt, simulator, server, options, random.Random(options.seed))
        demo._seed()
        return demo

    # Setting the scene

    def _seed(self) -> None:
        config, now = self.simulator.config, self.rt.clock.now()
        products = [self._product(n) for n in range(1, self.options.products + 1)]
        listings = [
            ListingRow(p.sku, _asin(n), p.quantity, p.price) for n, p in enumerate(products)
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

    def _product(self, n: int) -> ProductRow:
        rng = self.rng
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, {rng.choice(COLOURS)}"
        return ProductRow(
            sku=f"DEMO-{n:04d}",
            ean=_ean13(400000000000 + n),
            title=title,
            quantity=rng.randint(0, 60),
            price=Decimal(rng.randint(499, 9999)) / 100,
        )

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

    def create_jobs(self) -> None:
        """A first wave: a big --changed job, smaller jobs by SKU, one canceled at once."""
        self.sell()
        skus = [f"DEMO-{n:04d}" for n in range(1, self.options.products + 1)]
        n = len(skus)
        self._create(skus[:UNKNOWN_ON_AMAZON] + skus[n * 5 // 12 : n * 7 // 12])
        self._create(changed=True)
        step = max(1, n // 12)
        for start in range(n * 7 // 12, n * 11 // 12, step):
            self._create(skus[start : min(start + step, n * 11 // 12)])
        canceled = self._create(skus[n * 11 // 12 :])
        if canceled:
            cancel_job(self.rt, canceled)

    def _create(self, skus: list[str] | None = None, changed: bool = False) -> int | None:
        if not skus and not changed:
            return None
        selection = Selection(skus=tuple(skus or ()), changed=changed)
        try:
            reservation = create_listings_job(
                self.rt, JobType.UPDATE_QTY, self.account_id, selection
            )
        except SelectionError:  # a wave may find nothing to send
            return None
        ids = [job.id for job in reservation.jobs]
        self.job_ids.extend(ids)
        return ids[0] if ids else None

    # Running

    def run_worker(self, until_idle: bool, stop: threading.Event | None = None) -> None:
        Worker(self.rt, idle_poll_s=self.options.scale * 0.2).run(until_idle=until_idle, stop=stop)

    def shop_activity(self, stop: threading.Event, on_job: Callable[[int], None]) -> None:
        """Every little while, sell some products and send the changed quantities."""
        every = self.options.sales_every_s
        while every > 0 and not stop.wait(every):
            self.sell(share=0.1)
            job_id = self._create(changed=True)
            if job_id:
                on_job(job_id)

    def summary(self) -> dict[JobStatus, int]:
        with self.rt.db.read() as session:
            return count_by_status(session)

    def close(self) -> None:
        self.simulator_server.stop()
        self.rt.close()


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
    for model in (JobLog, JobItem, Listing, Job, ThrottleBucket, Product, Account):
        session.execute(delete(model))


def _ean13(body: int) -> str:
    digits = f"{body:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _asin(n: int) -> str:
    return f"B0DEMO{n:04d}"
