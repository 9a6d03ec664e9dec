"""Stop Products and Stop & Remove Products: quantity 0, then stopped or removed."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Row

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.feeds.listings_feed import quantity_patch
from amazon_jobs.handlers.feed_job import ListingsFeedJob, ShopValues
from amazon_jobs.store.models import Account

__all__ = ["StopProducts", "StopRemoveProducts"]


class StopProducts(ListingsFeedJob):
    """Quantity 0; the listing is then ``stopped`` and left alone by automatic sync."""

    job_type: ClassVar[JobType] = JobType.STOP
    end_state: ClassVar[ListingState] = ListingState.STOPPED

    def requested(self, row: Row[Any]) -> dict[str, Any]:
        return {"quantity": 0}

    def sent_values(self, product: ShopValues, requested: dict[str, Any]) -> dict[str, Any]:
        return {"quantity": 0}

    def patches(self, sent: dict[str, Any], account: Account) -> list[dict[str, Any]]:
        return [quantity_patch(0)]

    def confirmed_columns(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {"confirmed_quantity": 0, "state": self.end_state.value}


class StopRemoveProducts(StopProducts):
    """Quantity 0; the listing then leaves the selling list (state ``removed``)."""

    job_type: ClassVar[JobType] = JobType.STOP_REMOVE
    eligible: ClassVar[frozenset[ListingState]] = frozenset(
        {ListingState.ACTIVE, ListingState.STOPPED}
    )
    end_state: ClassVar[ListingState] = ListingState.REMOVED

    def api_operation(self) -> Operation:
        """On the Listings Items API the listing is deleted (deleteListingsItem)."""
        return Operation.DELETE_LISTINGS_ITEM
