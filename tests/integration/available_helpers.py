"""Helpers for "available to sell" tests: orders on Amazon and in the shop, the
quantity Amazon shows, and one sync round. Reusable by the crash variants (a worker
killed between the orders import and the shop write): every helper reads and
writes through the shop's runtime or the simulator, never through a worker."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.scheduler.sync import SYNC_JOB_TYPE
from amazon_jobs.service import create_orders_import_job
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Order, OrderItem, Product
from tests.integration.conftest import Shop

#: Settings for a shop where only automatic sync runs on its own (tests import orders).
SYNC_ONLY = {"orders_import_every_s": 0, "inventory_report_every_s": 0}


def amazon_quantity(shop: Shop, sku: str) -> int:
    """The quantity Amazon shows for *sku* now (orders placed by now taken off)."""
    return shop.sim.listings()[sku].quantity


def shop_stock(shop: Shop, sku: str) -> int:
    with shop.rt.db.read() as session:
        return int(session.scalar(select(Product.quantity).where(Product.sku == sku)) or 0)


def place_amazon_order(shop: Shop, sku: str, units: int) -> str:
    """A buyer orders *units* of *sku* on Amazon now; returns the Amazon order id."""
    return shop.sim.orders.add_order([{"sku": sku, "quantity": units}]).order_id


def import_orders(shop: Shop) -> None:
    """Run an Orders Import job to its end (the orders land in the store, not the shop).

    The simulator's searchOrders sees orders up to two minutes old at the earliest
    (Amazon's createdBefore limit), so the clock moves on first."""
    shop.clock.advance(180)
    job = create_orders_import_job(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.read() as session:
        assert get_job(session, job.id).status == JobStatus.DONE


def sync_round(shop: Shop, scheduler: Scheduler) -> list[int]:
    """One automatic sync: the scheduler's tick, then the worker until the feeds are
    processed by Amazon and applied. Returns the sync jobs made."""
    jobs = scheduler.tick().jobs(SYNC_JOB_TYPE)
    run_until_idle(shop)
    return jobs


def run_until_idle(shop: Shop, rounds: int = 6) -> None:
    """Worker until idle, moving the clock so Amazon finishes the feeds in between."""
    for _ in range(rounds):
        shop.run_worker()
        shop.clock.advance(timedelta(minutes=5).total_seconds())
    shop.run_worker()


def receive_in_shop(shop: Shop, amazon_order_ids: Iterable[str]) -> None:
    """What the shop does once it has the orders: they are marked in the shop and
    its stock goes down by their units, in one transaction (as Orders to Shop will)."""
    ids = list(amazon_order_ids)
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        lines = session.execute(
            select(OrderItem.sku, OrderItem.quantity_ordered)
            .join(Order, Order.id == OrderItem.order_id)
            .where(Order.account_id == shop.account_id, Order.amazon_order_id.in_(ids))
        ).all()
        assert {row.sku for row in lines}, "the orders are not imported yet"
        for sku, units in lines:
            session.execute(
                update(Product)
                .where(Product.sku == sku)
                .values(quantity=Product.quantity - units, updated_at=now)
            )
        session.execute(
            update(Order)
            .where(Order.account_id == shop.account_id, Order.amazon_order_id.in_(ids))
            .values(in_shop_at=now, shop_order_id=1)
        )


def local_order(
    shop: Shop,
    lines: dict[str, int],
    *,
    status: str = "UNSHIPPED",
    fulfilled_by: str | None = "MERCHANT",
    in_shop: bool = False,
    shipped: dict[str, int] | None = None,
) -> int:
    """An imported Amazon order written straight into the store; returns its id."""
    now = shop.clock.now()
    with shop.rt.db.transaction() as session:
        count = session.scalar(select(Order.id).order_by(Order.id.desc()).limit(1)) or 0
        order_id = session.execute(
            insert(Order)
            .values(
                account_id=shop.account_id,
                amazon_order_id=f"111-{count + 1:07d}-0000001",
                status=status,
                purchased_at=now,
                amazon_updated_at=now,
                fulfilled_by=fulfilled_by,
                total=Decimal("10.00"),
                currency="USD",
                imported_at=now,
                updated_at=now,
                in_shop_at=now if in_shop else None,
            )
            .returning(Order.id)
        ).scalar_one()
        for n, (sku, units) in enumerate(lines.items()):
            session.execute(
                insert(OrderItem).values(
                    order_id=order_id,
                    order_item_id=f"{order_id:07d}{n:07d}",
                    sku=sku,
                    quantity_ordered=units,
                    quantity_shipped=(shipped or {}).get(sku, 0),
                )
            )
    return int(order_id)
