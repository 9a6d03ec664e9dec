"""Available to sell and selling policies in the store and the listings jobs, on both
databases: what is held back, the SQL targets against the domain's arithmetic, and
what a sync sends and shows."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.policy import SellingPolicy, apply_price, apply_quantity
from amazon_jobs.policies import listings_due, set_selling_policy
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.store.available import Targets, held_back
from amazon_jobs.store.jobs import get_job, job_items
from amazon_jobs.store.models import Account, Action, Listing, Order, Product, Shipment
from amazon_jobs.store.orders import ShipmentSpec, create_shipment
from tests.integration.available_helpers import (
    SYNC_ONLY,
    amazon_quantity,
    local_order,
    run_until_idle,
)
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def set_policy(shop, **values: object) -> None:
    with shop.rt.db.transaction() as session:
        account = session.get(Account, shop.account_id)
        set_selling_policy(
            shop.rt, session, account, SellingPolicy.from_values(values), actor="tester"
        )


def test_held_back_counts_open_merchant_orders_not_in_the_shop(shop):
    local_order(shop, {sku(0): 2, sku(1): 1})
    local_order(shop, {sku(0): 1}, status="PENDING")
    local_order(shop, {sku(0): 3}, status="PARTIALLY_SHIPPED", shipped={sku(0): 2})
    local_order(shop, {sku(0): 5}, in_shop=True)
    local_order(shop, {sku(0): 5}, status="CANCELLED")
    local_order(shop, {sku(0): 5}, status="SHIPPED")
    local_order(shop, {sku(0): 5}, fulfilled_by="AMAZON")
    recorded = local_order(shop, {sku(1): 4})
    with shop.rt.db.transaction() as session:
        spec = ShipmentSpec("UPS", "1Z1", shop.clock.now())
        create_shipment(session, session.get(Order, recorded), spec, shop.clock.now())
    with shop.rt.db.read() as session:
        assert session.scalar(select(Shipment.order_id)) == recorded
        assert held_back(session, shop.account_id, [sku(0), sku(1), sku(2)]) == {
            sku(0): 2 + 1 + 1,
            sku(1): 1,
        }


def random_policy(rng: random.Random) -> SellingPolicy:
    source = rng.choice(["shop", "percent", "fixed"])
    floor = rng.choice([None, "5.00", "9.00"])
    return SellingPolicy.from_values(
        {
            "qty_source": source,
            "qty_percent": str(rng.randint(1, 10000) / 100) if source == "percent" else None,
            "qty_fixed": rng.randint(0, 30) if source == "fixed" else None,
            "qty_reserve": rng.randint(0, 5),
            "qty_cap": rng.choice([None, 3, 15]),
            "qty_min_stock": rng.choice([None, 2, 12]),
            "price_markup_pct": str(rng.randint(-5000, 20000) / 100),
            "price_markup_fixed": str(rng.randint(-300, 500) / 100),
            "price_rate": str(rng.randint(1, 3_000_000) / 1_000_000),
            "price_ending": rng.choice([None, "0.99", "0.00", "0.49"]),
            "price_floor": floor,
            "price_ceiling": rng.choice([None, "50.00"]),
        }
    )


def test_the_sql_targets_are_the_policy_arithmetic_to_the_cent(shop):
    rng = random.Random(14)
    with shop.rt.db.transaction() as session:
        for n in range(12):
            session.execute(
                update(Product)
                .where(Product.sku == sku(n))
                .values(quantity=rng.randint(0, 40), price=Decimal(rng.randint(1, 99_999)) / 100)
            )
    local_order(shop, {sku(0): 3, sku(5): 30})
    local_order(shop, {sku(0): 1, sku(7): 2})
    for _ in range(25):
        policy = random_policy(rng)
        targets = Targets(shop.account_id, policy)
        with shop.rt.db.read() as session:
            held = held_back(session, shop.account_id, [sku(n) for n in range(12)])
            rows = session.execute(
                select(
                    Product.sku,
                    Product.quantity,
                    Product.price,
                    targets.quantity().label("target_quantity"),
                    targets.price_cents().label("target_cents"),
                ).join(Listing, Listing.product_id == Product.id)
            ).all()
        for row in rows:
            expected_qty = apply_quantity(row.quantity, held.get(row.sku, 0), policy)
            expected_price = apply_price(row.price, None, policy)
            assert (row.target_quantity, row.target_cents) == (
                expected_qty,
                int(expected_price * 100),
            ), (row, policy)


def test_a_sync_sends_the_policy_values_and_shows_where_they_came_from(shop_factory):
    shop = shop_factory(**SYNC_ONLY)
    scheduler = Scheduler(shop.rt, "host-a")
    shop.set_quantity(sku(0), 12)
    local_order(shop, {sku(0): 2})
    set_policy(shop, qty_reserve=2, qty_cap=100, price_markup_pct="20", price_ending="0.99")
    with shop.rt.db.read() as session:
        assert listings_due(session, shop.account_id) == 12  # every active listing
        action = session.scalars(select(Action).where(Action.action == "account_policy")).one()
    assert action.actor == "tester"
    assert "reserve 2, cap 100; +20 %, ends .99" in action.detail

    (job_id,) = scheduler.tick().jobs(JobType.UPDATE_QTY_PRICE)
    run_until_idle(shop)
    with shop.rt.db.read() as session:
        assert get_job(session, job_id).status == JobStatus.DONE
        item = {i.ref: i for i in job_items(session, job_id)}[sku(0)]
        assert listings_due(session, shop.account_id) == 0
    assert item.sent == {
        "shop_quantity": 12,
        "held_back": 2,
        "policy": True,
        "quantity": 8,
        "shop_price": "9.99",
        "price": "11.99",
    }
    assert item.confirmed == {"quantity": 8, "price": "11.99"}
    assert amazon_quantity(shop, sku(0)) == 8
    assert scheduler.tick().created == {}  # nothing differs any more

    set_policy(shop, qty_reserve=1)  # a policy change makes the listings due again
    with shop.rt.db.read() as session:
        assert listings_due(session, shop.account_id) == 12
    (again,) = scheduler.tick().jobs(JobType.UPDATE_QTY_PRICE)
    run_until_idle(shop)
    assert amazon_quantity(shop, sku(0)) == 9
    with shop.rt.db.read() as session:
        assert get_job(session, again).status == JobStatus.DONE
