"""Update Products QTY, Price, and QTY & Price: PATCH messages, values read when sending.

The values sent are the account's targets (:mod:`amazon_jobs.store.available`):
the shop's stock less the units held back, and its price, after the selling
policy; each item's ``sent`` values show the shop value → policy → sent value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Row, or_

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.marketplaces import marketplace
from amazon_jobs.feeds.listings_feed import price_patch, quantity_patch
from amazon_jobs.handlers.feed_job import ListingsFeedJob, ShopValues
from amazon_jobs.store.available import Targets
from amazon_jobs.store.models import Account

__all__ = ["UpdatePrice", "UpdateQuantity", "UpdateQuantityAndPrice"]


def _price_patch(sent: dict[str, Any], account: Account) -> dict[str, Any]:
    currency = marketplace(account.marketplace_id).currency
    return price_patch(Decimal(sent["price"]), currency, account.marketplace_id)


class UpdateQuantity(ListingsFeedJob):
    job_type: ClassVar[JobType] = JobType.UPDATE_QTY

    def changed(self, targets: Targets) -> ColumnElement[bool]:
        return targets.quantity_differs()

    def requested(self, row: Row[Any]) -> dict[str, Any]:
        return {"quantity": row.quantity}

    def sent_values(self, product: ShopValues, requested: dict[str, Any]) -> dict[str, Any]:
        return product.quantity_trace()

    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        return [quantity_patch(int(sent["quantity"]))]

    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {"confirmed_quantity": int(sent["quantity"])}


class UpdatePrice(ListingsFeedJob):
    job_type: ClassVar[JobType] = JobType.UPDATE_PRICE

    def changed(self, targets: Targets) -> ColumnElement[bool]:
        return targets.price_differs()

    def requested(self, row: Row[Any]) -> dict[str, Any]:
        return {"price": str(row.price)}

    def sent_values(self, product: ShopValues, requested: dict[str, Any]) -> dict[str, Any]:
        return product.price_trace()

    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        return [_price_patch(sent, account)]

    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {"confirmed_price": Decimal(sent["price"])}


class UpdateQuantityAndPrice(ListingsFeedJob):
    job_type: ClassVar[JobType] = JobType.UPDATE_QTY_PRICE

    def changed(self, targets: Targets) -> ColumnElement[bool]:
        return or_(targets.quantity_differs(), targets.price_differs())

    def requested(self, row: Row[Any]) -> dict[str, Any]:
        return {"quantity": row.quantity, "price": str(row.price)}

    def sent_values(self, product: ShopValues, requested: dict[str, Any]) -> dict[str, Any]:
        return {**product.quantity_trace(), **product.price_trace()}

    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        return [quantity_patch(int(sent["quantity"])), _price_patch(sent, account)]

    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {
            "confirmed_quantity": int(sent["quantity"]),
            "confirmed_price": Decimal(sent["price"]),
        }
