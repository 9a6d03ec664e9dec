"""End to end, on SQLite and PostgreSQL: a product disabled or deleted in the PrestaShop
shop ends with quantity 0 on Amazon.

shop simulator --(Shop Catalog Sync, full pass)--> products --(the scheduler's
automatic sync)--> Update Products QTY & Price job --(JSON listings feed)--> SP-API
simulator, whose quantities are read over HTTP (``/_sim/listings``). Nothing is
called directly but the entry points a seller's installation uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.catalog import ListingRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.scheduler.loop import Scheduler
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.shop.webservice import WebserviceClient
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.shops import add_shop, create_catalog_sync, link_account
from amazon_jobs.store import catalog
from amazon_jobs.store.models import Account, Job, Product
from amazon_jobs.store.shops import ShopSpec
from tests.conftest import make_runtime
from tests.integration.conftest import Shop, make_shop

pytestmark = pytest.mark.timeout(180)


@dataclass
class Linked:
    """The seeded account ``us`` on the SP-API simulator, linked to a PrestaShop shop
    (the shop simulator, over HTTP)."""

    amazon: Shop
    shop_id: int
    shop_url: str

    def full_sync(self) -> Job:
        """A full catalog pass, run by the worker until idle."""
        job = create_catalog_sync(self.amazon.rt, self.shop_id, full=True)
        self.amazon.run_worker()
        with self.amazon.rt.db.read() as session:
            return session.get_one(Job, job.id)


@pytest.fixture
def linked(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Linked]:
    rt = make_runtime(db_url, clock, tmp_path, auto_sync=True)
    amazon, amazon_server = make_shop(rt, clock, products=0)
    sim = ShopSimulator(ShopSimulatorConfig(products=12, seed=11, inactive_share=0.0), clock)
    presta = serve_in_thread(create_app(sim))
    with rt.db.transaction() as session:
        shop = add_shop(rt, session, ShopSpec("main", presta.url, SecretStr(DEFAULT_KEY)))
        link_account(rt, session, session.get_one(Account, amazon.account_id), shop)
        shop_id = shop.id
    try:
        yield Linked(amazon, shop_id, presta.url)
    finally:
        presta.stop()
        amazon_server.stop()
        rt.close()


def shop_products(amazon: Shop) -> dict[str, Product]:
    with amazon.rt.db.read() as session:
        rows = session.scalars(select(Product).where(Product.shop_product_id.is_not(None)))
        return {p.sku: p for p in rows}


def amazon_quantities(amazon: Shop) -> dict[str, int]:
    answer = httpx.get(f"{amazon.server.url}/_sim/listings", timeout=30)
    assert answer.status_code == 200, answer.text
    return {row["sku"]: row["quantity"] for row in answer.json()["listings"]}


def test_a_product_disabled_or_deleted_in_the_shop_ends_with_quantity_0_on_amazon(linked):
    amazon = linked.amazon
    rt, clock = amazon.rt, amazon.clock
    assert linked.full_sync().status == "done"
    products = shop_products(amazon)
    # Everything the shop sells is listed on Amazon with the shop's quantity and price.
    rows = [
        ListingRow(sku, f"B0SHOP{n:04d}", p.quantity, p.price)
        for n, (sku, p) in enumerate(sorted(products.items()))
    ]
    amazon.sim.seed_listings(
        {"sku": r.sku, "asin": r.asin, "quantity": r.quantity, "price": r.price} for r in rows
    )
    with rt.db.transaction() as session:
        assert catalog.upsert_listings(session, amazon.account_id, rows, clock.now())[1] == []
    in_stock: dict[int, list[str]] = {}
    for sku, product in sorted(products.items()):
        in_stock.setdefault(product.shop_product_id or 0, []).append(sku)
    candidates = [
        pid for pid, skus in sorted(in_stock.items()) if all(products[s].quantity > 0 for s in skus)
    ]
    assert len(candidates) >= 2, products
    disabled, deleted = candidates[0], candidates[1]
    with WebserviceClient(linked.shop_url, DEFAULT_KEY) as ws:
        ws.patch("products", "product", disabled, {"active": "0"})
        ws.delete("products", deleted)
    gone = set(in_stock[disabled]) | set(in_stock[deleted])
    before = amazon_quantities(amazon)
    assert all(before[sku] > 0 for sku in gone)

    clock.advance(600)
    assert linked.full_sync().status == "done"
    after_sync = shop_products(amazon)
    assert {sku: after_sync[sku].quantity for sku in gone} == dict.fromkeys(gone, 0)
    assert all(not after_sync[sku].active for sku in gone)

    report = Scheduler(rt, "test").tick()  # the automatic sync
    assert report.leader
    with rt.db.read() as session:
        sync_jobs = session.scalars(
            select(Job).where(Job.type == JobType.UPDATE_QTY_PRICE.value)
        ).all()
    assert len(sync_jobs) == 1
    amazon.run_worker()
    with rt.db.read() as session:
        assert session.get_one(Job, sync_jobs[0].id).status == "done"
    now_on_amazon = amazon_quantities(amazon)
    assert {sku: now_on_amazon[sku] for sku in gone} == dict.fromkeys(gone, 0)
    assert {s: q for s, q in now_on_amazon.items() if s not in gone} == {
        s: q for s, q in before.items() if s not in gone
    }
