"""Amazon orders and their items, and the shipments the shop confirms for them.

An order is stored once per account and Amazon order id: seen again, it is
updated (never duplicated), and never rolled back to an older version. Amazon
moves an order's ``LastUpdateDate`` on any change, not only its status (a
corrected delivery address, a later ship-by date): the newer version's fields
are stored whatever changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from amazon_jobs.amazon.orders_api import AmazonOrder, AmazonOrderItem
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.catalog import product_ids_by_sku
from amazon_jobs.store.models import Order, OrderItem, Shipment
from amazon_jobs.store.order_feed import number_changes

__all__ = [
    "SHIPPABLE",
    "ShipmentSpec",
    "create_shipment",
    "find_order",
    "list_orders",
    "order_lines",
    "store_order_items",
    "upsert_orders",
]

#: Order statuses in which Amazon accepts a shipment confirmation.
SHIPPABLE = frozenset({"UNSHIPPED", "PARTIALLY_SHIPPED"})


def upsert_orders(
    session: Session, account_id: int, orders: Sequence[AmazonOrder], now: datetime
) -> dict[str, bool]:
    """Store a page of orders (and their items when given); True for each new order.

    An order listed twice is stored once, its latest version. New orders with their
    items, and orders whose status, items or delivery address changed, get the next
    numbers of the order cursor (:mod:`amazon_jobs.store.order_feed`), last.
    """
    if not orders:
        return {}
    wanted = [o.order_id for o in orders]
    existing = {
        row.amazon_order_id: row
        for row in session.execute(
            select(
                Order.id,
                Order.amazon_order_id,
                Order.amazon_updated_at,
                Order.status,
                Order.ship_to,
            ).where(Order.account_id == account_id, Order.amazon_order_id.in_(wanted))
        )
    }
    latest = {o.order_id: o for o in sorted(orders, key=lambda o: o.updated_at)}
    new = [o for oid, o in latest.items() if oid not in existing]
    if new:
        session.execute(insert(Order), [_order_row(account_id, o, now, created=True) for o in new])
    newer = {
        oid: o
        for oid, o in latest.items()
        if oid in existing and o.updated_at >= existing[oid].amazon_updated_at
    }
    changed = [
        {"id": existing[oid].id, **_order_row(account_id, o, now, created=False)}
        for oid, o in newer.items()
    ]
    update_rows(session, Order, changed)
    ids = order_ids(session, account_id, list(latest))
    to_number = []
    for oid, order in latest.items():
        items_changed = order.items is not None and _store_items(session, ids[oid], order.items)
        first_time = oid not in existing and order.items is not None
        told = oid in newer and _tells_the_shop(existing[oid], order)
        if first_time or items_changed or told:
            to_number.append(ids[oid])
    number_changes(session, to_number)
    return {oid: oid not in existing for oid in latest}


def _tells_the_shop(stored: Any, order: AmazonOrder) -> bool:
    """Whether the newer *order* changed what the shop must learn: its status (a
    cancellation) or where it goes."""
    return bool(order.status != stored.status or order.ship_to != stored.ship_to)


def order_ids(session: Session, account_id: int, amazon_ids: Sequence[str]) -> dict[str, int]:
    rows = session.execute(
        select(Order.amazon_order_id, Order.id).where(
            Order.account_id == account_id, Order.amazon_order_id.in_(amazon_ids)
        )
    )
    return {row.amazon_order_id: row.id for row in rows}


def store_order_items(session: Session, order_id: int, items: Sequence[AmazonOrderItem]) -> None:
    """Store an order's items (fetched apart: Orders v0); numbered in the order cursor when
    they changed, or when the order waited for them to get its first number."""
    changed = _store_items(session, order_id, items)
    if changed or session.scalar(select(Order.change_seq).where(Order.id == order_id)) is None:
        number_changes(session, [order_id])


def _store_items(session: Session, order_id: int, items: Sequence[AmazonOrderItem]) -> bool:
    """Insert new lines and update known ones; True if a line is new or its quantity changed."""
    existing = {
        row.order_item_id: row
        for row in session.execute(
            select(OrderItem.order_item_id, OrderItem.id, OrderItem.quantity_ordered).where(
                OrderItem.order_id == order_id
            )
        )
    }
    products = product_ids_by_sku(session, [i.sku for i in items if i.sku])
    rows = [_item_row(order_id, item, products.get(item.sku or "")) for item in items]
    new = [r for r in rows if r["order_item_id"] not in existing]
    if new:
        session.execute(insert(OrderItem), new)
    known = [r for r in rows if r["order_item_id"] in existing]
    update_rows(session, OrderItem, [{"id": existing[r["order_item_id"]].id, **r} for r in known])
    return bool(new) or any(
        r["quantity_ordered"] != existing[r["order_item_id"]].quantity_ordered for r in known
    )


def list_orders(
    session: Session,
    account_id: int,
    *,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Order]:
    """The account's orders, most recently imported first, keyset-paginated by id."""
    query = select(Order).where(Order.account_id == account_id)
    if status:
        query = query.where(Order.status == status.upper())
    if before_id is not None:
        query = query.where(Order.id < before_id)
    return list(session.scalars(query.order_by(Order.id.desc()).limit(limit)))


