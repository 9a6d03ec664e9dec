"""The demo's shop: a PrestaShop Webservice simulator holding the demo catalog.

The demo's products live in the simulated shop; the Shop Catalog Sync job brings
them (and every later stock or price change) into the catalog. The shop's side of
the story is played through the Webservice over HTTP, as a merchant's back office
would change it: units sold (stock lowered), prices changed, and Amazon orders
(written there by Orders to Shop) shipped with a carrier and a tracking number,
which Shipments from Shop then reads back for Amazon.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from amazon_jobs.clock import Clock
from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.shop.webservice import ShopError, WebserviceClient
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig
from amazon_jobs.shop_simulator import create_app as create_shop_app
from amazon_jobs.shop_simulator.catalog_generator import add_product

__all__ = ["DEMO_SHOP", "DemoShop"]

#: The demo's shop, as the Shops page and `amazon-jobs shops list` name it.
DEMO_SHOP = "demo-shop"
#: Carrier of the demo's shipments (PrestaShop's default carrier of a fresh install).
TRACKING_PREFIX = "1Z"


@dataclass
class DemoShop:
    """The running shop simulator and a Webservice client of it."""

    sim: ShopSimulator
    server: RunningServer
    client: WebserviceClient

    @classmethod
    def start(cls, clock: Clock, seed: int) -> DemoShop:
        """An empty shop (the demo adds its catalog) on the demo's clock."""
        config = ShopSimulatorConfig(products=0, seed=seed, shop_name="Demo shop")
        sim = ShopSimulator(config, clock)
        server = serve_in_thread(create_shop_app(sim))
        return cls(sim, server, WebserviceClient(server.url, DEFAULT_KEY, timeout_s=30))

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def key(self) -> str:
        return DEFAULT_KEY

    def stock(self, products: Iterable[ProductRow], now: datetime) -> None:
        """Put *products* in the shop, in order (shop product ids 1, 2, …)."""
        with self.sim.lock:
            for product in products:
                add_product(
                    self.sim.store,
                    reference=product.sku,
                    ean=product.ean,
                    name=product.title,
                    price=str(product.price),
                    quantity=product.quantity,
                    now=now,
                    zone=self.sim.zone,
                )

    # The back office

    def sell(self, rng: random.Random, share: float) -> int:
        """Units sold in the shop: a share of the stock rows go down by 1 to 5."""
        rows = self.client.list(
            "stock_availables", display=["id", "id_product", "id_product_attribute", "quantity"]
        )
        sold = 0
        for row in rows:
            quantity = int(row.get("quantity") or 0)
            if quantity <= 0 or rng.random() >= share:
                continue
            left = quantity - min(quantity, rng.randint(1, 5))
            self.client.patch("stock_availables", "stock_available", int(row["id"]),
                              {"quantity": left})  # fmt: skip
            sold += 1
        return sold

    def reprice(self, rng: random.Random, share: float) -> int:
        """A share of the products get a new price (tax excluded, as PrestaShop keeps it)."""
        changed = 0
        for row in self.client.list("products", display=["id", "price"]):
            if rng.random() >= share:
                continue
            price = max(0.99, float(row["price"]) + rng.randint(-300, 300) / 100)
            self.client.patch("products", "product", int(row["id"]), {"price": f"{price:.2f}"})
            changed += 1
        return changed

    def ship(self, shop_order_ids: Sequence[int], rng: random.Random) -> list[int]:
        """Ship orders in the shop: a tracking number on their carrier, then the
        *Shipped* state (``PS_OS_SHIPPING``). Returns the orders shipped."""
        shipped_state = self._configuration("PS_OS_SHIPPING")
        done = []
        for order_id in shop_order_ids:
            try:
                carriers = self.client.list("order_carriers", filters={"id_order": f"[{order_id}]"})
                for carrier in carriers:
                    tracking = f"{TRACKING_PREFIX}{rng.randint(10**9, 10**10)}"
                    self.client.patch("order_carriers", "order_carrier", int(carrier["id"]),
                                      {"tracking_number": tracking})  # fmt: skip
                history = {"id_order": order_id, "id_order_state": shipped_state}
                self.client.create("order_histories", "order_history", history)
            except ShopError:  # e.g. an order of an earlier run's shop, which this one lacks
                continue
            done.append(order_id)
        return done

    def _configuration(self, name: str) -> int:
        rows = self.client.list("configurations", filters={"name": f"[{name}]"})
        return int(rows[0]["value"]) if rows else 4

    def close(self) -> None:
        self.client.close()
        self.server.stop()
