"""``/api/v1/orders``: imported Amazon orders; mark one shipped; the order cursor and
acknowledgements of the push path (a shop without a connector)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from amazon_jobs import service
from amazon_jobs.store.models import Order
from amazon_jobs.store.order_feed import items_by_order, orders_after
from amazon_jobs.store.orders import list_orders, order_lines
from amazon_jobs.web.access import OPERATE, READ
from amazon_jobs.web.api.lookups import account_named, order_on
from amazon_jobs.web.api.params import AccountQuery, BeforeId, Limit, cursor
from amazon_jobs.web.api.schemas.common import MAX_ID, NO_NUL, error
from amazon_jobs.web.api.schemas.orders import (
    OrderAcknowledge,
    OrderAcknowledged,
    OrderDetailPublic,
    OrderItemPublic,
    OrderListed,
    OrderPublic,
    OrdersPublic,
    ShipmentCreate,
    ShipmentPublic,
)
from amazon_jobs.web.deps import ApiUser, RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/orders", tags=["orders"])

AmazonOrderId = Annotated[
    str, Path(min_length=1, max_length=30, pattern=NO_NUL, description="Amazon's order id")
]
OrderRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=30,
        pattern=NO_NUL,
        description="The order's id (as the order cursor lists it), or its Amazon order id "
        "with ``account``",
    ),
]
NOT_FOUND = error(404, "No such order on the account")
AfterCursor = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_ID,
        description="Page by change: orders whose cursor is larger, in cursor order "
        "(0 for the first call; then the answer's next_cursor)",
    ),
]


@router.get("", responses=error(422, "Unknown account or invalid parameters"), dependencies=READ)
def read_orders(
    rt: RuntimeDep,
    account: AccountQuery,
    status: Annotated[
        str | None,
        Query(min_length=1, max_length=30, pattern=NO_NUL, description="e.g. UNSHIPPED"),
    ] = None,
    before_id: BeforeId = None,
    after_cursor: AfterCursor = None,
    limit: Limit = 50,
) -> OrdersPublic:
    """The account's orders, most recently imported first (``before_id`` pages on).

    **The order cursor** (``after_cursor``), for a shop without a connector:
    the orders whose ``cursor`` is larger than ``after_cursor``, oldest change
    first, each with its items (``order_items``). Store the answer's
    ``next_cursor`` and pass it next time; fewer orders than ``limit`` means
    there is nothing newer now. An order is listed once it is imported with its
    items, and again, with a larger cursor, whenever it changes in a way the
    shop must learn: its status (a cancellation, a shipment) or its items. A
    page never skips an order: cursors become visible in increasing order,
    however many workers import at once. Once the shop has an order,
    acknowledge it (``POST /api/v1/orders/{order}/acknowledge``): until then its
    units are held back from the quantity sent to Amazon. ``after_cursor``
    takes neither ``status`` nor ``before_id``.
    """
    if after_cursor is not None:
        if status is not None or before_id is not None:
            raise ApiError(
                422, "after_cursor pages through every change: drop status and before_id"
            )
        return _changes(rt, account, after_cursor, limit)
    with rt.db.read() as session:
        account_id = account_named(session, account).id
        rows = list_orders(session, account_id, status=status, before_id=before_id, limit=limit + 1)
    return OrdersPublic(
        items=[_listed(o) for o in rows[:limit]],
        next_before_id=cursor(rows, limit),
        next_cursor=None,
    )


def _changes(rt: RuntimeDep, account: str, after: int, limit: int) -> OrdersPublic:
    with rt.db.read() as session:
        rows = orders_after(session, account_named(session, account).id, after, limit)
        lines = items_by_order(session, [o.id for o in rows])
    items = [_listed(o, [OrderItemPublic.of(i) for i in lines[o.id]]) for o in rows]
    last = rows[-1].change_seq if rows else None
    return OrdersPublic(items=items, next_before_id=None, next_cursor=last or after)


def _listed(order: Order, lines: list[OrderItemPublic] | None = None) -> OrderListed:
    return OrderListed(**OrderPublic.of(order).model_dump(), order_items=lines)


@router.get("/{amazon_order_id}", responses=NOT_FOUND, dependencies=READ)
def read_order(
    rt: RuntimeDep, amazon_order_id: AmazonOrderId, account: AccountQuery
) -> OrderDetailPublic:
    """An order with its items and the packages the shop shipped for it."""
    with rt.db.read() as session:
        order = order_on(session, account_named(session, account).id, amazon_order_id)
        items, packages = order_lines(session, order.id)
    return OrderDetailPublic.with_lines(order, items, packages)


@router.post("/{amazon_order_id}/ship", status_code=201, responses=NOT_FOUND, dependencies=OPERATE)
def ship_order(
    rt: RuntimeDep, amazon_order_id: AmazonOrderId, body: ShipmentCreate, caller: ApiUser
) -> ShipmentPublic:
    """Record a package; the next Orders Fulfillment job confirms it to Amazon."""
    with rt.db.read() as session:
        account = account_named(session, body.account)
        order_on(session, account.id, amazon_order_id)
    spec = body.spec(rt.clock.now())
    actor = caller.user.username
    shipment = service.ship_order(rt, account.name, amazon_order_id, spec, actor=actor)
    return ShipmentPublic.of(shipment)


@router.post(
    "/{order}/acknowledge",
    responses=error(404, "No such order")
    | error(
        409,
        "The order's account was deleted, or takes its orders to a connected shop, "
        "or the order was acknowledged under another shop reference",
    )
    | error(422, "Invalid input, or an unknown account"),
    dependencies=OPERATE,
)
def acknowledge_order(
    rt: RuntimeDep,
    order: OrderRef,
    caller: ApiUser,
    account: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=NO_NUL,
            description="Account name or id: needed when ``order`` is an Amazon order id",
        ),
    ] = None,
    body: Annotated[OrderAcknowledge | None, Body()] = None,
) -> OrderAcknowledged:
    """The shop has the order: from now on its units are no longer held back from the
    quantity sent to Amazon (the shop's stock counts them). Acknowledging it again
    changes nothing and says so (``changed`` false). Only for accounts without a
    connected shop: a connector's Orders to Shop job does this itself."""
    if account is not None:
        with rt.db.read() as session:
            account_named(session, account, include_deleted=True)
    given = body or OrderAcknowledge()
    done = service.acknowledge_order(
        rt,
        order,
        account,
        given.shop_order_ref,
        actor=caller.user.username,
        reason=given.reason,
    )
    name = done.order.amazon_order_id
    message = (
        f"order {name} is in the shop"
        if done.changed
        else f"order {name} was acknowledged already: nothing changed"
    )
    return OrderAcknowledged(
        order=OrderPublic.of(done.order), changed=done.changed, message=message
    )
