"""The demo: a simulated Amazon, a catalog, an account and jobs moving on a fast clock.

Everything runs in one process on 127.0.0.1: the SP-API simulator, the
worker, and (unless ``until_idle``) the dashboard. The clock runs
``scale`` times faster than the wall clock, so Amazon's minutes pass in
seconds. The demo's data lives in its own SQLite file; run again, the demo
continues where it stopped (:mod:`amazon_jobs.demo_resume`), and ``fresh``
empties it and starts over.

It shows what goes wrong as well as what goes right: SKUs Amazon does not know
(items failed with Amazon's reason), a listings report Amazon fails to produce
(an Error job), and an order the buyer cancels after it was shipped (a refused
shipment confirmation), in both the dashboard and the ``until_idle`` modes.

Because ``fresh`` empties that database (users and API tokens included), the demo
only ever runs in a data directory (``AMAZON_JOBS_HOME``) it created itself, marked
by a :data:`MARKER` file, and only on a SQLite file inside it: pointed at a real
installation's directory or database, it refuses to start and changes nothing.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from amazon_jobs.clock import ScaledClock
from amazon_jobs.config import Settings
from amazon_jobs.crypto import generate_key
from amazon_jobs.demo_resume import (
    EarlierDemo,
    find_earlier_demo,
    offers_on_amazon,
    resume_anchor,
    write_demo_settings,
)
from amazon_jobs.demo_shop import DEMO_SHOP, DemoShop
from amazon_jobs.demo_summary import DemoSummary, demo_summary
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobType
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
    create_orders_to_shop_job,
    create_shipments_from_shop_job,
    ship_order,
)
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shops import add_shop, create_catalog_sync
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator import create_app as create_simulator_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.simulator.catalog.generator import (
    GeneratedCatalog,
    catalog_asin,
    catalog_ean,
    generate_catalog,
)
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import add_account
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
    Shop,
    ThrottleBucket,
    User,
    WebSession,
)
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.store.shops import ShopSpec, link_account
from amazon_jobs.store.users import add_user
from amazon_jobs.worker import Worker

__all__ = ["DEMO_PASSWORD", "DEMO_USER", "MARKER", "Demo", "DemoOptions", "claim_demo_home"]

#: The file that marks a data directory as the demo's own.
MARKER = ".amazon-jobs-demo"

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
    #: The simulated PrestaShop the catalog comes from and Amazon orders go to.
    shop: DemoShop
    account_id: int = 0
    job_ids: list[int] = field(default_factory=list)
    #: What the earlier run left, when this run continues it.
    earlier: EarlierDemo | None = None
    #: The next shipment round lets a buyer cancel a shipped order (Amazon refuses it).
    refusal_pending: bool = True

    @classmethod
    def start(cls, settings: Settings, options: DemoOptions, fresh: bool = False) -> Demo:
        """Start a new demo, or continue the earlier one in the same directory
        unless *fresh*."""
        home = claim_demo_home(settings)
        clock = ScaledClock(options.scale)
        key = settings.secret_key.get_secret_value() if settings.secret_key else generate_key()
        settings = settings.with_overrides(
            demo=True,
            allow_custom_endpoints=True,  # the demo's account is on the bundled simulator
            clock="scaled",
            clock_scale=options.scale,
            secret_key=key,
        )
        rt = Runtime.build(settings, clock=clock)
        try:
            migrate.upgrade(rt.db)
            with rt.db.transaction() as session:
                _refuse_foreign_data(session)
                earlier = None if fresh else find_earlier_demo(session, DEMO_ACCOUNT, rt.cipher)
                if earlier is None:
                    _clear_previous_demo(session)
        except BaseException:
            rt.close()
            raise
        if earlier is not None:
            clock.anchor = resume_anchor(clock, earlier.last_at)
            options = replace(options, products=earlier.products)
        write_demo_settings(home, key, clock)
        simulator = Simulator(_simulator_config(options), clock)
        server = serve_in_thread(create_simulator_app(simulator))
        shop = DemoShop.start(clock, options.seed)
        demo = cls(
            rt, simulator, server, options, random.Random(options.seed), shop, earlier=earlier
        )
        if earlier is None:
            demo._seed()
        else:
            demo._reconnect(earlier)
        return demo

    def _reconnect(self, earlier: EarlierDemo) -> None:
        """Point the earlier demo's account at this run's simulated Amazon, which is
        given back the offers the database knows it had."""
        self.account_id = earlier.account_id
        self.simulator.number_feeds_after(earlier.highest_feed_id)
        with self.rt.db.transaction() as session:
            unknown = set(_unknown_on_amazon(self.options))
            self.simulator.seed_listings(offers_on_amazon(session, self.account_id, unknown))
            # This run's shop starts with the catalog the earlier one ended with; the
            # Amazon orders not shipped yet go to it again (the earlier shop is gone).
            self.shop.stock(_catalog_rows(session), self.rt.clock.now())
            session.execute(update(Shop).values(url=self.shop.url))
            session.execute(
                update(Order)
                .where(
                    Order.account_id == self.account_id, ~Order.id.in_(select(Shipment.order_id))
                )
                .values(shop_order_id=None, in_shop_at=None, shop_refs=None, shop_state=None)
            )
            session.execute(
                update(Account)
                .where(Account.id == self.account_id)
                .values(
                    endpoint=self.simulator_server.url,
                    lwa_token_url=f"{self.simulator_server.url}/auth/o2/token",
                )
            )

    # Setting the scene

    def _seed(self) -> None:
        """A catalog; most products already on Amazon, some new, a few unknown to Amazon."""
        config, now = self.simulator.config, self.rt.clock.now()
        products = [self._product(n) for n in range(1, self.options.products + 1)]
        generated = _catalog(self.options)
        unlisted = set(generated.ambiguous + generated.unknown)
        listings = [
            ListingRow(p.sku, catalog_asin(self.options.seed, n), p.quantity, p.price)
            for n, p in _numbered(products[: _first_new(self.options)])
            if p.ean not in unlisted
        ]
        self.simulator.seed_listings(
            {"sku": row.sku, "asin": row.asin, "quantity": row.quantity, "price": row.price}
            for row in listings[UNKNOWN_ON_AMAZON:]
        )
        spec = account_spec(config, self.simulator_server.url, DEMO_ACCOUNT)
        self.shop.stock(products, now)
        with self.rt.db.transaction() as session:
            account = add_account(session, spec, self.rt.cipher, now)
            self.account_id = account.id
            shop_spec = ShopSpec(DEMO_SHOP, self.shop.url, SecretStr(self.shop.key))
            link_account(session, account, add_shop(self.rt, session, shop_spec, actor="demo"))
            # The shop's products as the first catalog sync will find them (it takes
            # them over by SKU), so that the selling list can be set up now.
            catalog.upsert_products(session, products, now)
            catalog.upsert_listings(session, self.account_id, listings, now)
            catalog.add_to_list(session, self.account_id, [], now)
            add_user(session, DEMO_USER, DEMO_PASSWORD, now, is_demo=True)

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
        """Shop sales: lower the stock of a share of the shop's products (in the shop)."""
        return self.shop.sell(self.rng, share)

    def reprice(self, share: float = 0.1) -> int:
        """Change the price of a share of the shop's products (in the shop)."""
        return self.shop.reprice(self.rng, share)

    def create_jobs(self) -> None:
        """A wave: one or more jobs of every listings type, one canceled at once.

        Amazon fails the listings report of this wave's Inventory Report: an Error job.
        """
        self.sell()
        self.reprice()
        self._other(self._full_catalog_sync)
        skus = [f"DEMO-{n:04d}" for n in range(1, self.options.products + 1)]
        n = _first_new(self.options)
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
        self.simulator.faults.fail_next_reports(1)
        self._other(create_inventory_job)

    def ship_orders(self, most: int = 5) -> int | None:
        """Write the imported orders into the shop, ship some there and confirm them to
        Amazon (Orders to Shop, Shipments from Shop, Orders Fulfillment, in turn).

        The buyer of one order cancels meanwhile, so Amazon refuses that one.
        """
        self._other(create_orders_to_shop_job)
        self.run_worker(until_idle=True)
        self._ship_in_shop(most)
        self._other(create_shipments_from_shop_job)
        self.run_worker(until_idle=True)
        self._refused_shipment()
        return self._other(create_fulfillment_job)

    def _full_catalog_sync(self, rt: Runtime, account_id: int) -> Job:
        with rt.db.read() as session:
            shop_id = session.scalar(select(Account.shop_id).where(Account.id == account_id))
        if shop_id is None:
            raise AmazonJobsError("the demo account has no shop")
        return create_catalog_sync(rt, shop_id, full=True, actor="demo")

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
        """Every little while the shop sells, reprices and ships orders (in the shop).

        The scheduler (running beside the worker) does the rest on its own: it syncs
        the catalog from the shop, sends the changed quantities and prices, imports
        Amazon's orders, writes them into the shop, reads the shipped ones back and
        confirms them to Amazon.
        """
        every = self.options.sales_every_s
        while every > 0 and not stop.wait(every):
            try:
                sold = self.sell(share=0.1)
                self.reprice(share=0.02)
                shipped = self._ship_in_shop(most=3)
                refused = self._refused_shipment()
            except AmazonJobsError as exc:  # the shop did not answer: next round
                on_event(f"Shop: {exc}")
                continue
            on_event(
                f"Shop: {sold} product(s) sold, {shipped} order(s) shipped"
                + (" (and one recorded by hand, which its buyer cancels)" if refused else "")
            )

    def _ship_in_shop(self, most: int) -> int:
        """Ship up to *most* Amazon orders the shop has and has not shipped yet."""
        with self.rt.db.read() as session:
            shop_orders = list(
                session.scalars(
                    select(Order.shop_order_id)
                    .where(
                        Order.status == "UNSHIPPED",
                        Order.shop_order_id.is_not(None),
                        ~Order.id.in_(select(Shipment.order_id)),
                    )
                    .order_by(Order.id)
                    .limit(most)
                )
            )
        return len(
            self.shop.ship([int(order_id) for order_id in shop_orders if order_id], self.rng)
        )

    def _refused_shipment(self) -> bool:
        """Once per demo: the merchant records a shipment by hand (as ``orders ship``
        does) for an order whose buyer has just cancelled it on Amazon, which then
        refuses its confirmation. Cancelled first, so that no confirmation, however
        quick, can beat it; Shipments from Shop then writes the cancellation to the shop.
        """
        if not self.refusal_pending:
            return False
        with self.rt.db.read() as session:
            order_id = session.scalar(
                select(Order.amazon_order_id)
                .where(Order.status == "UNSHIPPED", ~Order.id.in_(select(Shipment.order_id)))
                .order_by(Order.id.desc())
                .limit(1)
            )
        if order_id is None or not self._buyer_cancels(order_id):
            return False
        spec = ShipmentSpec("UPS", f"1Z{self.rng.randint(10**9, 10**10)}", self.rt.clock.now())
        with contextlib.suppress(AmazonJobsError):
            ship_order(self.rt, self.account_id, order_id, spec)
            self.refusal_pending = False
        return not self.refusal_pending

    def _buyer_cancels(self, order_id: str) -> bool:
        try:
            self.simulator.orders.cancel_order(order_id)
        except KeyError:  # an order of an earlier run's simulated Amazon, which this one lacks
            return False
        return True

    def run_scheduler(self, stop: threading.Event) -> None:
        Scheduler(self.rt, "demo").run(stop)

    def summary(self) -> DemoSummary:
        with self.rt.db.read() as session:
            return demo_summary(session)

    def close(self) -> None:
        self.shop.close()
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


