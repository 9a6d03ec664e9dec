"""Orders APIs: 2026-01-01 searchOrders, v0 getOrders/getOrderItems, v0 confirmShipment.

Orders from either API are returned in one shape, with the 2026-01-01
fulfillment status vocabulary (v0's ``Unshipped`` becomes ``UNSHIPPED``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from amazon_jobs.amazon.engine import ApiEngine, Call, segment
from amazon_jobs.amazon.models import format_time, parse_time, require
from amazon_jobs.domain.limits import Operation

__all__ = ["AmazonOrder", "AmazonOrderItem", "OrdersApi", "OrdersPage", "Package"]

V0 = "/orders/v0/orders"
V2026 = "/orders/2026-01-01/orders"
V0_STATUS = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
    "InvoiceUnconfirmed": "INVOICE_UNCONFIRMED",
}
V0_CHANNEL = {"MFN": "MERCHANT", "AFN": "AMAZON"}


@dataclass(frozen=True, slots=True)
class AmazonOrderItem:
    order_item_id: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int
    unit_price: Decimal | None


@dataclass(frozen=True, slots=True)
class AmazonOrder:
    order_id: str
    status: str
    purchased_at: datetime
    updated_at: datetime
    marketplace_id: str | None
    fulfilled_by: str | None
    total: Decimal | None
    currency: str | None
    #: None until fetched (v0 lists orders without their items).
    items: list[AmazonOrderItem] | None
    #: Where to deliver, as far as the application may see it (see :func:`ship_to`).
    ship_to: dict[str, str] | None = None
    #: The buyer's name and e-mail, when Amazon gives them (see :func:`buyer`).
    buyer: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class OrdersPage:
    orders: list[AmazonOrder]
    next_token: str | None
    #: Amazon's cutoff: every order updated before it is in the result set.
    updated_before: datetime | None


@dataclass(frozen=True, slots=True)
class Package:
    """One package of a shipment confirmation."""

    reference_id: int
    carrier_code: str
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str
    ship_date: datetime
    #: (orderItemId, quantity)
    items: list[tuple[str, int]]

    def to_api(self) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "packageReferenceId": str(self.reference_id),
            "carrierCode": self.carrier_code,
            "trackingNumber": self.tracking_number,
            "shipDate": format_time(self.ship_date),
            "orderItems": [{"orderItemId": i, "quantity": q} for i, q in self.items],
        }
        if self.carrier_name:
            detail["carrierName"] = self.carrier_name
        if self.shipping_method:
            detail["shippingMethod"] = self.shipping_method
        return detail


class OrdersApi(ApiEngine):
    def search_orders(
        self,
        marketplace_ids: list[str],
        updated_after: datetime,
        page_size: int,
        pagination_token: str | None = None,
        *,
        created: bool = False,
    ) -> OrdersPage:
        """Orders 2026-01-01: one page of orders updated (*created*: placed) since
        *updated_after*, items inline."""
        call = Call(Operation.SEARCH_ORDERS, "GET", V2026)
        after = "createdAfter" if created else "lastUpdatedAfter"
        params: dict[str, Any] = {
            after: format_time(updated_after),
            "marketplaceIds": ",".join(marketplace_ids),
            "maxResultsPerPage": page_size,
            "includedData": "FULFILLMENT,PROCEEDS,RECIPIENT,BUYER",
        }
        if pagination_token:
            params["paginationToken"] = pagination_token
        body = self._json(call, params=params)
        return OrdersPage(
            [_order_2026(o) for o in body.get("orders") or []],
            (body.get("pagination") or {}).get("nextToken"),
            parse_time(body.get("lastUpdatedBefore")),
        )

    def get_orders(
        self,
        marketplace_ids: list[str],
        updated_after: datetime,
        page_size: int,
        next_token: str | None = None,
        *,
        created: bool = False,
    ) -> OrdersPage:
        """Orders v0: one page of orders (without items) updated (*created*: placed) since
        *updated_after*."""
        call = Call(Operation.GET_ORDERS, "GET", V0)
        params: dict[str, Any] = {
            "MarketplaceIds": ",".join(marketplace_ids),
            "CreatedAfter" if created else "LastUpdatedAfter": format_time(updated_after),
            "MaxResultsPerPage": page_size,
        }
        if next_token:
            params["NextToken"] = next_token
        payload = self._json(call, params=params).get("payload") or {}
        return OrdersPage(
            [_order_v0(o) for o in payload.get("Orders") or []],
            payload.get("NextToken"),
            parse_time(payload.get("LastUpdatedBefore")),
        )

    def get_order_items(
        self, order_id: str, next_token: str | None = None
    ) -> tuple[list[AmazonOrderItem], str | None]:
        """Orders v0: one page of an order's items."""
        call = Call(Operation.GET_ORDER_ITEMS, "GET", f"{V0}/{segment(order_id)}/orderItems")
        params = {"NextToken": next_token} if next_token else None
        payload = self._json(call, params=params).get("payload") or {}
        items = [_item_v0(i) for i in payload.get("OrderItems") or []]
        return items, payload.get("NextToken")

    def confirm_shipment(self, order_id: str, marketplace_id: str, package: Package) -> None:
        """Confirm one package (safe to repeat: its packageReferenceId makes it an edit)."""
        path = f"{V0}/{segment(order_id)}/shipmentConfirmation"
        call = Call(Operation.CONFIRM_SHIPMENT, "POST", path, frozenset({204}))
        body = {"marketplaceId": marketplace_id, "packageDetail": package.to_api()}
        self._json(call, json=body)


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    try:
        amount = Decimal(str(value.get("amount", value.get("Amount"))))
    except InvalidOperation:
        return None, None
    return amount, value.get("currencyCode", value.get("CurrencyCode"))


