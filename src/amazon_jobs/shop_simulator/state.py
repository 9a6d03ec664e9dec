"""The simulated shop: its tables, its clock, its faults and the lock that serialises requests."""

from __future__ import annotations

import random
import threading

from amazon_jobs.clock import Clock
from amazon_jobs.shop_simulator.catalog_generator import CatalogShape, populate
from amazon_jobs.shop_simulator.config import ShopSimulatorConfig
from amazon_jobs.shop_simulator.faults import ShopFaults
from amazon_jobs.shop_simulator.reference_data import load_reference_data
from amazon_jobs.shop_simulator.store import Store
from amazon_jobs.shop_simulator.timefmt import shop_time, shop_zone

__all__ = ["ShopSimulator"]


class ShopSimulator:
    """One PrestaShop shop in memory; every webservice request runs under :attr:`lock`."""

    def __init__(self, config: ShopSimulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.zone = shop_zone(config.timezone)
        self.lock = threading.RLock()
        self.random = random.Random(config.seed)
        self.faults = ShopFaults(
            seed=config.error_seed, error_rate=config.error_rate, delay_s=config.answer_delay_s
        )
        self.store = Store()
        load_reference_data(self.store, config.shop_name, config.timezone, self.now())
        shape = CatalogShape(
            products=config.products,
            seed=config.seed,
            combination_share=config.combination_share,
            max_combinations=config.max_combinations,
            inactive_share=config.inactive_share,
        )
        self.skus = populate(self.store, shape, clock.now(), self.zone)
        self.invoice_numbers = 0
        self.delivery_numbers = 0

    def now(self) -> str:
        """The clock's time as the shop writes dates."""
        return shop_time(self.clock.now(), self.zone)

    def configuration(self, name: str) -> str:
        """The value of configuration key *name* ("" if unset)."""
        rows = self.store["configurations"].where("name", name)
        return self.store["configurations"].value(rows[0], "value") if rows else ""

    def secure_key(self) -> str:
        """A new 32-hex-digit key, as ``md5(uniqid(rand(), true))`` gives."""
        return f"{self.random.getrandbits(128):032x}"

    def order_reference(self) -> str:
        """A new order reference: 9 capital letters, unique in the shop."""
        orders = self.store["orders"]
        taken = {orders.value(r, "reference") for r in orders}
        while True:
            reference = "".join(self.random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(9))
            if reference not in taken:
                return reference