#: Hours of Amazon orders already placed when a new demo starts: at 30 an hour, enough
#: for every story the demo tells (orders in the shop, shipped, refused, canceled)
#: without writing hundreds of them into the shop before anything else shows.
DEMO_BACKLOG_H = 4


def _simulator_config(options: DemoOptions) -> SimulatorConfig:
    """Amazon's harsh defaults, and a little more of what Amazon does now and then, so
    the demo's retry paths run: 1 % of requests answered 500/503, 1 % of answers a
    (real) second late, 5 % of order pages repeating an order of the page before."""
    return SimulatorConfig(
        error_rate=0.01,
        error_seed=options.seed,
        slow_answer_rate=0.01,
        slow_answer_s=1.0,
        order_page_duplicates=0.05,
        feed_queue_s=20,
        feed_processing_s=60,
        report_queue_s=20,
        report_processing_s=90,
        catalog_size=options.products,
        catalog_seed=options.seed,
        catalog_ambiguous=CATALOG_AMBIGUOUS,
        catalog_unknown=CATALOG_UNKNOWN,
        orders_per_hour=30,
        order_backlog_h=DEMO_BACKLOG_H,
        order_seed=options.seed,
    )


def _first_new(options: DemoOptions) -> int:
    """Index of the first product not on Amazon yet (the last sixth are new)."""
    return options.products * 5 // 6


