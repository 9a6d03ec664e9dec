"""Listing states of the selling list (account x product)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["UPDATABLE_STATES", "ListingState"]


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
