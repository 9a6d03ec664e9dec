"""Accepted is not live: a seller's accepted changes and the moment each becomes visible.

Amazon applies an accepted change later, seconds to many minutes after the
feed is DONE or the Listings Items call answers ACCEPTED, and some accepted
changes fail downstream and show up only as issues on the listing ("Accepted
does not mean the process is complete. Multiple downstream processes …, and
any of these processes can generate issues that return asynchronously",
Amazon's "Manage Listings Issues" guide; amzn/selling-partner-api-models#5327
and #2201 are sellers meeting it). Each seller therefore has two views:

- the **accepted** state of a SKU (:func:`accepted`): its latest pending change,
  else the visible listing. Later messages are judged against it, so a PATCH
  right after an UPDATE of a new SKU works;
- the **visible** state, ``SellerData.listings``: what reports, orders and
  getListingsItem see.

Per SKU, changes become visible in acceptance order: when a change becomes
visible, older changes of the SKU still pending are dropped (the newer one was
built on them), and an older change that comes due later never overwrites it.
A change that fails downstream (decided when it is accepted) changes nothing
and leaves Amazon's 5002 "An internal error occurred. Please resubmit your
data." on the listing; the issues a listing shows are replaced by the issues
of the next change of the SKU that becomes visible.

Quantity: orders move a visible listing's quantity in between. A change that
did not set the quantity keeps the one orders left; one that did (it or an
older change it was built on, not visible yet) sets it, whatever orders did
before ("a quantity the seller sends replaces the number", ``orders.stock``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime

from amazon_jobs.simulator.listings.issues import INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE, Issue
from amazon_jobs.simulator.models import PendingChange, SellerData, SimListing

__all__ = [
    "DOWNSTREAM_FAILURE",
    "AcceptedListings",
    "accepted",
    "next_due",
    "pending_count",
    "reveal",
    "reveal_next",
    "schedule",
]

#: What a change that fails downstream leaves on its listing.
DOWNSTREAM_FAILURE = Issue(INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE)


def accepted(seller: SellerData, sku: str) -> SimListing | None:
    """The latest accepted state of *sku*: its newest pending change, else the visible one."""
    pending = seller.pending.get(sku)
    return pending[-1].listing if pending else seller.listings.get(sku)


def schedule(
    seller: SellerData,
    sku: str,
    listing: SimListing | None,
    *,
    sequence: int,
    visible_at: datetime,
    sets_quantity: bool,
    fails: bool = False,
    issues: tuple[Issue, ...] = (),
    at_once: bool = False,
) -> PendingChange:
    """Record an accepted change of *sku*, to become visible at *visible_at* (*at_once*:
    resolved now, as it is accepted)."""
    quantity_sequence = sequence if sets_quantity else _accepted_quantity_sequence(seller, sku)
    change = PendingChange(sequence, sku, listing, visible_at, quantity_sequence, fails, issues)
    seller.pending.setdefault(sku, []).append(change)
    if at_once:
        reveal(seller, change)
    else:
        heapq.heappush(seller.due, (visible_at, sequence, change))
    return change


def next_due(seller: SellerData, now: datetime) -> datetime | None:
    """When the next pending change becomes visible, if that is by *now*."""
    if seller.due and seller.due[0][0] <= now:
        return seller.due[0][0]
    return None


def reveal_next(seller: SellerData) -> None:
    """Resolve the pending change that comes due first."""
    _, _, change = heapq.heappop(seller.due)
    reveal(seller, change)


def reveal(seller: SellerData, change: PendingChange) -> None:
    """Make *change* visible, or record its downstream failure; nothing if it is stale."""
    _forget(seller, change)
    if change.sequence < seller.visible_sequence.get(change.sku, 0):
        return
    if change.fails:
        seller.issues.setdefault(change.sku, []).append(DOWNSTREAM_FAILURE)
        seller.failed_changes += 1
        return
    _apply(seller, change)


def pending_count(seller: SellerData) -> int:
    """How many accepted changes of *seller* are not visible yet."""
    return sum(len(changes) for changes in seller.pending.values())


def _accepted_quantity_sequence(seller: SellerData, sku: str) -> int:
    pending = seller.pending.get(sku)
    if pending:
        return pending[-1].quantity_sequence
    return seller.quantity_sequence.get(sku, 0)


def _forget(seller: SellerData, change: PendingChange) -> None:
    pending = seller.pending.get(change.sku, [])
    if change in pending:
        pending.remove(change)
    if not pending:
        seller.pending.pop(change.sku, None)


def _apply(seller: SellerData, change: PendingChange) -> None:
    sku = change.sku
    seller.visible_sequence[sku] = change.sequence
    newer = [c for c in seller.pending.get(sku, []) if c.sequence > change.sequence]
    if newer:
        seller.pending[sku] = newer
    else:
        seller.pending.pop(sku, None)
    _set_issues(seller, sku, change.issues)
    if change.listing is None:
        seller.listings.pop(sku, None)
        seller.quantity_sequence.pop(sku, None)
        return
    seller.listings[sku] = _with_quantity(seller, change, change.listing)


def _with_quantity(seller: SellerData, change: PendingChange, listing: SimListing) -> SimListing:
    """*listing*, keeping the quantity orders left unless the change brings a newer one."""
    sku = change.sku
    visible = seller.listings.get(sku)
    shown = seller.quantity_sequence.get(sku, 0)
    if visible is not None and change.quantity_sequence <= shown:
        return replace(listing, quantity=visible.quantity, sent_quantity=visible.sent_quantity)
    seller.quantity_sequence[sku] = change.quantity_sequence
    return listing


def _set_issues(seller: SellerData, sku: str, issues: tuple[Issue, ...]) -> None:
    if issues:
        seller.issues[sku] = list(issues)
    else:
        seller.issues.pop(sku, None)


class AcceptedListings(Mapping[str, SimListing]):
    """A seller's listings as accepted: what the next message is judged against."""

    def __init__(self, seller: SellerData) -> None:
        self._seller = seller

    def __getitem__(self, sku: str) -> SimListing:
        listing = accepted(self._seller, sku)
        if listing is None:
            raise KeyError(sku)
        return listing

    def __iter__(self) -> Iterator[str]:
        skus = dict.fromkeys(itertools.chain(self._seller.listings, self._seller.pending))
        return (sku for sku in skus if accepted(self._seller, sku) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
