"""confirmShipment: reading a ``ConfirmShipmentRequest`` and applying it to an order.

One call confirms one package. Sending a ``packageReferenceId`` again edits
that package: its items replace the old ones. Shipping every unit makes the
order Shipped, some units PartiallyShipped; either way ``LastUpdateDate``
moves to the call (every seller action moves it) and what was still to
happen (a buyer's pending cancellation, an address correction) no longer does.
Refusals are 400 ``InvalidInput`` with Amazon's wording where it is known,
and ``Invalid Input`` for a ship date that is not ISO 8601 (the model's
sandbox example).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amazon_jobs.simulator.common.body import json_object
from amazon_jobs.simulator.common.errors import ApiError, invalid_input
from amazon_jobs.simulator.common.timefmt import parse_time
from amazon_jobs.simulator.orders.model import (
    OrderStatus,
    Package,
    SimOrder,
    Transition,
    whole_second,
)

__all__ = ["PackageSpec", "confirm", "package_spec"]

_BAD_ITEM = (
    "OrderItemId {} is invalid, please obtain the value through the getOrderItems API "
    "or Manage Orders page"
)
_FULFILLED = (
    "Failed to create package due to not finding a matching package or order already fulfilled."
)
_NOT_SHIPPABLE = {
    OrderStatus.PENDING: "payment is not authorized yet; wait until it is Unshipped",
    OrderStatus.PENDING_AVAILABILITY: "it is a pre-order that is not released yet",
    OrderStatus.CANCELED: "a canceled order cannot be shipped",
    OrderStatus.UNFULFILLABLE: "it cannot be fulfilled",
}


@dataclass(frozen=True, slots=True)
class PackageSpec:
    """A valid ``ConfirmShipmentRequest``."""

    marketplace_id: str
    reference_id: str
    carrier_code: str
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str
    ship_date: datetime
    #: Units per orderItemId, in the request's order.
    items: dict[str, int]


def package_spec(body: bytes) -> PackageSpec:
    """The request in *body*, or 400 saying what is wrong with it."""
    data = json_object(body, "ConfirmShipmentRequest")
    marketplace_id = _string(data, "marketplaceId", "marketplaceId")
    detail = data.get("packageDetail")
    if not isinstance(detail, dict):
        raise invalid_input("packageDetail is required and must be an object.")
    carrier_code = _string(detail, "carrierCode", "packageDetail.carrierCode")
    carrier_name = _optional_string(detail, "carrierName", "packageDetail.carrierName")
    if carrier_code == "Other" and not carrier_name:
        raise invalid_input('packageDetail.carrierName is required when carrierCode is "Other".')
    return PackageSpec(
        marketplace_id=marketplace_id,
        reference_id=_reference_id(detail.get("packageReferenceId")),
        carrier_code=carrier_code,
        carrier_name=carrier_name,
        shipping_method=_optional_string(detail, "shippingMethod", "packageDetail.shippingMethod"),
        tracking_number=_string(detail, "trackingNumber", "packageDetail.trackingNumber"),
        ship_date=_ship_date(detail.get("shipDate")),
        items=_items(detail.get("orderItems")),
    )


def confirm(order: SimOrder, spec: PackageSpec, now: datetime) -> None:
    """Record the package on *order* at *now*, or 400 if the order cannot take it."""
    if spec.marketplace_id != order.marketplace_id:
        raise invalid_input(
            f"marketplaceId {spec.marketplace_id} is not the marketplace of order "
            f"{order.order_id} ({order.marketplace_id})."
        )
    status = order.status_at(now)
    if status in _NOT_SHIPPABLE:
        raise invalid_input(f"Order {order.order_id} is {status}: {_NOT_SHIPPABLE[status]}.")
    edited = order.packages.get(spec.reference_id)
    if edited is None and status == OrderStatus.SHIPPED:
        raise invalid_input(_FULFILLED)
    _check_quantities(order, spec)
    at = whole_second(now)
    order.packages[spec.reference_id] = _package(spec, edited, at)
    order.settle(now)
    order.transitions.append(Transition(at, _shipping_status(order)))


def _check_quantities(order: SimOrder, spec: PackageSpec) -> None:
    shipped_elsewhere = order.shipped(excluding=spec.reference_id)
    for item_id, quantity in spec.items.items():
        item = order.item(item_id)
        if item is None:
            raise invalid_input(_BAD_ITEM.format(item_id))
        left = item.quantity - shipped_elsewhere[item_id]
        if quantity > left:
            raise invalid_input(
                f"Quantity {quantity} of OrderItemId {item_id} is more than the {left} "
                f"unit(s) of it not yet shipped in other packages."
            )


def _package(spec: PackageSpec, edited: Package | None, at: datetime) -> Package:
    return Package(
        reference_id=spec.reference_id,
        carrier_code=spec.carrier_code,
        carrier_name=spec.carrier_name,
        shipping_method=spec.shipping_method,
        tracking_number=spec.tracking_number,
        ship_date=spec.ship_date,
        items=dict(spec.items),
        created_at=edited.created_at if edited is not None else at,
        updated_at=at,
    )


def _shipping_status(order: SimOrder) -> OrderStatus:
    shipped = order.shipped()
    if all(shipped[item.order_item_id] >= item.quantity for item in order.items):
        return OrderStatus.SHIPPED
    return OrderStatus.PARTIALLY_SHIPPED


def _invalid_type(path: str) -> ApiError:
    return invalid_input(
        "The input you have submitted is not valid. "
        f"Please check the fields with invalid type [{path}]."
    )


def _string(data: dict[str, Any], name: str, path: str) -> str:
    value = data.get(name)
    if value is None or value == "":
        raise invalid_input(f"{path} is required.")
    if not isinstance(value, str):
        raise _invalid_type(path)
    return value


def _optional_string(data: dict[str, Any], name: str, path: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise _invalid_type(path)
    return value or None


def _reference_id(value: Any) -> str:
    if value is None or value == "":
        raise invalid_input("packageDetail.packageReferenceId is required.")
    if not isinstance(value, str):
        raise _invalid_type("packageDetail.packageReferenceId")
    if not value.isdigit() or int(value) <= 0:
        raise invalid_input("PackageReferenceId: is invalid, must be a positive numeric value.")
    return value


def _ship_date(value: Any) -> datetime:
    if value is None or value == "":
        raise invalid_input("packageDetail.shipDate is required.")
    try:
        if not isinstance(value, str) or "T" not in value.upper():
            raise ValueError(value)
        return parse_time(value)
    except ValueError:
        raise ApiError(
            400,
            "Invalid Input",
            "Invalid Input",
            "packageDetail.shipDate must be an ISO 8601 date-time, e.g. 2026-11-27T10:00:00Z.",
        ) from None


def _items(value: Any) -> dict[str, int]:
    if not isinstance(value, list) or not value:
        raise invalid_input("packageDetail.orderItems is required and must hold at least one item.")
    items: dict[str, int] = {}
    for index, entry in enumerate(value):
        item_id, quantity = _item(entry, f"packageDetail.orderItems[{index}]")
        if item_id in items:
            raise invalid_input(
                f"orderItemId {item_id} appears more than once in packageDetail.orderItems."
            )
        items[item_id] = quantity
    return items


def _item(entry: Any, path: str) -> tuple[str, int]:
    if not isinstance(entry, dict):
        raise _invalid_type(path)
    item_id = _string(entry, "orderItemId", f"{path}.orderItemId")
    quantity = entry.get("quantity")
    if quantity is None:
        raise invalid_input(f"{path}.quantity is required.")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise _invalid_type(f"{path}.quantity")
    if quantity < 1:
        raise invalid_input(f"{path}.quantity must be at least 1; got {quantity}.")
    return item_id, quantity
