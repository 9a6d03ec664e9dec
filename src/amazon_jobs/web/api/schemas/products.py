"""The shop catalog: products, and their bulk upsert."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from amazon_jobs.domain.product_changes import RawChange
from amazon_jobs.store.models import Product
from amazon_jobs.web.api.schemas.common import Input, text

__all__ = [
    "MAX_ROWS",
    "ProductChange",
    "ProductChangeRow",
    "ProductCreate",
    "ProductPublic",
    "ProductsChange",
    "ProductsChanged",
    "ProductsPublic",
    "ProductsUpsert",
    "ProductsUpserted",
    "RowError",
]

#: The most rows one bulk upsert may carry.
MAX_ROWS = 10_000


class ProductCreate(Input):
    """A product row, created or (same SKU) updated. Its values are checked like a CSV
    row's: a row that is wrong is reported by its index and skipped."""

    sku: Annotated[str, text(1000, min_length=0, description="At most 40 characters")]
    ean: Annotated[str, text(1000, min_length=0, description="EAN-13 or UPC-A")] | None = None
    title: Annotated[str, text(2000, min_length=0, description="At most 500 characters")]
    quantity: int = Field(description="Whole number, 0 or more")
    price: Decimal = Field(description="Greater than 0, at most two decimals")

    def as_row(self) -> dict[str, str | None]:
        """The row as :func:`~amazon_jobs.domain.catalog.parse_product_row` reads it."""
        return {
            "sku": self.sku,
            "ean": self.ean,
            "title": self.title,
            "quantity": str(self.quantity),
            "price": str(self.price),
        }


class ProductsUpsert(Input):
    products: list[ProductCreate] = Field(min_length=1, max_length=MAX_ROWS)


class RowError(BaseModel):
    index: int = Field(description="The row's position in the request, from 0")
    message: str


class ProductsUpserted(BaseModel):
    created: int
    updated: int
    errors: list[RowError] = Field(description="Rows that were skipped, and why")


class ProductPublic(BaseModel):
    id: int
    sku: str
    ean: str | None
    title: str
    quantity: int
    price: Decimal
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, product: Product) -> ProductPublic:
        return cls.model_validate(product, from_attributes=True)


class ProductsPublic(BaseModel):
    """A page of products, newest first."""

    items: list[ProductPublic]
    next_before_id: int | None


class ProductChange(Input):
    """New values for one product: its quantity, its price, or both (an absent one
    stays as it is). Automatic sync sends the change to Amazon."""

    quantity: int | None = Field(default=None, description="Whole number, 0 or more")
    price: Decimal | None = Field(
        default=None, description="Tax excluded, greater than 0, at most two decimals"
    )

    def raw(self, sku: str) -> RawChange:
        return RawChange(sku, self.quantity, self.price)


class ProductChangeRow(ProductChange):
    """A product (by SKU) and its new values; checked like a CSV row: a wrong row
    is reported by its index and nothing of it is applied."""

    sku: Annotated[str, text(1000, min_length=0, description="At most 40 characters")]


class ProductsChange(Input):
    products: list[ProductChangeRow] = Field(min_length=1, max_length=MAX_ROWS)


class ProductsChanged(BaseModel):
    updated: int = Field(description="Products whose quantity or price changed")
    unchanged: int = Field(description="Rows that gave the values the products had already")
    errors: list[RowError] = Field(description="Rows that were not applied, and why")
