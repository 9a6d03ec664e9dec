"""The selling list of an account."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from amazon_jobs.domain.listings import ListingState
from amazon_jobs.store.catalog import ListingView
from amazon_jobs.web.api.schemas.common import AccountRef, Input, Skipped, text

__all__ = ["ListingPublic", "ListingsAdded", "ListingsCreate", "ListingsPublic"]


class ListingPublic(BaseModel):
    """One product on the account's selling list, with the shop's and Amazon's values."""

    id: int
    account_id: int
    product_id: int
    sku: str
    ean: str | None
    title: str
    state: ListingState
    asin: str | None
    shop_quantity: int
    shop_price: Decimal
    confirmed_quantity: int | None = Field(description="The quantity Amazon last confirmed")
    confirmed_price: Decimal | None = Field(description="The price Amazon last confirmed")
    locked_by_job_id: int | None = Field(description="The unfinished job that holds it")
    last_error: str | None = Field(
        description="Why the last job failed for it, or what Amazon showed instead of what "
        "it accepted (flagged by verification)"
    )
    verifying_job_id: int | None = Field(
        default=None,
        description="The job whose change Amazon accepted but does not show yet (being verified)",
    )
    updated_at: datetime

    @classmethod
    def of(cls, row: ListingView, verifying_job_id: int | None = None) -> ListingPublic:
        listing, sku, ean, title, quantity, price = row
        return cls(
            id=listing.id,
            account_id=listing.account_id,
            product_id=listing.product_id,
            sku=sku,
            ean=ean,
            title=title,
            state=ListingState(listing.state),
            asin=listing.asin,
            shop_quantity=quantity,
            shop_price=price,
            confirmed_quantity=listing.confirmed_quantity,
            confirmed_price=listing.confirmed_price,
            locked_by_job_id=listing.locked_by_job_id,
            last_error=listing.last_error,
            verifying_job_id=verifying_job_id,
            updated_at=listing.updated_at,
        )


class ListingsPublic(BaseModel):
    """A page of listings, newest first."""

    items: list[ListingPublic]
    next_before_id: int | None


class ListingsCreate(Input):
    """Products to put on the account's selling list (state not_listed): ``skus``, or
    ``all`` for every product not on it yet."""

    account: AccountRef
    skus: list[Annotated[str, text(40)]] | None = Field(
        default=None, min_length=1, max_length=100_000
    )
    all: bool = False

    @model_validator(mode="after")
    def _one_selection(self) -> ListingsCreate:
        if bool(self.skus) == self.all:
            raise ValueError("choose either skus or all")
        return self


class ListingsAdded(BaseModel):
    added: int
    skipped: list[Skipped]
