"""No overselling, end to end on both databases: buyers order on the simulated Amazon
between automatic syncs, Orders Import brings the orders in, the shop gets them only
later. After every sync, Amazon's quantity never exceeds what is really left (the
shop's stock less the units sold and not yet in the shop), and once the shop has the
orders (its stock lowered) the quantity is still right.

Every round also changes every product's price, so every listing is sent each time:
without the units held back, the shop's too-high stock would go out with it. The
helpers live in :mod:`tests.integration.available_helpers` so the crash variant (a
worker killed between the import and the shop write) can reuse them."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import update

from amazon_jobs.scheduler import Scheduler
from amazon_jobs.store.models import Product
from tests.integration.available_helpers import (
    SYNC_ONLY,
    amazon_quantity,
    import_orders,
    place_amazon_order,
    receive_in_shop,
    shop_stock,
    sync_round,
)
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(240)

SKUS = [sku(n) for n in range(4)]


def change_every_price(shop, round_: int) -> None:
    with shop.rt.db.transaction() as session:
        session.execute(
            update(Product).values(price=Decimal("9.99") + round_, updated_at=shop.clock.now())
        )


def assert_nothing_oversold(shop, not_in_shop: Counter[str]) -> None:
    for s in SKUS:
        left = shop_stock(shop, s) - not_in_shop[s]
        assert amazon_quantity(shop, s) <= left, s
        assert amazon_quantity(shop, s) == max(0, left), s


def test_orders_between_syncs_never_make_amazon_sell_more_than_is_left(shop_factory):
    shop = shop_factory(**SYNC_ONLY)
    scheduler = Scheduler(shop.rt, "host-a")
    not_in_shop: Counter[str] = Counter()
    rounds: list[list[tuple[str, str, int]]] = []  # each round's (order id, sku, units)

    for round_ in range(3):
        placed = []
        for n, s in enumerate(SKUS):
            units = 1 + (n + round_) % 3
            placed.append((place_amazon_order(shop, s, units), s, units))
            not_in_shop[s] += units
        rounds.append(placed)
        import_orders(shop)
        change_every_price(shop, round_)
        assert sync_round(shop, scheduler), "the price change makes every listing due"
        assert_nothing_oversold(shop, not_in_shop)

        if round_ >= 1:  # the shop gets the orders one round late (its stock goes down)
            receive(shop, rounds[round_ - 1], not_in_shop)
            assert_nothing_oversold(shop, not_in_shop)
            sync_round(shop, scheduler)
            assert_nothing_oversold(shop, not_in_shop)

    receive(shop, rounds[-1], not_in_shop)
    assert not +not_in_shop
    change_every_price(shop, 10)
    assert sync_round(shop, scheduler)
    assert_nothing_oversold(shop, not_in_shop)
    assert [amazon_quantity(shop, s) for s in SKUS] == [shop_stock(shop, s) for s in SKUS]
    assert all(shop_stock(shop, s) < 10 + n for n, s in enumerate(SKUS))  # the shop sold


def receive(shop, orders: list[tuple[str, str, int]], not_in_shop: Counter[str]) -> None:
    receive_in_shop(shop, [order_id for order_id, _, _ in orders])
    for _, s, units in orders:
        not_in_shop[s] -= units
