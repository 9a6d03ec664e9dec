"""The change one schema-valid message makes to a seller's listing, by operationType.

- ``UPDATE``: creates or replaces the offer (:func:`.updates.full_update`);
- ``PARTIAL_UPDATE``: changes the given offer attributes of a listing;
- ``PATCH``: applies its patches to a listing (``simulator.listings.patches``);
- ``DELETE``: removes the listing.

*current* is the SKU's latest **accepted** listing (``Simulator.accepted_listing``),
not the one reports show yet, so a PATCH right after an accepted UPDATE works.

PARTIAL_UPDATE, PATCH and DELETE of a SKU the seller has no listing for are
accepted with no issue and change nothing, as Amazon does ("This is expected
behavior", amzn/selling-partner-api-docs#3748: a price patch of an unknown SKU
is accepted and its feed reports success); their values are still checked, on
an empty listing, so a bad value is still refused. With
``OfferContext.silent_unknown_skus`` off they are refused with 13013, the code
Amazon's flat files gave a SKU that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amazon_jobs.simulator.listings.issues import SKU_UNKNOWN, SKU_UNKNOWN_MESSAGE, Issue
from amazon_jobs.simulator.listings.offer_values import QUANTITY_ATTRIBUTE, Refused, Rejected
from amazon_jobs.simulator.listings.patches import QUANTITY_PATH, patched
from amazon_jobs.simulator.listings.updates import OfferContext, full_update, partial_update
from amazon_jobs.simulator.models import SimListing

__all__ = ["Change", "change_of", "sets_quantity"]

#: What a check of an unknown SKU's PATCH or PARTIAL_UPDATE values runs on.
_EMPTY = SimListing(asin=None, quantity=0, price=None)


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
    """The change *message* makes to the SKU's *current* listing, or the issues refusing it.

    A silently accepted message about an unknown SKU is ``Change(None)`` with *current*
    None: no change.
    """
    sku: str = message["sku"]
    try:
        return Change(_changed(message, current, context))
    except Refused as refused:
        return [refused.issue(message_id, sku)]
    except Rejected as rejected:
        return [refused.issue(message_id, sku) for refused in rejected.refusals]


def sets_quantity(message: dict[str, Any]) -> bool:
    """Whether an accepted *message* sets the quantity (rather than keeping the one
    orders left): every UPDATE, a PARTIAL_UPDATE with fulfillment_availability, a PATCH
    of it that carries a quantity."""
    operation = message["operationType"]
    if operation == "UPDATE":
        return True
    if operation == "PARTIAL_UPDATE":
        return QUANTITY_ATTRIBUTE in message["attributes"]
    if operation == "PATCH":
        return any(_patch_sets_quantity(patch) for patch in message["patches"])
    return False


def _patch_sets_quantity(patch: dict[str, Any]) -> bool:
    value = patch.get("value")
    entries = value if isinstance(value, list) else []
    return patch["path"] == QUANTITY_PATH and any("quantity" in entry for entry in entries)


def _changed(
    message: dict[str, Any], current: SimListing | None, context: OfferContext
) -> SimListing | None:
    operation = message["operationType"]
    if operation == "UPDATE":
        return full_update(message, current, context)
    if current is None:
        _accept_unknown_sku(message, context)
        return None
    if operation == "DELETE":
        return None
    if operation == "PARTIAL_UPDATE":
        return partial_update(message, current, context)
    return patched(message, current)


def _accept_unknown_sku(message: dict[str, Any], context: OfferContext) -> None:
    """Accept a message about a SKU the seller does not have, once its values pass;
    Refused (13013) when unknown SKUs are refused."""
    if not context.silent_unknown_skus:
        raise Refused(SKU_UNKNOWN, SKU_UNKNOWN_MESSAGE)
    operation = message["operationType"]
    if operation == "PARTIAL_UPDATE":
        partial_update(message, _EMPTY, context)
    elif operation == "PATCH":
        patched(message, _EMPTY)
