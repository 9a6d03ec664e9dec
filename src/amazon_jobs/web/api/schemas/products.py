"""The shop catalog: products, and their bulk upsert."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from amazon_jobs.store.models import Product
from amazon_jobs.web.api.schemas.common import Input, text

__all__ = [
    "MAX_ROWS",
    "ProductCreate",
    "ProductPublic",
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
