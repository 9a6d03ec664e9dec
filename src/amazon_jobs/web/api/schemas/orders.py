"""Imported Amazon orders and the packages the shop ships for them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from amazon_jobs.domain.catalog import QUANTITY_MAX
from amazon_jobs.store.models import Order, OrderItem, Shipment
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.web.api.schemas.common import AccountRef, Input, UtcDatetime, text

__all__ = [
    "OrderDetailPublic",
    "OrderItemPublic",
    "OrderPublic",
    "OrdersPublic",
    "ShipmentCreate",
    "ShipmentLine",
    "ShipmentPublic",
]

OrderItemId = Annotated[str, text(40)]
Quantity = Annotated[int, Field(ge=1, le=QUANTITY_MAX)]


class OrderPublic(BaseModel):
    id: int
    account_id: int
    amazon_order_id: str
    status: str = Field(description="Amazon's status: UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, ...")
    purchased_at: datetime
    amazon_updated_at: datetime
    marketplace_id: str | None
    fulfilled_by: str | None
    total: Decimal | None
    currency: str | None
    imported_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, order: Order) -> OrderPublic:
        return cls.model_validate(order, from_attributes=True)


class OrdersPublic(BaseModel):
    """A page of orders, most recently imported first."""

    items: list[OrderPublic]
    next_before_id: int | None


class OrderItemPublic(BaseModel):
    order_item_id: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int
    unit_price: Decimal | None
    product_id: int | None

    @classmethod
    def of(cls, item: OrderItem) -> OrderItemPublic:
        return cls.model_validate(item, from_attributes=True)


class ShipmentLine(BaseModel):
    order_item_id: str
    quantity: int


class ShipmentPublic(BaseModel):
    """A package: due (to confirm to Amazon), confirmed, or error."""

    id: int
    package_reference_id: int
    carrier_code: str
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str
    ship_date: datetime
    items: list[ShipmentLine]
    state: str
    error: str | None
    locked_by_job_id: int | None
    created_at: datetime
    confirmed_at: datetime | None

    @classmethod
    def of(cls, shipment: Shipment) -> ShipmentPublic:
        return cls.model_validate(shipment, from_attributes=True)


class OrderDetailPublic(OrderPublic):
    items: list[OrderItemPublic]
    packages: list[ShipmentPublic]

    @classmethod
    def with_lines(
        cls, order: Order, items: list[OrderItem], packages: list[Shipment]
    ) -> OrderDetailPublic:
        fields: dict[str, Any] = OrderPublic.of(order).model_dump()
        return cls(
            **fields,
            items=[OrderItemPublic.of(i) for i in items],
            packages=[ShipmentPublic.of(p) for p in packages],
        )


class ShipmentCreate(Input):
    """A package the shop shipped; the next Orders Fulfillment job confirms it."""

    account: AccountRef
    carrier_code: Annotated[str, text(60, description="e.g. UPS, DHL, or Other")]
    carrier_name: Annotated[str, text(100, description="Needed with carrier Other")] | None = None
    shipping_method: Annotated[str, text(100)] | None = None
    tracking_number: Annotated[str, text(100)]
    ship_date: UtcDatetime | None = Field(default=None, description="Default: now")
    items: dict[OrderItemId, Quantity] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="orderItemId -> quantity shipped; default: everything not shipped yet",
    )

    def spec(self, now: datetime) -> ShipmentSpec:
        return ShipmentSpec(
            carrier_code=self.carrier_code,
            carrier_name=self.carrier_name,
            shipping_method=self.shipping_method,
            tracking_number=self.tracking_number,
            ship_date=self.ship_date or now,
            items=self.items,
        )
