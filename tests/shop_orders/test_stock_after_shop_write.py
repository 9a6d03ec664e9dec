"""The units of an Amazon order stay held back until the stock we hold counts them.

Orders to Shop lowers the shop's stock; our copy of it moves only at the next
catalog sync. Between the two, the order is in the shop but not yet out of the
quantity we would send: sending "our stock - orders not in the shop" then would
offer the order's units again. The order stays held back until a catalog sync
that started after the order reached the shop has finished."""

from __future__ import annotations

import pytest

from amazon_jobs.service import create_orders_import_job, create_orders_to_shop_job
from amazon_jobs.shops import create_catalog_sync
from amazon_jobs.store.available import held_back
from amazon_jobs.store.models import Product
from tests.shop_orders.harness import Presta, stock_of

pytestmark = pytest.mark.timeout(120)


def ours(presta: Presta, sku: str) -> tuple[int, int]:
    """(our copy of the shop's stock, units held back) for *sku*."""
    with presta.rt.db.read() as session:
        product = session.query(Product).filter_by(sku=sku).one()
        return product.quantity, held_back(session, presta.account_id, [sku]).get(sku, 0)


def sync_catalog(presta: Presta) -> None:
    presta.rt.clock.advance(60)  # type: ignore[attr-defined]
    create_catalog_sync(presta.rt, presta.shop_id)
    presta.run_worker()


def test_an_order_written_to_the_shop_stays_held_until_the_stock_is_read_again(
    presta: Presta,
) -> None:
    sku = next(iter(presta.skus))
    presta.set_stock(sku, 10)
    sync_catalog(presta)
    assert ours(presta, sku) == (10, 0)
    amazon_id = presta.place((sku, 3))
    create_orders_import_job(presta.rt, presta.account_id)
    presta.run_worker()
    assert ours(presta, sku) == (10, 3)  # not in the shop: held back
    presta.rt.clock.advance(60)  # type: ignore[attr-defined]
    create_orders_to_shop_job(presta.rt, presta.account_id)
    presta.run_worker()
    assert presta.order(amazon_id).in_shop_at is not None and stock_of(presta, sku) == 7
    # In the shop now, but our 10 was read before: still held, 7 available, not 10.
    assert ours(presta, sku) == (10, 3)
    sync_catalog(presta)
    assert ours(presta, sku) == (7, 0)
