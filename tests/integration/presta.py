"""A PrestaShop shop for integration tests: the shop simulator over real HTTP on
127.0.0.1, added as a shop and linked to an Amazon account (named ``presta`` so it
does not clash with the ``shop`` fixture, which is the seeded catalog on Amazon)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pydantic import SecretStr
from sqlalchemy import select

from amazon_jobs.clock import VirtualClock
from amazon_jobs.handlers.shop_catalog_sync import ShopCatalogSync
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shop.webservice import WebserviceClient
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.shops import add_shop, link_account
from amazon_jobs.store.accounts import AccountSpec
from amazon_jobs.store.accounts import add_account as store_add_account
from amazon_jobs.store.models import Account, Job, Product
from amazon_jobs.store.shops import ShopSpec
from amazon_jobs.worker import Worker

CENT = Decimal("0.01")


@dataclass
class Presta:
    """A runtime, a shop simulator serving its Webservice, the shop and its account."""

    rt: Runtime
    sim: ShopSimulator
    server: RunningServer
    shop_id: int
    account_id: int
    clock: VirtualClock

    @property
    def ws(self) -> WebserviceClient:
        return WebserviceClient(self.server.url, DEFAULT_KEY)

    def sync(self, *, full: bool = False) -> Job:
        """Create a catalog sync, run the worker until idle, return the job."""
        job = ShopCatalogSync().create(self.rt, self.shop_id, full=full)
        Worker(self.rt).run(until_idle=True)
        with self.rt.db.read() as session:
            return session.get_one(Job, job.id)

    def catalog(self) -> dict[str, tuple[object, ...]]:
        """Our products of this shop: SKU -> (ids, quantity, price, tax incl., active, gone)."""
        with self.rt.db.read() as session:
            rows = session.scalars(select(Product).where(Product.shop_id == self.shop_id))
            return {
                p.sku: (
                    p.shop_product_id,
                    p.shop_combination_id,
                    p.ean,
                    p.quantity,
                    p.price,
                    p.price_tax_incl,
                    p.active,
                    p.deleted_at is not None,
                )
                for p in rows
            }

    def expected(self) -> dict[str, tuple[object, ...]]:
        """The same, computed from the simulator's own tables (what the shop holds)."""
        store = self.sim.store
        products, combinations = store["products"], store["combinations"]
        stock = {
            (int(r["id_product"]), int(r["id_product_attribute"])): int(r["quantity"])
            for r in store["stock_availables"]
        }
        rate = Decimal(str(1 + self.sim.config.tax_rate / 100))
        out: dict[str, tuple[object, ...]] = {}
        for product in products:
            pid = int(product["id"])
            combos = sorted(combinations.lookup("id_product", str(pid)))
            active = products.value(product, "active") == "1"
            base = Decimal(products.value(product, "price"))
            for cid in combos or [0]:
                row = combinations.rows[cid] if cid else product
                table = combinations if cid else products
                ean = table.value(row, "ean13") or products.value(product, "ean13") or None
                price = base + (Decimal(table.value(row, "price")) if cid else 0)
                quantity = max(stock.get((pid, cid), 0), 0) if active else 0
                out[table.value(row, "reference")] = (
                    pid,
                    cid,
                    ean,
                    quantity,
                    price.quantize(CENT, ROUND_HALF_UP),
                    (price * rate).quantize(CENT, ROUND_HALF_UP),
                    active,
                    False,
                )
        return out


def make_presta(rt: Runtime, clock: VirtualClock, config: ShopSimulatorConfig) -> Iterator[Presta]:
    sim = ShopSimulator(config, clock)
    server = serve_in_thread(create_app(sim))
    spec = AccountSpec(
        name="presta-us",
        seller_id="A1PRESTA",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="client",
        lwa_client_secret=SecretStr("secret"),
        refresh_token=SecretStr("refresh"),
        endpoint="http://127.0.0.1:9",
        lwa_token_url="http://127.0.0.1:9/auth/o2/token",
    )
    with rt.db.transaction() as session:
        account = store_add_account(session, spec, rt.cipher, clock.now())
        shop = add_shop(rt, session, ShopSpec("main", server.url, SecretStr(config.key)))
        link_account(rt, session, session.get_one(Account, account.id), shop)
        ids = shop.id, account.id
    try:
        yield Presta(rt, sim, server, ids[0], ids[1], clock)
    finally:
        server.stop()
