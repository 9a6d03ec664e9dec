"""The change one schema-valid message makes to a seller's listing, by operationType.

- ``UPDATE``: creates or replaces the offer (:func:`.updates.full_update`);
- ``PARTIAL_UPDATE``: changes the given offer attributes of a listing;
- ``PATCH``: applies its patches to a listing (``simulator.listings.patches``);
- ``DELETE``: removes the listing.

PARTIAL_UPDATE, PATCH and DELETE of a SKU the seller has no listing for are
NOT_FOUND (a simulator choice: Amazon accepts such messages and reports the
missing listing only later, if at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amazon_jobs.simulator.listings.issues import NOT_FOUND, Issue
from amazon_jobs.simulator.listings.offer_values import Refused, Rejected
from amazon_jobs.simulator.listings.patches import patched
from amazon_jobs.simulator.listings.updates import OfferContext, full_update, partial_update
from amazon_jobs.simulator.models import SimListing

__all__ = ["Change", "change_of"]


@dataclass(frozen=True, slots=True)
class Change:
    """The listing an accepted message leaves for its SKU; None when it is deleted."""

    listing: SimListing | None


def change_of(
    message: dict[str, Any],
    message_id: int,
    current: SimListing | None,
    context: OfferContext,
) -> Change | list[Issue]:
    """The change *message* makes to the SKU's *current* listing, or the issues refusing it."""
    sku: str = message["sku"]
    try:
        return Change(_changed(message, current, context))
    except Refused as refused:
        return [refused.issue(message_id, sku)]
    except Rejected as rejected:
        return [refused.issue(message_id, sku) for refused in rejected.refusals]


def _changed(
    message: dict[str, Any], current: SimListing | None, context: OfferContext
) -> SimListing | None:
    operation = message["operationType"]
    if operation == "UPDATE":
        return full_update(message, current, context)
    if current is None:
        sku = message["sku"]
        raise Refused(NOT_FOUND, f"The SKU '{sku}' does not exist for this selling partner.")
    if operation == "DELETE":
        return None
    if operation == "PARTIAL_UPDATE":
        return partial_update(message, current, context)
    return patched(message, current)
