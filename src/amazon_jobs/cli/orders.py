"""``amazon-jobs orders``: imported Amazon orders; mark them shipped."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.clock import utc
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.service import acknowledge_order, ship_order
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.models import Order, OrderItem, Shipment
from amazon_jobs.store.orders import ShipmentSpec, find_order

app = typer.Typer(help="Imported Amazon orders and their shipments.")

AccountOption = Annotated[str, typer.Option(help="Account name or id.")]


@app.command("list")
@friendly_errors
def list_(
    account: AccountOption,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. UNSHIPPED.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """Orders, most recently updated first."""
    with runtime() as rt, rt.db.read() as session:
        account_id = find_account(session, account).id
        query = select(Order).where(Order.account_id == account_id)
        if status:
            query = query.where(Order.status == status.upper())
        orders = list(session.scalars(query.order_by(Order.amazon_updated_at.desc()).limit(limit)))
    table = Table("Order", "Status", "Purchased", "Updated on Amazon", "Total")
    for order in orders:
        total = f"{order.total} {order.currency}" if order.total is not None else "—"
        table.add_row(
            order.amazon_order_id,
            order.status,
            fmt_time(order.purchased_at),
            fmt_time(order.amazon_updated_at),
            total,
        )
    console.print(
        table if orders else "No orders: import them with `amazon-jobs jobs import-orders`."
    )


@app.command("show")
@friendly_errors
def show(account: AccountOption, order_id: Annotated[str, typer.Argument()]) -> None:
    """An order: its items and the packages the shop shipped."""
    with runtime() as rt, rt.db.read() as session:
        order = find_order(session, find_account(session, account).id, order_id)
        items = list(session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)))
        packages = list(session.scalars(select(Shipment).where(Shipment.order_id == order.id)))
    console.print(
        f"[bold]{order.amazon_order_id}[/] · {order.status} · {fmt_time(order.purchased_at)}"
    )
    table = Table("Item", "SKU", "Title", "Ordered", "Shipped", "Unit price")
    for item in items:
        table.add_row(
            item.order_item_id,
            escape(item.sku or "—"),
            escape(item.title or ""),
            str(item.quantity_ordered),
            str(item.quantity_shipped),
            str(item.unit_price or "—"),
        )
    console.print(table)
    for package in packages:
        console.print(
            f"Package {package.package_reference_id}: {package.carrier_code} "
            f"{escape(package.tracking_number)} — {package.state}"
            + (f" ({escape(package.error)})" if package.error else "")
        )


@app.command("ship")
@friendly_errors
def ship(
    order_id: Annotated[str, typer.Argument(help="The Amazon order id.")],
    account: AccountOption,
    carrier: Annotated[str, typer.Option(help="Carrier code, e.g. UPS, DHL, or Other.")],
    tracking: Annotated[str, typer.Option(help="Tracking number.")],
    carrier_name: Annotated[
        str | None, typer.Option(help="Carrier name (needed with --carrier Other).")
    ] = None,
    method: Annotated[str | None, typer.Option(help="Shipping method.")] = None,
    item: Annotated[
        list[str] | None,
        typer.Option(help="ORDER_ITEM_ID:QUANTITY shipped (repeatable); default: everything."),
    ] = None,
    ship_date: Annotated[
        datetime | None, typer.Option(help="When it shipped (default: now).")
    ] = None,
) -> None:
    """Mark an order shipped; the next Orders Fulfillment job confirms it to Amazon."""
    with runtime() as rt:
        spec = ShipmentSpec(
            carrier_code=carrier,
            carrier_name=carrier_name,
            shipping_method=method,
            tracking_number=tracking,
            ship_date=_aware(ship_date) if ship_date else rt.clock.now(),
            items=_items(item) if item else None,
        )
        shipment = ship_order(rt, account, order_id, spec)
    console.print(
        f"Order {order_id}: package {shipment.package_reference_id} recorded; "
        "`amazon-jobs jobs fulfill-orders` confirms it to Amazon."
    )


@app.command("ack")
@friendly_errors
def ack(
    order_id: Annotated[
        str, typer.Argument(help="The order's id, or its Amazon order id with --account.")
    ],
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    shop_ref: Annotated[
        str | None,
        typer.Option(help="The shop's own reference of the order (64 characters at most)."),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Kept in the Activity log.")] = None,
) -> None:
    """Acknowledge an order: the shop has it, so its units stop being held back from Amazon."""
    with runtime() as rt:
        done = acknowledge_order(rt, order_id, account, shop_ref, reason=reason)
    name = done.order.amazon_order_id
    console.print(
        f"Order {name} is in the shop."
        if done.changed
        else f"Order {name} was acknowledged already: nothing changed."
    )


def _items(values: list[str]) -> dict[str, int]:
    items = {}
    for value in values:
        item_id, _, quantity = value.partition(":")
        if not item_id or not quantity.isdigit():
            raise AmazonJobsError(f"--item {value!r}: write ORDER_ITEM_ID:QUANTITY")
        items[item_id] = int(quantity)
    return items


def _aware(value: datetime) -> datetime:
    return utc(value)
