"""Orders v0 JSON: the model's ``Order`` and ``OrderItem`` for a simulated order.

Dates are written like Amazon's v0 answers (``2026-11-27T10:00:00Z``). While an
order is Pending (payment not authorized) it has no ``OrderTotal`` and its
items carry no pricing, as on Amazon. ``ShippingAddress`` holds only what an
application without a Restricted Data Token sees (``simulator.orders.addresses``),
and only in the statuses the model names; the latest ship and delivery dates
move when Amazon moves them (``simulator.orders.updates``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from amazon_jobs.simulator.orders.addresses import Address
from amazon_jobs.simulator.orders.markets import Marketplace, marketplace
from amazon_jobs.simulator.orders.model import SimOrder, SimOrderItem

__all__ = ["money", "order_item_json", "order_json", "v0_time"]

_EARLIEST_DELIVERY = timedelta(days=3)
_LATEST_DELIVERY = timedelta(days=7)
_LATEST_SHIP = timedelta(days=2)


def v0_time(value: datetime) -> str:
    """``2026-11-27T10:00:00Z``."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def money(market: Marketplace, amount: Decimal) -> dict[str, str]:
    """A v0 ``Money``."""
    return {"CurrencyCode": market.currency, "Amount": market.money(amount)}


def order_json(order: SimOrder, now: datetime) -> dict[str, Any]:
    """The v0 ``Order`` for *order* at *now*."""
    market = marketplace(order.marketplace_id)
    shipped = sum(order.shipped().values())
    data: dict[str, Any] = {
        "AmazonOrderId": order.order_id,
        "PurchaseDate": v0_time(order.purchased_at),
        "LastUpdateDate": v0_time(order.updated_at(now)),
        "OrderStatus": str(order.status_at(now)),
        "FulfillmentChannel": "MFN",
        "SalesChannel": market.name,
        "ShipServiceLevel": market.ship_service_level,
    }
    if order.is_paid(now):
        data["OrderTotal"] = money(market, order.total())
    data.update(
        {
            "NumberOfItemsShipped": shipped,
            "NumberOfItemsUnshipped": sum(
                order.unshipped(i.order_item_id, now) for i in order.items
            ),
            "PaymentMethod": "Other",
            "PaymentMethodDetails": ["Standard"],
            "IsReplacementOrder": False,
            "MarketplaceId": order.marketplace_id,
            "ShipmentServiceLevelCategory": "Standard",
            "OrderType": "StandardOrder",
            **_dates(order.purchased_at, order.ship_delay(now)),
            **_flags(order),
        }
    )
    if order.seller_order_id is not None:
        data["SellerOrderId"] = order.seller_order_id
    address = order.shown_address(now)
    if address is not None:
        data["ShippingAddress"] = _address(address)
    return data


def order_item_json(
    item: SimOrderItem, shipped: int, market: Marketplace, paid: bool
) -> dict[str, Any]:
    """The v0 ``OrderItem`` for *item*, of which *shipped* units have shipped."""
    data: dict[str, Any] = {
        "ASIN": item.asin,
        "SellerSKU": item.sku,
        "OrderItemId": item.order_item_id,
        "Title": item.title,
        "QuantityOrdered": item.quantity,
        "QuantityShipped": shipped,
        "ProductInfo": {"NumberOfItems": "1"},
    }
    if paid:
        data["ItemPrice"] = money(market, item.unit_price * item.quantity)
        data["ItemTax"] = money(market, Decimal(0))
        data["PromotionDiscount"] = money(market, Decimal(0))
    data.update(
        {
            "IsGift": "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
            "SerialNumberRequired": False,
        }
    )
    return data


def _dates(purchased_at: datetime, delay: timedelta) -> dict[str, str]:
    return {
        "EarliestShipDate": v0_time(purchased_at),
        "LatestShipDate": v0_time(purchased_at + _LATEST_SHIP + delay),
        "EarliestDeliveryDate": v0_time(purchased_at + _EARLIEST_DELIVERY),
        "LatestDeliveryDate": v0_time(purchased_at + _LATEST_DELIVERY + delay),
    }


def _address(address: Address) -> dict[str, str]:
    """A v0 ``Address`` without its restricted parts (Name, AddressLine1-3, Phone,
    AddressType, ExtendedFields: ordersV0.json, ``Order.ShippingAddress``)."""
    return {
        "City": address.city,
        "StateOrRegion": address.state,
        "PostalCode": address.postal_code,
        "CountryCode": address.country_code,
    }


def _flags(order: SimOrder) -> dict[str, bool]:
    return {
        "IsBusinessOrder": order.is_business,
        "IsPrime": order.is_prime,
        "IsGlobalExpressEnabled": False,
        "IsPremiumOrder": False,
        "IsSoldByAB": False,
        "IsIBA": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
    }
