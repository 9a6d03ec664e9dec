"""The Amazon Inventory table: the account's last listings report."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from amazon_jobs.store.models import InventoryRow

__all__ = ["InventoryPublic", "InventoryRowPublic"]


class InventoryRowPublic(BaseModel):
    id: int
    sku: str
    asin: str | None
    title: str | None
    price: Decimal | None
    quantity: int | None
    status: str | None
    product_id: int | None = Field(description="The shop product with this SKU; null: unmatched")

    @classmethod
    def of(cls, row: InventoryRow) -> InventoryRowPublic:
        return cls.model_validate(row, from_attributes=True)


class InventoryPublic(BaseModel):
    """A page of the current snapshot, in report order."""

    account_id: int
    snapshot_id: int | None = Field(
        description="The Inventory Report job the rows come from; null before the first"
    )
    items: list[InventoryRowPublic]
    next_after_id: int | None
