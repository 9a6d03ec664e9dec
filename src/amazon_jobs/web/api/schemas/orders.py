"""Imported Amazon orders and the packages the shop ships for them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, Field

from amazon_jobs.domain.catalog import QUANTITY_MAX
from amazon_jobs.store.models import Order, OrderItem, Shipment
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.web.api.schemas.common import AccountRef, Input, UtcDatetime, text

__all__ = [
    "OrderAcknowledge",
    "OrderAcknowledged",
    "OrderDetailPublic",
    "OrderItemPublic",
    "OrderListed",
    "OrderPublic",
    "OrdersPublic",
    "ShipmentCreate",
    "ShipmentLine",
    "ShipmentPublic",
]

OrderItemId = Annotated[str, text(40)]
Quantity = Annotated[int, Field(ge=1, le=QUANTITY_MAX)]


#: The columns an order is shown with (``change_seq`` as ``cursor``).
_ORDER_COLUMNS = (
    "id",
    "account_id",
    "amazon_order_id",
    "status",
    "purchased_at",
    "amazon_updated_at",
    "marketplace_id",
    "fulfilled_by",
    "total",
    "currency",
    "imported_at",
    "updated_at",
    "change_seq",
    "in_shop_at",
    "shop_order_id",
    "shop_order_ref",
)


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
    cursor: int | None = Field(
        validation_alias=AliasChoices("cursor", "change_seq"),
        description="The order's place in the order cursor (see after_cursor): a larger "
        "one each time it changes in a way the shop must learn; null until its items "
        "are known",
    )
    in_shop: bool = Field(
        description="The shop has the order (acknowledged, or created there by its "
        "connector): its units are no longer held back from the quantity sent to Amazon"
    )
    in_shop_at: datetime | None
    shop_order_id: int | None = Field(description="The order's id in a connected shop")
    shop_order_ref: str | None = Field(description="The reference given when acknowledged")

    @classmethod
    def of(cls, order: Order) -> OrderPublic:
        return cls.model_validate(
            {
                **{name: getattr(order, name) for name in _ORDER_COLUMNS},
                "in_shop": order.in_shop_at is not None,
            }
        )


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


class OrderListed(OrderPublic):
    order_items: list[OrderItemPublic] | None = Field(
        description="The order's items when paging with after_cursor; null otherwise "
        "(GET /api/v1/orders/{amazon_order_id} has them)"
    )


class OrdersPublic(BaseModel):
    """A page of orders: most recently imported first, or with ``after_cursor`` in
    cursor order."""

    items: list[OrderListed]
    next_before_id: int | None = Field(description="Without after_cursor: the next page's")
    next_cursor: int | None = Field(
        description="With after_cursor: what to pass as after_cursor next time (the last "
        "order's cursor, or the one given when there is nothing new)"
    )


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


class OrderAcknowledge(Input):
    """The shop has the order (all fields optional)."""

    shop_order_ref: Annotated[str, text(64, description="The shop's own reference")] | None = None
    reason: Annotated[str, text(500, description="Kept in the Activity log")] | None = None


class OrderAcknowledged(BaseModel):
    order: OrderPublic
    changed: bool = Field(description="False: it was acknowledged already; nothing changed")
    message: str


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
