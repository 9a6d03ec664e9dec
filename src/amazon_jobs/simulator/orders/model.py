"""Orders as the simulator keeps them, and their state at any instant.

An order's life is a list of :class:`Transition`, oldest first, and a list of
:class:`Update`: changes that leave the status alone (the delivery address
corrected, the promised ship-by date moved). Some lie in the future when the
order is placed (payment authorized after a few minutes, a buyer's
cancellation, an update), so the state at *now* is what happened at or before
*now*: nothing runs in the background. ``LastUpdateDate`` is the latest of
both, as Amazon moves it on "any change made by Amazon or the seller, including
changes to order status" (orders_2026-01-01.json, ``lastUpdatedAfter``). A
shipment confirmation or a cancellation drops what lay ahead and adds its own
transition.

Every time an order holds is a whole second, so JSON written without
fractions reads back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from amazon_jobs.simulator.orders.addresses import Address

__all__ = [
    "ADDRESS_SHOWN",
    "ItemState",
    "OrderState",
    "OrderStatus",
    "Package",
    "SimOrder",
    "SimOrderItem",
    "Transition",
    "Update",
    "is_order_id",
    "order_state",
    "whole_second",
]


class OrderStatus(StrEnum):
    """``OrderStatus`` of Orders v0; :attr:`fulfillment_status` is the 2026 name."""

    PENDING_AVAILABILITY = "PendingAvailability"
    PENDING = "Pending"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    INVOICE_UNCONFIRMED = "InvoiceUnconfirmed"
    CANCELED = "Canceled"
    UNFULFILLABLE = "Unfulfillable"

    @property
    def fulfillment_status(self) -> str:
        """The Orders 2026-01-01 ``FulfillmentStatus`` of this status."""
        return _FULFILLMENT_STATUS[self]


_FULFILLMENT_STATUS = {
    OrderStatus.PENDING_AVAILABILITY: "PENDING_AVAILABILITY",
    OrderStatus.PENDING: "PENDING",
    OrderStatus.UNSHIPPED: "UNSHIPPED",
    OrderStatus.PARTIALLY_SHIPPED: "PARTIALLY_SHIPPED",
    OrderStatus.SHIPPED: "SHIPPED",
    # The 2026 model has no InvoiceUnconfirmed: every item has shipped.
    OrderStatus.INVOICE_UNCONFIRMED: "SHIPPED",
    OrderStatus.CANCELED: "CANCELLED",
    OrderStatus.UNFULFILLABLE: "UNFULFILLABLE",
}

#: Statuses reached only once payment is authorized: pricing is known from then on.
_PAID = frozenset(
    {
        OrderStatus.UNSHIPPED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.INVOICE_UNCONFIRMED,
    }
)


_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")


def is_order_id(text: str) -> bool:
    """Whether *text* is an AmazonOrderId in the 3-7-7 form, e.g. 902-1845936-5435065."""
    return _ORDER_ID.fullmatch(text) is not None


def whole_second(value: datetime) -> datetime:
    """*value* without its fraction of a second."""
    return value.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class SimOrderItem:
    """One line of an order: a listing and how many units of it."""

    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Transition:
    """The order's status from *at* on."""

    at: datetime
    status: OrderStatus


@dataclass(frozen=True, slots=True)
class Update:
    """A change from *at* on that leaves the status alone: a new delivery *address*,
    and/or the promised ship-by and deliver-by dates moved *ship_days* days later."""

    at: datetime
    address: Address | None = None
    ship_days: int = 0


#: Statuses in which Amazon shows the delivery address (ordersV0.json,
#: ``Order.ShippingAddress``: "only available for orders with the following status
#: values: Unshipped, PartiallyShipped, Shipped and InvoiceUnconfirmed").
ADDRESS_SHOWN = _PAID


