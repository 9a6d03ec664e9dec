"""Every seller's orders: the seeded stream, orders placed by tests, and look-ups.

``Simulator.orders`` is an :class:`OrderBook`. Tests place exact orders with
:meth:`OrderBook.add_order` / :meth:`OrderBook.seed_orders`, change them as
a buyer or Amazon would (:meth:`OrderBook.cancel_order`,
:meth:`OrderBook.update_order`) and read an order's state (status, shipped
quantities, packages, address) with :meth:`OrderBook.order`.
The SP-API operations call :meth:`OrderBook.orders_of` and
:meth:`OrderBook.find` under the simulator's lock with the request's *now*;
both first draw the seller's stream up to *now*.

Orders move the seller's quantities on Amazon (``simulator.orders.stock``): placing
one takes its units, a cancellation gives them back, at their own times;
:meth:`OrderBook.advance` applies them up to a time (the simulator's sync
calls it between the feeds it finishes), and the stream draws each order
from the quantities left after the orders before it.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from amazon_jobs.simulator.models import SimListing
from amazon_jobs.simulator.orders.addresses import Address, address_for
from amazon_jobs.simulator.orders.markets import marketplace
from amazon_jobs.simulator.orders.model import (
    OrderState,
    OrderStatus,
    SimOrder,
    SimOrderItem,
    Transition,
    is_order_id,
    order_state,
    whole_second,
)
from amazon_jobs.simulator.orders.stock import OrderStock
from amazon_jobs.simulator.orders.stream import OrderStream, item_title, new_item_id, new_order_id
from amazon_jobs.simulator.orders.updates import change

if TYPE_CHECKING:
    from amazon_jobs.simulator.state import Simulator

__all__ = ["OrderBook"]

_PLACEABLE = (OrderStatus.PENDING, OrderStatus.UNSHIPPED, OrderStatus.CANCELED)


@dataclass(slots=True)
class _SellerOrders:
    stream: OrderStream
    stock: OrderStock
    #: Sorted by (purchase time, order id).
    orders: list[SimOrder] = field(default_factory=list)
    by_id: dict[str, SimOrder] = field(default_factory=dict)


def _order_key(order: SimOrder) -> tuple[datetime, str]:
    return order.purchased_at, order.order_id


class OrderBook:
    """The orders of every seller of *simulator*."""

    def __init__(self, simulator: Simulator) -> None:
        self._sim = simulator
        config = simulator.config
        self._start = simulator.clock.now() - timedelta(hours=config.order_backlog_h)
        self._rng = random.Random(f"{config.order_seed}:placed")
        self._sellers: dict[str, _SellerOrders] = {}
        self._ids: set[str] = set()

    # -- for tests and inspection ----------------------------------------------

    def add_order(
        self,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        seller_id: str | None = None,
        order_id: str | None = None,
        purchased_at: datetime | None = None,
        status: OrderStatus | str = OrderStatus.UNSHIPPED,
        updated_at: datetime | None = None,
        paid_at: datetime | None = None,
        canceled_at: datetime | None = None,
        marketplace_id: str | None = None,
        seller_order_id: str | None = None,
        is_prime: bool = False,
        is_business: bool = False,
    ) -> OrderState:
        """Place one order and return its state now.

        *items* are rows with ``sku`` and optional ``quantity`` (1), ``asin``,
        ``price``, ``title`` and ``order_item_id``; what is left out comes from
        the seller's listing. Without *items* the order holds one unit of the
        first sellable listing. *status* is Pending, Unshipped or Canceled,
        reached at *updated_at* (default: the purchase). A Pending order turns
        Unshipped at *paid_at* if given; the buyer cancels at *canceled_at* if
        given and the order has not shipped by then.
        """
        with self._sim.lock:
            now = self._sim.sync()
            key = self._seller_key(seller_id)
            self._orders(key, now)
            listings = self._sim.seller(key).listings
            at = whole_second(purchased_at or now)
            market = marketplace(marketplace_id or self._sim.config.marketplace_id)
            order_id = order_id or new_order_id(self._rng, market, self._ids.__contains__)
            order = SimOrder(
                order_id=order_id,
                seller_id=key,
                marketplace_id=market.marketplace_id,
                purchased_at=at,
                items=self._items(items, listings),
                transitions=_transitions(at, OrderStatus(status), updated_at, paid_at)
                + _cancellation(canceled_at),
                is_prime=is_prime,
                is_business=is_business,
                seller_order_id=seller_order_id,
                address=address_for(market, order_id),
            )
            book = self._book(key)
            self._record(book, order)
            book.stock.apply(listings, now)
            return order_state(order, now)

    def seed_orders(
        self, rows: Iterable[Mapping[str, Any]], seller_id: str | None = None
    ) -> list[OrderState]:
        """Place one order per row of :meth:`add_order` keyword arguments."""
        rows = list(rows)
        with self._sim.lock:
            return [self.add_order(seller_id=seller_id, **dict(row)) for row in rows]

    def cancel_order(self, order_id: str, seller_id: str | None = None) -> OrderState:
        """Cancel an order now, as a buyer would; KeyError if unknown."""
        with self._sim.lock:
            now = self._sim.sync()
            key = self._seller_key(seller_id)
            order = self._known(order_id, key, now)
            order.settle(now)
            order.transitions.append(Transition(whole_second(now), OrderStatus.CANCELED))
            book = self._book(key)
            book.stock.canceled(order, whole_second(now))
            book.stock.apply(self._sim.seller(key).listings, now)
            return order_state(order, now)

    def update_order(
        self,
        order_id: str,
        *,
        address: Mapping[str, str] | None = None,
        ship_days: int = 0,
        seller_id: str | None = None,
    ) -> OrderState:
        """Change an order now without changing its status, as Amazon or the buyer
        would: a new delivery *address* (``city``, ``state``, ``postal_code``, and
        ``country_code`` if it changes) and/or the promised dates *ship_days* later.
        ``LastUpdateDate`` moves to now. KeyError if unknown; ValueError for an order
        that has shipped or was canceled, or for an update that changes nothing."""
        with self._sim.lock:
            now = self._sim.sync()
            order = self._known(order_id, seller_id, now)
            status = order.status_at(now)
            if status in (OrderStatus.SHIPPED, OrderStatus.CANCELED):
                raise ValueError(f"order {order_id} is {status}: it no longer changes")
            moved = None if address is None else _address(address, order.address_at(now))
            update = change(now, address=moved, ship_days=ship_days)
            order.updates = sorted([*order.updates, update], key=lambda u: u.at)
            return order_state(order, now)

    def order(self, order_id: str, seller_id: str | None = None) -> OrderState:
        """The state of an order now; KeyError if the seller has no such order."""
        with self._sim.lock:
            now = self._sim.clock.now()
            return order_state(self._known(order_id, seller_id, now), now)

    def orders(self, seller_id: str | None = None) -> list[OrderState]:
        """The state of every order of the seller now, oldest purchase first."""
        with self._sim.lock:
            now = self._sim.clock.now()
            return [order_state(o, now) for o in self.orders_of(self._seller_key(seller_id), now)]

    # -- for the SP-API operations (the caller holds the lock) ------------------

    def advance(self, seller_id: str, until: datetime) -> None:
        """Draw the seller's orders and apply their quantity moves up to *until*."""
        self._orders(seller_id, until)
        self._book(seller_id).stock.apply(self._sim.seller(seller_id).listings, until)

    def orders_of(self, seller_id: str, now: datetime) -> list[SimOrder]:
        """The seller's orders placed by *now*, oldest purchase first."""
        orders = self._orders(seller_id, now)
        end = bisect.bisect_right(orders, now, key=lambda order: order.purchased_at)
        return orders[:end]

    def find(self, seller_id: str, order_id: str, now: datetime) -> SimOrder | None:
        """The seller's order *order_id* if it was placed by *now*."""
        self._orders(seller_id, now)
        order = self._sellers[seller_id].by_id.get(order_id)
        return order if order is not None and order.purchased_at <= now else None

    # -- internals --------------------------------------------------------------

    def _orders(self, seller_id: str, now: datetime) -> list[SimOrder]:
        book = self._book(seller_id)
        listings = self._sim.seller(seller_id).listings
        for order in book.stream.due(now, listings, self._ids.__contains__):
            self._record(book, order)
            book.stock.apply(listings, order.purchased_at)  # the next draw sees what is left
        return book.orders

    def _book(self, seller_id: str) -> _SellerOrders:
        book = self._sellers.get(seller_id)
        if book is None:
            self._sim.seller(seller_id)  # KeyError for an unknown seller
            market = marketplace(self._sim.config.marketplace_id)
            stream = OrderStream(self._sim.config, seller_id, market, self._start)
            stock = OrderStock(self._sim.started_at)
            book = self._sellers[seller_id] = _SellerOrders(stream, stock)
        return book

    def _record(self, book: _SellerOrders, order: SimOrder) -> None:
        if not is_order_id(order.order_id):
            raise ValueError(f"order id {order.order_id!r} is not in the 3-7-7 form")
        if order.order_id in self._ids:
            raise ValueError(f"order {order.order_id} already exists")
        bisect.insort(book.orders, order, key=_order_key)
        book.by_id[order.order_id] = order
        self._ids.add(order.order_id)
        book.stock.placed(order)

    def _seller_key(self, seller_id: str | None) -> str:
        return seller_id or self._sim.config.seller_id

    def _known(self, order_id: str, seller_id: str | None, now: datetime) -> SimOrder:
        order = self.find(self._seller_key(seller_id), order_id, now)
        if order is None:
            raise KeyError(f"unknown order {order_id!r}")
        return order

    def _items(
        self, rows: Iterable[Mapping[str, Any]] | None, listings: Mapping[str, SimListing]
    ) -> tuple[SimOrderItem, ...]:
        if rows is None:
            rows = [{"sku": _first_sellable(listings)}]
        items = tuple(self._item(row, listings) for row in rows)
        if not items:
            raise ValueError("an order needs at least one item")
        return items

    def _item(self, row: Mapping[str, Any], listings: Mapping[str, SimListing]) -> SimOrderItem:
        sku = str(row["sku"])
        listing = listings.get(sku)
        asin = row.get("asin") or (listing.asin if listing else None)
        price = row.get("price") or (listing.price if listing else None)
        if not asin or price is None:
            raise ValueError(f"SKU {sku!r} has no listing with an ASIN and a price: give both")
        return SimOrderItem(
            order_item_id=str(row.get("order_item_id") or new_item_id(self._rng)),
            sku=sku,
            asin=str(asin),
            title=str(row.get("title") or item_title(sku)),
            quantity=int(row.get("quantity", 1)),
            unit_price=Decimal(str(price)),
        )


