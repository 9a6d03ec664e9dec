"""Update Products QTY: send each listing's shop quantity; record what Amazon confirmed."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Row, or_

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.feeds.listings_feed import quantity_patch
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.store.models import Account, Listing, Product

__all__ = ["UpdateQuantity"]


class UpdateQuantity(ListingsFeedJob):
    job_type: ClassVar[JobType] = JobType.UPDATE_QTY

    def changed(self) -> ColumnElement[bool]:
        return or_(
            Listing.confirmed_quantity.is_(None),
            Listing.confirmed_quantity != Product.quantity,
        )

    def requested(self, row: Row[Any]) -> dict[str, Any]:
        return {"quantity": row.quantity}

    def sent_values(self, product: Product) -> dict[str, Any]:
        return {"quantity": product.quantity}

    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        return [quantity_patch(int(sent["quantity"]))]

    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {"confirmed_quantity": int(sent["quantity"])}
