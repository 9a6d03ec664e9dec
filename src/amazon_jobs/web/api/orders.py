"""``/api/v1/orders``: imported Amazon orders; mark one shipped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from amazon_jobs import service
from amazon_jobs.store.orders import list_orders, order_lines
from amazon_jobs.web.api.lookups import account_named, order_on
from amazon_jobs.web.api.params import AccountQuery, BeforeId, Limit, cursor
from amazon_jobs.web.api.schemas.common import NO_NUL, error
from amazon_jobs.web.api.schemas.orders import (
    OrderDetailPublic,
    OrderPublic,
    OrdersPublic,
    ShipmentCreate,
    ShipmentPublic,
)
from amazon_jobs.web.deps import RuntimeDep

router = APIRouter(prefix="/orders", tags=["orders"])

AmazonOrderId = Annotated[
    str, Path(min_length=1, max_length=30, pattern=NO_NUL, description="Amazon's order id")
]
NOT_FOUND = error(404, "No such order on the account")


@router.get("")
def read_orders(
    rt: RuntimeDep,
    account: AccountQuery,
    status: Annotated[
        str | None,
        Query(min_length=1, max_length=30, pattern=NO_NUL, description="e.g. UNSHIPPED"),
    ] = None,
    before_id: BeforeId = None,
    limit: Limit = 50,
) -> OrdersPublic:
    """The account's orders, most recently imported first."""
    with rt.db.read() as session:
        account_id = account_named(session, account).id
        rows = list_orders(session, account_id, status=status, before_id=before_id, limit=limit + 1)
    return OrdersPublic(
        items=[OrderPublic.of(o) for o in rows[:limit]], next_before_id=cursor(rows, limit)
    )


@router.get("/{amazon_order_id}", responses=NOT_FOUND)
def read_order(
    rt: RuntimeDep, amazon_order_id: AmazonOrderId, account: AccountQuery
) -> OrderDetailPublic:
    """An order with its items and the packages the shop shipped for it."""
    with rt.db.read() as session:
        order = order_on(session, account_named(session, account).id, amazon_order_id)
        items, packages = order_lines(session, order.id)
    return OrderDetailPublic.with_lines(order, items, packages)


@router.post("/{amazon_order_id}/ship", status_code=201, responses=NOT_FOUND)
def ship_order(
    rt: RuntimeDep, amazon_order_id: AmazonOrderId, body: ShipmentCreate
) -> ShipmentPublic:
    """Record a package; the next Orders Fulfillment job confirms it to Amazon."""
    with rt.db.read() as session:
        account = account_named(session, body.account)
        order_on(session, account.id, amazon_order_id)
    shipment = service.ship_order(rt, account.name, amazon_order_id, body.spec(rt.clock.now()))
    return ShipmentPublic.of(shipment)
