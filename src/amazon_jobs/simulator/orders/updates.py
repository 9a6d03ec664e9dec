"""Orders that change after placing without changing status, as Amazon's do.

Amazon moves an order's ``LastUpdateDate`` on "any change made by Amazon or the
seller, including changes to order status" (orders_2026-01-01.json,
``lastUpdatedAfter``), so an import that watches statuses only misses these.
A share ``order_update_rate`` of the streamed orders gets one or two such
updates while it waits to ship, each one of:

- the delivery address corrected: v0 ``ShippingAddress``, 2026
  ``recipient.deliveryAddress`` (``simulator.orders.addresses``);
- the promised dates moved later by a day or two: v0 ``LatestShipDate`` and
  ``LatestDeliveryDate``, 2026 ``fulfillment.shipByWindow.latestDateTime`` and
  ``deliverByWindow.latestDateTime``.

The draws come from their own ``random.Random``, so the stream's orders are
the same whatever the rate.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from amazon_jobs.simulator.orders.addresses import Address, moved_address
from amazon_jobs.simulator.orders.model import OrderStatus, SimOrder, Update, whole_second

__all__ = ["UpdateDraws", "change"]

#: Updates come between ten minutes and a day after payment.
_AFTER_PAYMENT_S = (600, 24 * 3600)
_COUNTS = (1, 1, 2)
_SHIP_DAYS = (1, 2)


def change(at: datetime, *, address: Address | None, ship_days: int) -> Update:
    """An update at *at*: the new *address* and/or the dates *ship_days* later."""
    if address is None and ship_days <= 0:
        raise ValueError("an update moves the address or the ship-by date (ship_days > 0)")
    return Update(whole_second(at), address, max(ship_days, 0))


class UpdateDraws:
    """One seller's updates, drawn for each streamed order in turn."""

    def __init__(self, seed: int, seller_id: str, rate: float) -> None:
        self._rng = random.Random(f"{seed}:{seller_id}:updates")
        self._rate = rate

    def draw(self, order: SimOrder) -> list[Update]:
        """The updates *order* gets (most get none), oldest first."""
        rng = self._rng
        if self._rate <= 0 or rng.random() >= self._rate:
            return []
        window = _window(order)
        if window is None:
            return []
        start, end = window
        times = sorted(
            start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
            for _ in range(rng.choice(_COUNTS))
        )
        updates, address = [], order.address
        for at in times:
            if address is not None and rng.random() < 0.5:
                address = moved_address(address, rng)
                updates.append(change(at, address=address, ship_days=0))
            else:
                updates.append(change(at, address=None, ship_days=rng.choice(_SHIP_DAYS)))
        return updates


def _window(order: SimOrder) -> tuple[datetime, datetime] | None:
    """When updates may come: after payment, before a cancellation; None if never paid."""
    paid = next((t.at for t in order.transitions if t.status == OrderStatus.UNSHIPPED), None)
    if paid is None:
        return None
    start = paid + timedelta(seconds=_AFTER_PAYMENT_S[0])
    end = paid + timedelta(seconds=_AFTER_PAYMENT_S[1])
    canceled = next((t.at for t in order.transitions if t.status == OrderStatus.CANCELED), None)
    if canceled is not None:
        end = min(end, canceled - timedelta(seconds=1))
    return (start, end) if start < end else None
