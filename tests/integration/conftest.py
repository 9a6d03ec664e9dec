"""Integration fixtures: the real simulator over HTTP on 127.0.0.1 and a seeded shop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.limits import Operation
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.models import Listing, Product
from amazon_jobs.store.users import add_user, create_api_token
from amazon_jobs.worker import Worker
from tests.conftest import make_runtime
from tests.webapp import web_app


@dataclass
class Shop:
    """A runtime with one account on the simulator and a catalog listed on it."""

    rt: Runtime
    sim: Simulator
    server: RunningServer
    account_id: int
    clock: VirtualClock

    def run_worker(self, **kwargs: object) -> None:
        Worker(self.rt, **kwargs).run(until_idle=True)  # type: ignore[arg-type]

    def set_quantity(self, sku: str, quantity: int) -> None:
        with self.rt.db.transaction() as session:
            session.execute(
                update(Product)
                .where(Product.sku == sku)
                .values(quantity=quantity, updated_at=self.clock.now())
            )

    def set_state(self, sku: str, state: str) -> None:
        """Put a listing in *state* (e.g. active again, as if the product had been sent)."""
        product = select(Product.id).where(Product.sku == sku).scalar_subquery()
        with self.rt.db.transaction() as session:
            session.execute(
                update(Listing).where(Listing.product_id == product).values(state=state)
            )

    def use_up(self, operation: Operation) -> None:
        """Take every token of the account's *operation* bucket, as other jobs' calls
        would: a job that needs one waits for it (a listings job in ``created``)."""
        with self.rt.db.transaction() as session:
            for _ in range(1000):
                now = self.clock.now()
                if self.rt.throttle.acquire(session, self.account_id, [operation], now):
                    return
        raise AssertionError(f"{operation} never ran out of tokens")

    def listing(self, sku: str) -> Listing:
        with self.rt.db.read() as session:
            return session.scalars(select(Listing).join(Product).where(Product.sku == sku)).one()

    def listing_rows(self) -> dict[str, tuple[object, ...]]:
        """Every listing as a plain tuple of all its columns, by SKU."""
        with self.rt.db.read() as session:
            rows = session.execute(select(Product.sku, Listing).join(Listing)).all()
        columns = [c.key for c in Listing.__table__.columns]
        return {sku: tuple(getattr(listing, c) for c in columns) for sku, listing in rows}


def sku(n: int) -> str:
    return f"SKU-{n:03d}"


def make_shop(
    rt: Runtime,
    clock: VirtualClock,
    products: int = 12,
    unknown_on_amazon: tuple[int, ...] = (),
    sim_config: SimulatorConfig | None = None,
) -> tuple[Shop, RunningServer]:
    sim = Simulator(sim_config or SimulatorConfig.focused(), clock)
    server = serve_in_thread(create_app(sim))
    config = sim.config
    spec = account_spec(config, server.url, "us")
    rows = [
        ProductRow(sku(n), None, f"Product {n}", 10 + n, Decimal("9.99")) for n in range(products)
    ]
    listings = [
        ListingRow(r.sku, f"B0TEST{n:04d}", r.quantity, r.price) for n, r in enumerate(rows)
    ]
    sim.seed_listings(
        {"sku": row.sku, "asin": row.asin, "quantity": row.quantity, "price": row.price}
        for n, row in enumerate(listings)
        if n not in unknown_on_amazon
    )
    with rt.db.transaction() as session:
        account_id = add_account(session, spec, rt.cipher, clock.now()).id
        catalog.upsert_products(session, rows, clock.now())
        catalog.upsert_listings(session, account_id, listings, clock.now())
    return Shop(rt, sim, server, account_id, clock), server


@pytest.fixture
def shop(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Shop]:
    rt = make_runtime(db_url, clock, tmp_path)
    shop, server = make_shop(rt, clock, unknown_on_amazon=(3,))
    yield shop
    server.stop()
    rt.close()


@pytest.fixture
def shop_factory(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Callable[..., Shop]]:
    """Shops with their own simulator config and settings (e.g. page sizes, limits)."""
    made: list[tuple[Runtime, RunningServer]] = []

    def factory(
        sim_config: SimulatorConfig | None = None,
        unknown_on_amazon: tuple[int, ...] = (),
        **settings: object,
    ) -> Shop:
        rt = make_runtime(db_url, clock, tmp_path, **settings)
        shop, server = make_shop(
            rt, clock, sim_config=sim_config, unknown_on_amazon=unknown_on_amazon
        )
        made.append((rt, server))
        return shop

    yield factory
    for rt, server in made:
        server.stop()
        rt.close()


WEB_USER, WEB_PASSWORD = "seller", "a long password 123"


@dataclass
class Web:
    """The web app served over HTTP for a shop, with a logged-in browser and an API token."""

    url: str
    browser: httpx.Client
    api: httpx.Client
    token: str
    csrf: str


@pytest.fixture
def web(shop: Shop) -> Iterator[Web]:
    with shop.rt.db.transaction() as session:
        user = add_user(session, WEB_USER, WEB_PASSWORD, shop.clock.now())
        token = create_api_token(session, user, "tests", shop.clock.now())
    with serve_in_thread(web_app(shop.rt)) as server:
        browser = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
        answer = browser.post(
            "/login", data={"username": WEB_USER, "password": WEB_PASSWORD, "next": "/"}
        )
        assert answer.status_code == 303, answer.text
        page = browser.get("/").text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        api = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        yield Web(server.url, browser, api, token, csrf)
        browser.close()
        api.close()
