"""Listing states of the selling list (account x product)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SKU_UNKNOWN_CODES", "UPDATABLE_STATES", "ListingState", "state_after_refusal"]


class ListingState(StrEnum):
    """The state of one product's offer on one account."""

    #: On the selling list, never sent to Amazon.
    NOT_LISTED = "not_listed"
    #: Sent to Amazon, result not known yet.
    PENDING = "pending"
    #: Offered on Amazon under its ASIN.
    ACTIVE = "active"
    #: Quantity 0 sent; excluded from further sync.
    STOPPED = "stopped"
    #: Quantity 0 sent and taken off the selling list.
    REMOVED = "removed"
    #: Sending failed; the listing's last error says why.
    ERROR = "error"


#: States whose quantity and price jobs may update.
UPDATABLE_STATES = frozenset({ListingState.ACTIVE})


#: Amazon error codes that mean the SKU does not exist for the seller on Amazon: 13013,
#: the code Amazon's feeds gave a SKU that does not exist. (Amazon's JSON listings feed
#: and Listings Items API usually accept a change of an unknown SKU silently instead.)
SKU_UNKNOWN_CODES = frozenset({"13013"})


def state_after_refusal(code: str | None) -> ListingState | None:
    """The state a listing takes when Amazon refused a message about it with *code*.

    A listing follows Amazon's last answer: where Amazon says the SKU does not
    exist, the listing is not active any more (it shows as an error, leaves
    automatic sync, and can be sent again with Sending Products). Other
    refusals (a bad value) leave the offer as it was on Amazon: None.
    """
    return ListingState.ERROR if code in SKU_UNKNOWN_CODES else None
