"""Orders as the simulator keeps them, and their state at any instant.

An order's life is a list of :class:`Transition`, oldest first. Some lie in the
future when the order is placed (payment authorized after a few minutes, a
buyer's cancellation), so the status and ``LastUpdateDate`` at *now* are the
last transition at or before *now*: nothing runs in the background. A shipment
confirmation drops the future transitions and adds one at its own time.

Every time an order holds is a whole second, so JSON written without
fractions reads back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ItemState",
    "OrderState",
    "OrderStatus",
    "Package",
    "SimOrder",
    "SimOrderItem",
    "Transition",
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

    def status_at(self, now: datetime) -> OrderStatus:
        """The status at *now*."""
        return self._last(now).status

    def updated_at(self, now: datetime) -> datetime:
        """``LastUpdateDate`` at *now*: when the last transition so far happened."""
        return self._last(now).at

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
