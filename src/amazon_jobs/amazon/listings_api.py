"""Listings Items API 2021-08-01: getListingsItem, what Amazon shows of one listing.

``GET /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=..&includedData=..``
answers the model's ``Item`` (listingsItems_2021-08-01.json): its ``summaries``
(the ASIN), ``offers`` (the price), ``fulfillmentAvailability`` (the quantity
of the seller-fulfilled ``DEFAULT`` channel) and ``issues`` (those of the
marketplace asked about: an issue may name the marketplaces it concerns). A SKU the seller
has no listing for is 404 ("The resource specified does not exist.", the
model's 404), which :meth:`ListingsApi.get_listings_item` answers as None.

The call is not retried here: each attempt must take its own token, so a
failed call goes back to the caller, which takes a new one before trying again
(getListingsItem: 5 per second, burst 10, per seller; 100 per second per
application; docs: listings-items-api-rate-limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from amazon_jobs.amazon.engine import ApiEngine, Call, segment
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import AmazonClientError
from amazon_jobs.feeds.processing_report import Issue, listing_issue

__all__ = ["ITEM_DATA", "SUBMIT_OPERATIONS", "ItemSubmission", "ListingsApi", "ListingsItem"]

LISTINGS = "/listings/2021-08-01/items"
#: The data sets asked for: the ASIN, the price, the quantity and the issues.
ITEM_DATA = ("summaries", "offers", "fulfillmentAvailability", "issues")
#: The seller-fulfilled channel, the one a JSON listings feed's quantity sets.
DEFAULT_CHANNEL = "DEFAULT"


@dataclass(frozen=True, slots=True)
class ListingsItem:
    """A listing as Amazon shows it in one marketplace."""

    sku: str
    asin: str | None
    #: The ``DEFAULT`` channel's quantity; None when Amazon shows none.
    quantity: int | None
    #: The B2C offer's price for the marketplace; None when there is no offer.
    price: Decimal | None
    currency: str | None
    issues: tuple[Issue, ...]

    @classmethod
    def from_api(cls, body: dict[str, Any], marketplace_id: str) -> ListingsItem:
        price, currency = _offer(body.get("offers") or [], marketplace_id)
        return cls(
            sku=str(body.get("sku") or ""),
            asin=_asin(body.get("summaries") or [], marketplace_id),
            quantity=_quantity(body.get("fulfillmentAvailability") or []),
            price=price,
            currency=currency,
            issues=tuple(
                listing_issue(raw)
                for raw in body.get("issues") or []
                if marketplace_id in (raw.get("marketplaceIds") or [marketplace_id])
            ),
        )


@dataclass(frozen=True, slots=True)
class ItemSubmission:
    """Amazon's answer to putListingsItem, patchListingsItem or deleteListingsItem: the
    model's ``ListingsItemSubmissionResponse`` (ACCEPTED, INVALID or VALID, and issues)."""

    sku: str
    status: str
    submission_id: str
    issues: tuple[Issue, ...]

    @property
    def accepted(self) -> bool:
        return self.status == "ACCEPTED"

    @classmethod
    def from_api(cls, body: dict[str, Any], sku: str) -> ItemSubmission:
        return cls(
            sku=str(body.get("sku") or sku),
            status=str(body.get("status") or ""),
            submission_id=str(body.get("submissionId") or ""),
            issues=tuple(listing_issue(raw, sku) for raw in body.get("issues") or []),
        )


#: The method of each submitting operation.
SUBMIT_OPERATIONS: dict[Operation, str] = {
    Operation.PUT_LISTINGS_ITEM: "PUT",
    Operation.PATCH_LISTINGS_ITEM: "PATCH",
    Operation.DELETE_LISTINGS_ITEM: "DELETE",
}


class ListingsApi(ApiEngine):
    def submit_listings_item(
        self,
        operation: Operation,
        seller_id: str,
        sku: str,
        marketplace_id: str,
        body: dict[str, Any] | None = None,
    ) -> ItemSubmission:
        """putListingsItem, patchListingsItem or deleteListingsItem of one SKU, with the
        issues Amazon finds (``includedData=issues``). Not retried here: the caller
        takes a token and records its intent before each attempt."""
        method = SUBMIT_OPERATIONS[operation]
        path = f"{LISTINGS}/{segment(seller_id)}/{segment(sku)}"
        call = Call(operation, method, path, retry_safe=False)
        params = {"marketplaceIds": marketplace_id}
        if operation is not Operation.DELETE_LISTINGS_ITEM:
            params["includedData"] = "issues"
        if body is None:
            answer = self._json(call, params=params)
        else:
            answer = self._json(call, params=params, json=body)
        return ItemSubmission.from_api(answer, sku)

    def get_listings_item(
        self, seller_id: str, sku: str, marketplace_id: str
    ) -> ListingsItem | None:
        """The listing of *sku*, or None when Amazon has none (404)."""
        path = f"{LISTINGS}/{segment(seller_id)}/{segment(sku)}"
        call = Call(Operation.GET_LISTINGS_ITEM, "GET", path, retry_safe=False)
        params = {"marketplaceIds": marketplace_id, "includedData": ",".join(ITEM_DATA)}
        try:
            body = self._json(call, params=params)
        except AmazonClientError as exc:
            if exc.status == 404:
                return None
            raise
        return ListingsItem.from_api(body, marketplace_id)


def _for_marketplace(entries: list[dict[str, Any]], marketplace_id: str) -> list[dict[str, Any]]:
    """The entries of *marketplace_id* (those that name none count for every one)."""
    return [e for e in entries if e.get("marketplaceId") in (None, marketplace_id)]


def _asin(summaries: list[dict[str, Any]], marketplace_id: str) -> str | None:
    for summary in _for_marketplace(summaries, marketplace_id):
        if summary.get("asin"):
            return str(summary["asin"])
    return None


def _quantity(availability: list[dict[str, Any]]) -> int | None:
    for entry in availability:
        if entry.get("fulfillmentChannelCode") == DEFAULT_CHANNEL and "quantity" in entry:
            return int(entry["quantity"])
    return None


def _offer(offers: list[dict[str, Any]], marketplace_id: str) -> tuple[Decimal | None, str | None]:
    """The price of the marketplace's B2C offer for every buyer (audience ALL or none)."""
    for offer in _for_marketplace(offers, marketplace_id):
        audience = (offer.get("audience") or {}).get("value", "ALL")
        price = offer.get("price") or {}
        if offer.get("offerType") != "B2C" or audience != "ALL":
            continue
        try:
            return Decimal(str(price["amount"])), price.get("currencyCode")
        except (KeyError, InvalidOperation):
            return None, None
    return None, None