@dataclass(frozen=True, slots=True)
class Package:
    """One confirmed package (``packageDetail`` of confirmShipment)."""

    reference_id: str
    carrier_code: str
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str
    ship_date: datetime
    #: Units shipped in this package, by orderItemId.
    items: Mapping[str, int]
    #: When the package was first confirmed, and last edited.
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class SimOrder:
    """A seller's order; its status follows from :attr:`transitions` and the clock."""

    order_id: str
    seller_id: str
    marketplace_id: str
    purchased_at: datetime
    items: tuple[SimOrderItem, ...]
    transitions: list[Transition]
    packages: dict[str, Package] = field(default_factory=dict)
    is_prime: bool = False
    is_business: bool = False
    seller_order_id: str | None = None
    #: Where the order goes when placed (see :attr:`updates` for later changes).
    address: Address | None = None
    #: Changes that leave the status alone, oldest first.
    updates: list[Update] = field(default_factory=list)

    def status_at(self, now: datetime) -> OrderStatus:
        """The status at *now*."""
        return self._last(now).status

    def updated_at(self, now: datetime) -> datetime:
        """``LastUpdateDate`` at *now*: the last transition or update so far."""
        done = [update.at for update in self.updates if update.at <= now]
        return max([self._last(now).at, *done])

    def address_at(self, now: datetime) -> Address | None:
        """The delivery address at *now*."""
        moves = [u.address for u in self.updates if u.at <= now and u.address is not None]
        return moves[-1] if moves else self.address

    def shown_address(self, now: datetime) -> Address | None:
        """The delivery address Amazon shows at *now*: none before payment or once
        canceled."""
        return self.address_at(now) if self.status_at(now) in ADDRESS_SHOWN else None

    def ship_delay(self, now: datetime) -> timedelta:
        """How much later than promised at purchase the order may ship, as of *now*."""
        return timedelta(days=sum(u.ship_days for u in self.updates if u.at <= now))

    def settle(self, now: datetime) -> None:
        """Forget what was to happen after *now* (the order ships or is canceled now)."""
        self.transitions = [t for t in self.transitions if t.at <= now]
        self.updates = [u for u in self.updates if u.at <= now]

    def unshipped(self, order_item_id: str, now: datetime) -> int:
        """Units of the item still to ship at *now*: none once the order is canceled."""
        if self.status_at(now) == OrderStatus.CANCELED:
            return 0
        item = self.item(order_item_id)
        return 0 if item is None else item.quantity - self.shipped()[order_item_id]

    def is_paid(self, now: datetime) -> bool:
        """Whether payment was authorized by *now*, so pricing is shown."""
        return any(t.status in _PAID for t in self.transitions if t.at <= now)

    def total(self) -> Decimal:
        """What the buyer pays for every item (no tax, shipping or promotion)."""
        return sum((item.unit_price * item.quantity for item in self.items), Decimal(0))

    def item(self, order_item_id: str) -> SimOrderItem | None:
        return next((i for i in self.items if i.order_item_id == order_item_id), None)

    def shipped(self, excluding: str | None = None) -> dict[str, int]:
        """Units shipped per orderItemId, leaving out the package *excluding*."""
        totals = {item.order_item_id: 0 for item in self.items}
        for reference_id, package in self.packages.items():
            if reference_id != excluding:
                for item_id, quantity in package.items.items():
                    totals[item_id] += quantity
        return totals

    def _last(self, now: datetime) -> Transition:
        current = self.transitions[0]
        for transition in self.transitions:
            if transition.at > now:
                break
            current = transition
        return current


@dataclass(frozen=True, slots=True)
class ItemState:
    """An order line as of now, for tests and inspection."""

    order_item_id: str
    sku: str
    asin: str
    quantity_ordered: int
    quantity_shipped: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class OrderState:
    """An order as of now, for tests and inspection."""

    order_id: str
    seller_id: str
    marketplace_id: str
    status: OrderStatus
    purchased_at: datetime
    last_updated_at: datetime
    items: tuple[ItemState, ...]
    packages: tuple[Package, ...]
    #: Where the order goes now (whether Amazon shows it or not).
    address: Address | None = None
    #: Days the promised ship-by and deliver-by dates moved since the purchase.
    ship_delay_days: int = 0

    def to_json(self) -> dict[str, object]:
        """The state as plain JSON values."""
        return {
            "orderId": self.order_id,
            "sellerId": self.seller_id,
            "marketplaceId": self.marketplace_id,
            "status": str(self.status),
            "purchasedAt": self.purchased_at.isoformat(),
            "lastUpdatedAt": self.last_updated_at.isoformat(),
            "items": [_item_json(item) for item in self.items],
            "packages": [_package_json(package) for package in self.packages],
            "address": None if self.address is None else _address_json(self.address),
            "shipDelayDays": self.ship_delay_days,
        }


def order_state(order: SimOrder, now: datetime) -> OrderState:
    """A snapshot of *order* at *now*."""
    shipped = order.shipped()
    items = tuple(_item_state(item, shipped[item.order_item_id]) for item in order.items)
    return OrderState(
        order.order_id,
        order.seller_id,
        order.marketplace_id,
        order.status_at(now),
        order.purchased_at,
        order.updated_at(now),
        items,
        tuple(order.packages.values()),
        order.address_at(now),
        order.ship_delay(now).days,
    )


def _item_state(item: SimOrderItem, shipped: int) -> ItemState:
    return ItemState(
        item.order_item_id, item.sku, item.asin, item.quantity, shipped, item.unit_price
    )


def _item_json(item: ItemState) -> dict[str, object]:
    return {
        "orderItemId": item.order_item_id,
        "sku": item.sku,
        "asin": item.asin,
        "quantityOrdered": item.quantity_ordered,
        "quantityShipped": item.quantity_shipped,
        "unitPrice": str(item.unit_price),
    }


def _package_json(package: Package) -> dict[str, object]:
    return {
        "packageReferenceId": package.reference_id,
        "carrierCode": package.carrier_code,
        "carrierName": package.carrier_name,
        "shippingMethod": package.shipping_method,
        "trackingNumber": package.tracking_number,
        "shipDate": package.ship_date.isoformat(),
        "orderItems": dict(package.items),
    }


def _address_json(address: Address) -> dict[str, str]:
    return {
        "city": address.city,
        "stateOrRegion": address.state,
        "postalCode": address.postal_code,
        "countryCode": address.country_code,
    }