def order_lines(session: Session, order_id: int) -> tuple[list[OrderItem], list[Shipment]]:
    """The order's items and the packages the shop shipped for it."""
    items = session.scalars(
        select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.id)
    )
    packages = session.scalars(
        select(Shipment)
        .where(Shipment.order_id == order_id)
        .order_by(Shipment.package_reference_id)
    )
    return list(items), list(packages)


def find_order(session: Session, account_id: int, amazon_order_id: str) -> Order:
    order = session.scalars(
        select(Order).where(
            Order.account_id == account_id, Order.amazon_order_id == amazon_order_id
        )
    ).one_or_none()
    if order is None:
        raise AmazonJobsError(
            f"no imported order {amazon_order_id!r} on this account: import orders first "
            "(`amazon-jobs jobs import-orders`)"
        )
    return order


@dataclass(frozen=True)
class ShipmentSpec:
    """What the shop says it shipped."""

    carrier_code: str
    tracking_number: str
    ship_date: datetime
    carrier_name: str | None = None
    shipping_method: str | None = None
    #: orderItemId -> quantity; None ships everything not shipped yet.
    items: dict[str, int] | None = None


def create_shipment(session: Session, order: Order, spec: ShipmentSpec, now: datetime) -> Shipment:
    """Record a package for *order*, due to be confirmed to Amazon."""
    if order.status not in SHIPPABLE:
        raise AmazonJobsError(
            f"order {order.amazon_order_id} is {order.status}: only unshipped or partly "
            "shipped orders can be shipped"
        )
    if spec.carrier_code == "Other" and not spec.carrier_name:
        raise AmazonJobsError("carrier 'Other' needs a carrier name")
    open_quantities = _unshipped(session, order)
    items = spec.items if spec.items is not None else open_quantities
    for item_id, quantity in items.items():
        if quantity <= 0 or quantity > open_quantities.get(item_id, 0):
            raise AmazonJobsError(
                f"order {order.amazon_order_id} has {open_quantities.get(item_id, 0)} of item "
                f"{item_id} left to ship, not {quantity}"
            )
    items = {k: v for k, v in items.items() if v > 0}
    if not items:
        raise AmazonJobsError(f"order {order.amazon_order_id} has nothing left to ship")
    number = (
        session.scalar(
            select(func.max(Shipment.package_reference_id)).where(Shipment.order_id == order.id)
        )
        or 0
    ) + 1
    shipment = Shipment(
        order_id=order.id,
        package_reference_id=number,
        carrier_code=spec.carrier_code,
        carrier_name=spec.carrier_name,
        shipping_method=spec.shipping_method,
        tracking_number=spec.tracking_number,
        ship_date=spec.ship_date,
        items=[{"order_item_id": k, "quantity": v} for k, v in items.items()],
        state="due",
        created_at=now,
        updated_at=now,
    )
    session.add(shipment)
    session.flush()
    return shipment


def _unshipped(session: Session, order: Order) -> dict[str, int]:
    """Per order item, the quantity neither shipped on Amazon nor in a pending package."""
    left = {
        row.order_item_id: row.quantity_ordered - row.quantity_shipped
        for row in session.execute(
            select(
                OrderItem.order_item_id, OrderItem.quantity_ordered, OrderItem.quantity_shipped
            ).where(OrderItem.order_id == order.id)
        )
    }
    packages = session.scalars(
        select(Shipment.items).where(Shipment.order_id == order.id, Shipment.state == "due")
    )
    for package in packages:
        for line in package:
            left[line["order_item_id"]] = left.get(line["order_item_id"], 0) - line["quantity"]
    return {k: v for k, v in left.items() if v > 0}


def _order_row(account_id: int, o: AmazonOrder, now: datetime, *, created: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_id": account_id,
        "amazon_order_id": o.order_id,
        "status": o.status,
        "purchased_at": o.purchased_at,
        "amazon_updated_at": o.updated_at,
        "marketplace_id": o.marketplace_id,
        "fulfilled_by": o.fulfilled_by,
        "total": o.total,
        "currency": o.currency,
        "updated_at": now,
        "ship_to": o.ship_to,
        "buyer": o.buyer,
    }
    if created:
        row["imported_at"] = now
    return row


def _item_row(order_id: int, item: AmazonOrderItem, product_id: int | None) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "order_item_id": item.order_item_id,
        "sku": item.sku,
        "asin": item.asin,
        "title": item.title,
        "quantity_ordered": item.quantity_ordered,
        "quantity_shipped": item.quantity_shipped,
        "unit_price": item.unit_price,
        "product_id": product_id,
    }
