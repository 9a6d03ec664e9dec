"""Amazon's quantity moved by orders, as Amazon moves a merchant-fulfilled listing's.

Amazon lowers a listing's quantity the moment an order is placed (Pending or
Unshipped) and raises it back when the order is canceled; a quantity the
seller sends replaces the number whatever orders did before. So the quantity
Amazon shows at *t* reflects every order placed by *t* and every cancellation
by *t*, applied in time order with the feeds that set quantities
(:meth:`amazon_jobs.simulator.state.Simulator.sync` interleaves them).

Each order is one placement event and, if its life holds one, a cancellation
event. A cancellation event is applied only if the order still reaches
Canceled at that time (a shipment confirmation drops a buyer's future
cancellation) and restores exactly the units its placement took (a listing
at 0 gives no more). Orders placed before the simulator started (a seeded
backlog) are already counted in the seeded quantities: they move nothing.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime

from amazon_jobs.simulator.models import SimListing
from amazon_jobs.simulator.orders.model import OrderStatus, SimOrder

__all__ = ["OrderStock"]

_PLACE, _CANCEL = 0, 1


@dataclass(slots=True)
class OrderStock:
    """One seller's pending quantity events and what each order took."""

    #: When the simulator started: earlier orders are in the seeded quantities.
    since: datetime
    _events: list[tuple[datetime, int, int, SimOrder]] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)
    #: Units each order took, by order id and SKU (what a cancellation gives back).
    _taken: dict[str, dict[str, int]] = field(default_factory=dict)

    def placed(self, order: SimOrder) -> None:
        """Schedule the order's placement and any cancellation its life holds."""
        if order.purchased_at < self.since:
            return
        self._push(order.purchased_at, _PLACE, order)
        for transition in order.transitions:
            if transition.status is OrderStatus.CANCELED:
                self._push(transition.at, _CANCEL, order)

    def canceled(self, order: SimOrder, at: datetime) -> None:
        """Schedule a cancellation added to the order's life after it was placed."""
        if order.purchased_at >= self.since:
            self._push(at, _CANCEL, order)

    def apply(self, listings: dict[str, SimListing], until: datetime) -> None:
        """Apply every event up to *until*, oldest first, to *listings*."""
        while self._events and self._events[0][0] <= until:
            at, kind, _, order = heapq.heappop(self._events)
            if kind == _PLACE:
                self._take(order, listings)
            elif order.status_at(at) is OrderStatus.CANCELED:
                self._give_back(order, listings)

    def _push(self, at: datetime, kind: int, order: SimOrder) -> None:
        heapq.heappush(self._events, (at, kind, next(self._numbers), order))

    def _take(self, order: SimOrder, listings: dict[str, SimListing]) -> None:
        taken = self._taken.setdefault(order.order_id, {})
        for item in order.items:
            listing = listings.get(item.sku)
            if listing is None:
                continue
            units = min(item.quantity, listing.quantity)
            listings[item.sku] = replace(listing, quantity=listing.quantity - units)
            taken[item.sku] = taken.get(item.sku, 0) + units

    def _give_back(self, order: SimOrder, listings: dict[str, SimListing]) -> None:
        for sku, units in self._taken.pop(order.order_id, {}).items():
            listing = listings.get(sku)
            if listing is not None and units:
                listings[sku] = replace(listing, quantity=listing.quantity + units)