def _unknown_on_amazon(options: DemoOptions) -> list[str]:
    """The SKUs the shop believes listed that the simulated seller does not have."""
    generated = _catalog(options)
    unlisted = set(generated.ambiguous + generated.unknown)
    listed = [
        f"DEMO-{n:04d}" for n in range(1, _first_new(options) + 1) if catalog_ean(n) not in unlisted
    ]
    return listed[:UNKNOWN_ON_AMAZON]


def _catalog_rows(session: Session) -> list[ProductRow]:
    """The demo catalog as the database knows it, in the shop's product order."""
    products = session.scalars(
        select(Product).order_by(
            Product.shop_product_id.is_(None), Product.shop_product_id, Product.id
        )
    )
    return [ProductRow(p.sku, p.ean, p.title, p.quantity, p.price) for p in products]


def _numbered(products: list[ProductRow]) -> list[tuple[int, ProductRow]]:
    return list(enumerate(products, start=1))


def claim_demo_home(settings: Settings) -> Path:
    """Make sure the demo runs in its own data directory and database, or refuse.

    The directory must be missing, empty, or carry :data:`MARKER` (the demo created
    it); the database must be a SQLite file inside it. Returns the directory.
    """
    home = settings.home.expanduser().resolve()
    if home.exists() and not (home / MARKER).exists() and any(home.iterdir()):
        raise AmazonJobsError(
            f"the demo only runs in a data directory of its own, and {home} was not "
            f"created by the demo (it has no {MARKER} file): the demo empties its database, "
            "users and API tokens included, when started with --fresh. Set AMAZON_JOBS_HOME "
            "to a new "
            "directory (`make demo` uses .demo), or delete the directory if it is an old demo's"
        )
    if not _inside(settings.resolved_database_url, home):
        raise AmazonJobsError(
            "the demo only runs on a SQLite file inside its data directory "
            f"({home}): unset AMAZON_JOBS_DATABASE_URL, or point it at a file in there"
        )
    home.mkdir(parents=True, exist_ok=True)
    marker = home / MARKER
    if not marker.exists():
        marker.write_text(
            "This directory belongs to `amazon-jobs demo`: run again, the demo continues "
            "here; `amazon-jobs demo --fresh` empties it and starts over.\n",
            encoding="utf-8",
        )
    return home


def _inside(url: str, home: Path) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return False
    return Path(parsed.database).expanduser().resolve().is_relative_to(home)


def _refuse_foreign_data(session: Session) -> None:
    """Refuse to touch a database holding anything the demo did not put there."""
    foreign = (
        session.scalar(
            select(func.count()).select_from(Account).where(Account.name != DEMO_ACCOUNT)
        )
        or session.scalar(
            select(func.count()).select_from(Product).where(Product.sku.not_like("DEMO-%"))
        )
        or session.scalar(select(func.count()).select_from(Shop).where(Shop.name != DEMO_SHOP))
    )
    if foreign:
        raise AmazonJobsError(
            "this database holds data that is not the demo's: run the demo on its own "
            "database (`make demo` uses .demo/demo.db, or set AMAZON_JOBS_DATABASE_URL)"
        )


def _clear_previous_demo(session: Session) -> None:
    """Empty the database of a previous demo (after :func:`_refuse_foreign_data`)."""
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
        Shop,
    ):
        session.execute(delete(model))
