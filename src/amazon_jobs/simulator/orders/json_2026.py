"""Orders 2026-01-01 JSON: the model's ``Order`` for a simulated order.

Without ``includedData`` an order carries its basic information and its items
(product, quantity); ``FULFILLMENT`` adds the order's and each item's
fulfillment, ``PROCEEDS`` the money, ``PACKAGES`` the confirmed packages. The
simulated application holds no PII roles, so ``RECIPIENT`` adds the delivery
address without its PII (city, state or region, country; in the statuses v0
shows an address in), ``BUYER`` adds nothing, nor do the datasets the
simulator has no data for. Pricing is absent while the order is Pending, as in
v0. The ship-by and deliver-by windows end later when Amazon moves them
(``simulator.orders.updates``), as v0's latest dates do.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from amazon_jobs.simulator.orders.addresses import Address
from amazon_jobs.simulator.orders.json_v0 import v0_time
from amazon_jobs.simulator.orders.markets import Marketplace, marketplace
from amazon_jobs.simulator.orders.model import Package, SimOrder, SimOrderItem

__all__ = ["INCLUDED_DATA", "order_json"]

INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
_SHIP_BY = timedelta(days=2)
_DELIVER_FROM = timedelta(days=3)
_DELIVER_BY = timedelta(days=7)


def money(market: Marketplace, amount: Decimal) -> dict[str, str]:
    """A 2026 ``Money``."""
    return {"amount": market.money(amount), "currencyCode": market.currency}


def order_json(order: SimOrder, now: datetime, included: Collection[str]) -> dict[str, Any]:
    """The 2026 ``Order`` for *order* at *now* with the *included* datasets."""
    market = marketplace(order.marketplace_id)
    paid = order.is_paid(now)
    data: dict[str, Any] = {"orderId": order.order_id}
    if order.seller_order_id is not None:
        data["orderAliases"] = [{"aliasId": order.seller_order_id, "aliasType": "SELLER_ORDER_ID"}]
    data["createdTime"] = v0_time(order.purchased_at)
    data["lastUpdatedTime"] = v0_time(order.updated_at(now))
    programs = _programs(order)
    if programs:
        data["programs"] = programs
    data["salesChannel"] = {
        "channelName": "AMAZON",
        "marketplaceId": order.marketplace_id,
        "marketplaceName": market.name,
    }
    address = order.shown_address(now) if "RECIPIENT" in included else None
    if address is not None:
        data["recipient"] = {"deliveryAddress": _delivery_address(address)}
    if "PROCEEDS" in included and paid:
        data["proceeds"] = _proceeds(order, market)
    if "FULFILLMENT" in included:
        data["fulfillment"] = _fulfillment(order, now)
    data["orderItems"] = [
        _item(item, _progress(order, item, now), market, paid, included) for item in order.items
    ]
    if "PACKAGES" in included:
        data["packages"] = [_package(package) for package in order.packages.values()]
    return data


def _programs(order: SimOrder) -> list[str]:
    programs = ["PRIME"] if order.is_prime else []
    return [*programs, "AMAZON_BUSINESS"] if order.is_business else programs


def _proceeds(order: SimOrder, market: Marketplace) -> dict[str, Any]:
    total = order.total()
    return {
        "grandTotal": money(market, total),
        "breakdowns": [{"type": "ITEM", "subtotal": money(market, total)}],
    }


def _delivery_address(address: Address) -> dict[str, str]:
    """A ``CustomerAddress`` without its PII (name, address lines, postal code, phone,
    extended fields: developer-docs.amazon.com/sp-api/docs/access-orders-pii)."""
    return {
        "city": address.city,
        "stateOrRegion": address.state,
        "countryCode": address.country_code,
    }


def _fulfillment(order: SimOrder, now: datetime) -> dict[str, Any]:
    purchased, delay = order.purchased_at, order.ship_delay(now)
    return {
        "fulfillmentStatus": order.status_at(now).fulfillment_status,
        "fulfilledBy": "MERCHANT",
        "fulfillmentServiceLevel": "STANDARD",
        "shipByWindow": _window(purchased, purchased + _SHIP_BY + delay),
        "deliverByWindow": _window(purchased + _DELIVER_FROM, purchased + _DELIVER_BY + delay),
    }


def _window(start: datetime, end: datetime) -> dict[str, str]:
    return {"earliestDateTime": v0_time(start), "latestDateTime": v0_time(end)}


def _progress(order: SimOrder, item: SimOrderItem, now: datetime) -> tuple[int, int]:
    """Units of *item* fulfilled and still to fulfill."""
    item_id = item.order_item_id
    return order.shipped()[item_id], order.unshipped(item_id, now)


def _item(
    item: SimOrderItem,
    progress: tuple[int, int],
    market: Marketplace,
    paid: bool,
    included: Collection[str],
) -> dict[str, Any]:
    product: dict[str, Any] = {
        "asin": item.asin,
        "title": item.title,
        "sellerSku": item.sku,
        "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
    }
    if paid:
        product["price"] = {"unitPrice": money(market, item.unit_price)}
    data: dict[str, Any] = {
        "orderItemId": item.order_item_id,
        "quantityOrdered": item.quantity,
        "product": product,
    }
    if "PROCEEDS" in included and paid:
        total = money(market, item.unit_price * item.quantity)
        data["proceeds"] = {
            "proceedsTotal": total,
            "breakdowns": [{"type": "ITEM", "subtotal": total}],
        }
    if "FULFILLMENT" in included:
        data["fulfillment"] = {
            "quantityFulfilled": progress[0],
            "quantityUnfulfilled": progress[1],
        }
    return data


def _package(package: Package) -> dict[str, Any]:
    data: dict[str, Any] = {
        "packageReferenceId": package.reference_id,
        "createdTime": v0_time(package.created_at),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": package.carrier_name or package.carrier_code,
        "shipTime": v0_time(package.ship_date),
    }
    if package.shipping_method:
        data["shippingService"] = package.shipping_method
    data["trackingNumber"] = package.tracking_number
    data["packageItems"] = [
        {"orderItemId": item_id, "quantity": quantity}
        for item_id, quantity in package.items.items()
    ]
    return data
