"""The simulator's records: listings, accepted changes, documents, feeds, and what one
seller owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from amazon_jobs.simulator.listings.issues import Issue

__all__ = [
    "FeedStatus",
    "PendingChange",
    "SellerData",
    "SimFeed",
    "SimListing",
    "StoredDocument",
]


class FeedStatus(StrEnum):
    """``processingStatus`` of a feed, as in the Feeds API model."""

    #: Not started; may wait for another feed of the seller.
    IN_QUEUE = "IN_QUEUE"
    #: Being processed.
    IN_PROGRESS = "IN_PROGRESS"
    #: Finished; the result document tells what happened to each message.
    DONE = "DONE"
    #: Aborted as a whole.
    FATAL = "FATAL"
    #: Cancelled while IN_QUEUE.
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class SimListing:
    """One of a seller's offers, as Amazon knows it."""

    asin: str | None
    quantity: int
    price: Decimal | None
    #: ISO 4217 code of *price*; None means the marketplace's currency.
    currency: str | None = None
    #: ``condition_type`` value, e.g. "new_new"; None means new.
    condition: str | None = None
    #: When the offer was created on Amazon; None for listings seeded without a date.
    opened_at: datetime | None = None
    #: Product type the seller gave; None for seeded listings.
    product_type: str | None = None
    #: The quantity the seller last set (a feed, or the seeding); orders placed and
    #: canceled since move :attr:`quantity` only. None: as :attr:`quantity`.
    sent_quantity: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A change Amazon accepted and has not made visible yet (``simulator.listings.visibility``)."""

    #: Acceptance order across the simulator.
    sequence: int
    sku: str
    #: The listing the change leaves (None: deleted), as the accepted state then was.
    listing: SimListing | None
    #: When the change shows in reports and listings calls.
    visible_at: datetime
    #: The change whose sent quantity *listing* carries (this one, or an earlier one).
    quantity_sequence: int
    #: The change fails downstream: it never applies and leaves an ERROR on the listing.
    fails: bool = False
    #: Issues the listing shows once the change is visible (its warnings).
    issues: tuple[Issue, ...] = ()


@dataclass(slots=True)
class StoredDocument:
    """A feed document: an input the seller uploads, or a processing report."""

    document_id: str
    seller_id: str
    content_type: str
    created_at: datetime
    #: The bytes as served; None until uploaded.
    content: bytes | None = None
    #: True when *content* is gzip (``compressionAlgorithm: GZIP``).
    compressed: bool = False
    #: True for a processing report, which cannot be the input of a feed.
    result: bool = False
    #: True for a report document (Reports API), which getFeedDocument does not serve.
    report: bool = False


@dataclass(slots=True)
class SimFeed:
    """A submitted feed. Its status follows from the clock and its seller's queue."""

    feed_id: str
    seller_id: str
    feed_type: str
    marketplace_ids: tuple[str, ...]
    created_at: datetime
    input_document_id: str
    #: The input document's bytes when the feed was created.
    content: bytes
    #: Creation order across the simulator; getFeeds pages on it.
    sequence: int
    cancelled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    #: DONE or FATAL once processed.
    outcome: FeedStatus | None = None
    result_document_id: str | None = None
    #: Messages in the document, known once processed.
    message_count: int | None = None
    #: Amazon cancels this feed when it would start (an injected fault).
    doomed: bool = False


@dataclass(slots=True)
class SellerData:
    """Everything that belongs to one selling partner."""

    seller_id: str
    #: The *visible* listings by SKU: what reports, orders and listings calls see.
    listings: dict[str, SimListing] = field(default_factory=dict)
    #: Accepted changes not visible yet, by SKU, in acceptance order.
    pending: dict[str, list[PendingChange]] = field(default_factory=dict)
    #: The same changes as a heap of ``(visible_at, sequence, change)``.
    due: list[tuple[datetime, int, PendingChange]] = field(default_factory=list)
    #: By SKU, the sequence of the change last made visible: older ones never apply.
    visible_sequence: dict[str, int] = field(default_factory=dict)
    #: By SKU, the change whose sent quantity the visible listing carries (0: seeded).
    quantity_sequence: dict[str, int] = field(default_factory=dict)
    #: By SKU, the issues Amazon shows on the listing after acceptance.
    issues: dict[str, list[Issue]] = field(default_factory=dict)
    #: How many accepted changes failed downstream.
    failed_changes: int = 0
    #: Brands (case-folded) the seller is not approved for (6024).
    restricted_brands: set[str] = field(default_factory=set)
    #: Every feed, in creation order.
    feeds: list[SimFeed] = field(default_factory=list)
    #: Feeds neither processed nor cancelled, in creation order.
    open_feeds: list[SimFeed] = field(default_factory=list)
    #: When the last processed feed ended: the next one cannot start before.
    last_end: datetime | None = None
