"""Both simulators over real HTTP and a runtime whose account is linked to the shop.

Amazon lists the PrestaShop simulator's active simple products (SKU = the shop's
``reference``) and one combination; our catalog holds them as the catalog sync
would (shop product and combination ids), except ``unsynced`` ones, which Orders
to Shop must find by reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from amazon_jobs.clock import Clock
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig
from amazon_jobs.shop_simulator import create_app as create_shop_app
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.models import Account, Order, Product, Shop
from amazon_jobs.worker import Worker

__all__ = ["Presta", "make_presta", "stock_of"]


@dataclass
class Presta:
    """The runtime, Amazon (``amazon``) and the PrestaShop simulator (``ps``)."""

    rt: Runtime
    amazon: Simulator
    ps: ShopSimulator
    servers: list[RunningServer]
    account_id: int
    shop_id: int
    #: SKU → (shop product id, combination id)
    skus: dict[str, tuple[int, int]] = field(default_factory=dict)

    def run_worker(self) -> None:
        Worker(self.rt).run(until_idle=True)

    def place(self, *lines: tuple[str, int], minutes_ago: int = 30, **kwargs: Any) -> str:
        purchased = self.rt.clock.now() - timedelta(minutes=minutes_ago)
        order = self.amazon.orders.add_order(
            [{"sku": s, "quantity": q} for s, q in lines], purchased_at=purchased, **kwargs
        )
        return str(order.order_id)

    def order(self, amazon_order_id: str) -> Order:
        with self.rt.db.read() as session:
            return session.scalars(
                select(Order).where(Order.amazon_order_id == amazon_order_id)
            ).one()

    def shop_order(self, shop_order_id: int) -> dict[str, str]:
        orders = self.ps.store["orders"]
        row = orders.rows[shop_order_id]
        return {f: str(orders.value(row, f)) for f in _ORDER_FIELDS}

    def shop_orders(self) -> list[int]:
        return sorted(self.ps.store["orders"].rows)

    def set_stock(self, sku: str, quantity: int) -> None:
        product, combination = self.skus[sku]
        table = self.ps.store["stock_availables"]
        for row in table.where("id_product", str(product)):
            if table.value(row, "id_product_attribute") == str(combination):
                table.update(int(row["id"]), {"quantity": str(quantity)})

    def settings(self, **values: Any) -> None:
        with self.rt.db.transaction() as session:
            shop = session.get_one(Shop, self.shop_id)
            shop.settings = {**shop.settings, **values}

    def close(self) -> None:
        for server in self.servers:
            server.stop()


_ORDER_FIELDS = (
    "id_cart",
    "id_customer",
    "id_address_delivery",
    "current_state",
    "module",
    "payment",
    "total_paid",
    "total_paid_real",
    "note",
    "reference",
)


def stock_of(presta: Presta, sku: str) -> int:
    product, combination = presta.skus[sku]
    table = presta.ps.store["stock_availables"]
    for row in table.where("id_product", str(product)):
        if table.value(row, "id_product_attribute") == str(combination):
            return int(table.value(row, "quantity"))
    raise AssertionError(f"no stock row for {sku}")


def _sellable(ps: ShopSimulator, count: int) -> dict[str, tuple[int, int]]:
    """*count* active simple products, then one combination: SKU → ids."""
    products, combinations = ps.store["products"], ps.store["combinations"]
    found: dict[str, tuple[int, int]] = {}
    with_combinations = {int(combinations.value(c, "id_product")) for c in combinations}
    for row in products:
        if len(found) == count:
            break
        if products.value(row, "active") == "1" and int(row["id"]) not in with_combinations:
            found[products.value(row, "reference")] = (int(row["id"]), 0)
    for combo in combinations:
        product = products.rows[int(combinations.value(combo, "id_product"))]
        if products.value(product, "active") == "1":
            found[combinations.value(combo, "reference")] = (int(product["id"]), int(combo["id"]))
            break
    return found


def make_presta(
    rt: Runtime,
    clock: Clock,
    *,
    products: int = 30,
    sellable: int = 4,
    unsynced: tuple[int, ...] = (),
    shop_config: ShopSimulatorConfig | None = None,
    amazon_config: SimulatorConfig | None = None,
    amazon: tuple[Simulator, RunningServer] | None = None,
    wrap: Callable[[Any], Any] | None = None,
) -> Presta:
    """*wrap* (an ASGI middleware factory) goes around the shop app, e.g. to count calls."""
    ps = ShopSimulator(shop_config or ShopSimulatorConfig(products=products, seed=3), clock)
    app = create_shop_app(ps)
    ps_server = serve_in_thread(wrap(app) if wrap else app)
    if amazon is None:
        sim = Simulator(amazon_config or SimulatorConfig.focused(), clock)
        amazon = (sim, serve_in_thread(create_app(sim)))
    sim, server = amazon
    skus = _sellable(ps, sellable)
    now = clock.now()
    config = sim.config
    spec = account_spec(config, server.url, "us")
    rows = [ProductRow(sku, None, f"Shop item {sku}", 10, Decimal("9.99")) for sku in skus]
    listings = [ListingRow(r.sku, f"B0PS{n:06d}", 10, r.price) for n, r in enumerate(rows)]
    sim.seed_listings(
        {"sku": x.sku, "asin": x.asin, "quantity": 10, "price": x.price} for x in listings
    )
    with rt.db.transaction() as session:
        shop = Shop(
            name="presta",
            kind="prestashop",
            url=ps_server.url,
            key_enc=rt.cipher.encrypt(DEFAULT_KEY),
            status="active",
            settings={},
            created_at=now,
            updated_at=now,
        )
        session.add(shop)
        session.flush()
        account_id = add_account(session, spec, rt.cipher, now).id
        session.execute(update(Account).where(Account.id == account_id).values(shop_id=shop.id))
        catalog.upsert_products(session, rows, now)
        catalog.upsert_listings(session, account_id, listings, now)
        for n, (sku, (product, combination)) in enumerate(skus.items()):
            if n in unsynced:
                continue
            session.execute(
                update(Product)
                .where(Product.sku == sku)
                .values(shop_id=shop.id, shop_product_id=product, shop_combination_id=combination)
            )
        shop_id = shop.id
    return Presta(rt, sim, ps, [ps_server, server], account_id, shop_id, skus)