def _first_sellable(listings: Mapping[str, SimListing]) -> str:
    for sku, listing in sorted(listings.items()):
        if listing.asin and listing.price is not None:
            return sku
    raise ValueError("the seller has no listing with an ASIN and a price: give items")


def _address(row: Mapping[str, str], current: Address | None) -> Address:
    missing = [key for key in ("city", "state", "postal_code") if not row.get(key)]
    if missing:
        raise ValueError(f"an address needs city, state and postal_code; missing {missing}")
    country = row.get("country_code") or (current.country_code if current else "US")
    return Address(str(row["city"]), str(row["state"]), str(row["postal_code"]), str(country))


def _cancellation(canceled_at: datetime | None) -> list[Transition]:
    if canceled_at is None:
        return []
    return [Transition(whole_second(canceled_at), OrderStatus.CANCELED)]


def _transitions(
    at: datetime, status: OrderStatus, updated_at: datetime | None, paid_at: datetime | None
) -> list[Transition]:
    if status not in _PLACEABLE:
        raise ValueError(f"an order can be placed Pending, Unshipped or Canceled, not {status}")
    life = [Transition(at, OrderStatus.PENDING)]
    if status == OrderStatus.PENDING:
        if paid_at is not None:
            life.append(Transition(whole_second(paid_at), OrderStatus.UNSHIPPED))
        return life
    return [*life, Transition(whole_second(updated_at or at), status)]
