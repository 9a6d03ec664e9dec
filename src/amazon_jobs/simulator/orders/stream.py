"""A seller's orders arriving over time, drawn from a seeded ``random.Random``.

Arrivals form a Poisson process of ``orders_per_hour``; nothing runs in the
background: :meth:`OrderStream.due` draws every order placed up to *now* when
the simulator is asked about orders. The same seed, seller, start and listings
give the same orders, whenever they are looked at.

Each order holds 1-3 of the seller's sellable listings (ASIN, price and stock),
1-2 units each. It is Pending for about ``order_pending_s`` seconds, then
Unshipped; a share ``order_cancel_rate`` of them is canceled by the buyer,
half while Pending and half later. Each goes to an address of the marketplace's
country, and a share ``order_update_rate`` changes later without changing
status (``simulator.orders.updates``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from amazon_jobs.simulator.config import SimulatorConfig
from amazon_jobs.simulator.models import SimListing
from amazon_jobs.simulator.orders.addresses import address_for
from amazon_jobs.simulator.orders.markets import Marketplace
from amazon_jobs.simulator.orders.model import (
    OrderStatus,
    SimOrder,
    SimOrderItem,
    Transition,
    whole_second,
)
from amazon_jobs.simulator.orders.updates import UpdateDraws

__all__ = ["OrderStream", "item_title", "new_item_id", "new_order_id", "sellable"]

_ITEM_COUNTS = (1, 1, 1, 2, 2, 3)
_QUANTITIES = (1, 1, 1, 2)
_PRIME_SHARE = 0.3
_BUSINESS_SHARE = 0.05
_LATE_CANCEL_S = (600, 6 * 3600)

Taken = Callable[[str], bool]


def new_order_id(rng: random.Random, market: Marketplace, taken: Taken) -> str:
    """A fresh AmazonOrderId in the 3-7-7 form, e.g. 111-1845936-5435065."""
    while True:
        prefix = rng.choice(market.order_prefixes)
        order_id = f"{prefix}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
        if not taken(order_id):
            return order_id


def new_item_id(rng: random.Random) -> str:
    """A 14-digit OrderItemId, e.g. 05015851154158."""
    return f"{rng.randrange(10**14):014d}"


def item_title(sku: str) -> str:
    """The product title shown for a SKU: the simulator knows no catalog titles."""
    return f"Simulated product {sku}"


def sellable(listings: Mapping[str, SimListing]) -> list[tuple[str, SimListing]]:
    """Listings a buyer can order now (ASIN, price and stock), by SKU."""
    return [
        (sku, listing)
        for sku, listing in sorted(listings.items())
        if listing.asin and listing.price is not None and listing.quantity > 0
    ]


class OrderStream:
    """One seller's arrivals, drawn as the clock moves on."""

    def __init__(
        self, config: SimulatorConfig, seller_id: str, market: Marketplace, start: datetime
    ) -> None:
        self._config = config
        self._seller_id = seller_id
        self._market = market
        self._rng = random.Random(f"{config.order_seed}:{seller_id}")
        self._updates = UpdateDraws(config.order_seed, seller_id, config.order_update_rate)
        self._next_at: datetime | None = None
        if config.orders_per_hour > 0:
            self._next_at = start + self._gap()

    def due(
        self, now: datetime, listings: Mapping[str, SimListing], taken: Taken
    ) -> Iterator[SimOrder]:
        """Every order placed after the last call and up to *now*, oldest first.

        *taken* tells which order ids exist: the caller records each order
        before it asks for the next one.
        """
        offers: list[tuple[str, SimListing]] | None = None  # read when an order is due
        while self._next_at is not None and self._next_at <= now:
            offers = sellable(listings) if offers is None else offers
            at = whole_second(self._next_at)
            self._next_at += self._gap()
            order = self._draw(at, offers, listings, taken) if offers else None
            if order is not None:
                yield order

    def _gap(self) -> timedelta:
        per_second = self._config.orders_per_hour / 3600
        return timedelta(seconds=self._rng.expovariate(per_second))

    def _draw(
        self,
        at: datetime,
        offers: list[tuple[str, SimListing]],
        listings: Mapping[str, SimListing],
        taken: Taken,
    ) -> SimOrder | None:
        """The order placed at *at*; None if earlier orders left none of its items."""
        rng = self._rng
        order_id = new_order_id(rng, self._market, taken)
        count = min(rng.choice(_ITEM_COUNTS), len(offers))
        drawn = [self._item(sku, listings) for sku, _ in rng.sample(offers, count)]
        items = tuple(item for item in drawn if item.quantity > 0)
        if not items:
            return None
        order = SimOrder(
            order_id=order_id,
            seller_id=self._seller_id,
            marketplace_id=self._market.marketplace_id,
            purchased_at=at,
            items=items,
            transitions=self._transitions(at),
            is_prime=rng.random() < _PRIME_SHARE,
            is_business=rng.random() < _BUSINESS_SHARE,
            address=address_for(self._market, order_id),
        )
        order.updates = self._updates.draw(order)
        return order

    def _item(self, sku: str, listings: Mapping[str, SimListing]) -> SimOrderItem:
        """A line for *sku*, at most the units the listing has left now (earlier
        orders took theirs); 0 units when it has none left (the line is dropped)."""
        listing = listings.get(sku)
        left = listing.quantity if listing is not None else 0
        quantity = min(self._rng.choice(_QUANTITIES), left)
        asin = (listing.asin if listing else None) or ""
        price = (listing.price if listing else None) or Decimal(0)
        return SimOrderItem(new_item_id(self._rng), sku, asin, item_title(sku), quantity, price)

    def _transitions(self, at: datetime) -> list[Transition]:
        rng, config = self._rng, self._config
        pending_s = max(1, round(config.order_pending_s * rng.uniform(0.5, 1.5)))
        paid_at = at + timedelta(seconds=pending_s)
        life = [Transition(at, OrderStatus.PENDING)]
        fate = rng.random()
        if fate < config.order_cancel_rate / 2:
            canceled_at = at + timedelta(seconds=rng.randint(1, pending_s))
            return [*life, Transition(canceled_at, OrderStatus.CANCELED)]
        life.append(Transition(paid_at, OrderStatus.UNSHIPPED))
        if fate < config.order_cancel_rate:
            canceled_at = paid_at + timedelta(seconds=rng.randint(*_LATE_CANCEL_S))
            life.append(Transition(canceled_at, OrderStatus.CANCELED))
        return life