def _order_2026(body: dict[str, Any]) -> AmazonOrder:
    require(body, "orderId", "createdTime", "lastUpdatedTime")
    fulfillment = body.get("fulfillment") or {}
    total, currency = _money((body.get("proceeds") or {}).get("grandTotal"))
    return AmazonOrder(
        order_id=str(body["orderId"]),
        status=str(fulfillment.get("fulfillmentStatus") or "PENDING"),
        purchased_at=_when(body["createdTime"]),
        updated_at=_when(body["lastUpdatedTime"]),
        marketplace_id=(body.get("salesChannel") or {}).get("marketplaceId"),
        fulfilled_by=fulfillment.get("fulfilledBy"),
        total=total,
        currency=currency,
        items=[_item_2026(i) for i in body.get("orderItems") or []],
        ship_to=_address((body.get("recipient") or {}).get("deliveryAddress"), _ADDRESS_2026),
        buyer=_address(body.get("buyer"), {"name": "buyerName", "email": "buyerEmail"}),
    )


def _item_2026(body: dict[str, Any]) -> AmazonOrderItem:
    product = body.get("product") or {}
    fulfillment = body.get("fulfillment") or {}
    price, _ = _money((product.get("price") or {}).get("unitPrice"))
    return AmazonOrderItem(
        order_item_id=str(body["orderItemId"]),
        sku=product.get("sellerSku"),
        asin=product.get("asin"),
        title=product.get("title"),
        quantity_ordered=int(body["quantityOrdered"]),
        quantity_shipped=int(fulfillment.get("quantityFulfilled") or 0),
        unit_price=price,
    )


def _order_v0(body: dict[str, Any]) -> AmazonOrder:
    require(body, "AmazonOrderId", "PurchaseDate", "LastUpdateDate", "OrderStatus")
    total, currency = _money(body.get("OrderTotal"))
    return AmazonOrder(
        order_id=str(body["AmazonOrderId"]),
        status=V0_STATUS.get(str(body["OrderStatus"]), str(body["OrderStatus"]).upper()),
        purchased_at=_when(body["PurchaseDate"]),
        updated_at=_when(body["LastUpdateDate"]),
        marketplace_id=body.get("MarketplaceId"),
        fulfilled_by=V0_CHANNEL.get(str(body.get("FulfillmentChannel"))),
        total=total,
        currency=currency,
        items=None,
        ship_to=_address(body.get("ShippingAddress"), _ADDRESS_V0),
        buyer=_address(body.get("BuyerInfo"), {"name": "BuyerName", "email": "BuyerEmail"}),
    )


def _item_v0(body: dict[str, Any]) -> AmazonOrderItem:
    quantity = int(body["QuantityOrdered"])
    total, _ = _money(body.get("ItemPrice"))
    return AmazonOrderItem(
        order_item_id=str(body["OrderItemId"]),
        sku=body.get("SellerSKU"),
        asin=body.get("ASIN"),
        title=body.get("Title"),
        quantity_ordered=quantity,
        quantity_shipped=int(body.get("QuantityShipped") or 0),
        # v0's ItemPrice is the line total (unit price x quantity).
        unit_price=(total / quantity).quantize(Decimal("0.01")) if total and quantity else None,
    )


#: Our ``ship_to`` keys and Amazon's names for them (2026-01-01 ``CustomerAddress``,
#: v0 ``Address``). Without the PII roles (a Restricted Data Token for v0) Amazon
#: gives city, state, postal code and country at most; name, lines and phone need them.
_ADDRESS_2026 = {
    "name": "name",
    "company": "companyName",
    "line1": "addressLine1",
    "line2": "addressLine2",
    "line3": "addressLine3",
    "city": "city",
    "state": "stateOrRegion",
    "postal_code": "postalCode",
    "country_code": "countryCode",
    "phone": "phone",
}
_ADDRESS_V0 = {
    "name": "Name",
    "company": "CompanyName",
    "line1": "AddressLine1",
    "line2": "AddressLine2",
    "line3": "AddressLine3",
    "city": "City",
    "state": "StateOrRegion",
    "postal_code": "PostalCode",
    "country_code": "CountryCode",
    "phone": "Phone",
}


def _address(body: Any, names: dict[str, str]) -> dict[str, str] | None:
    """The non-empty fields of an Amazon address (or buyer), under our names; None if none."""
    if not isinstance(body, dict):
        return None
    found = {ours: str(body[theirs]).strip() for ours, theirs in names.items() if body.get(theirs)}
    found = {k: v for k, v in found.items() if v}
    return found or None


def _when(value: Any) -> datetime:
    parsed = parse_time(value)
    assert parsed is not None
    return parsed
