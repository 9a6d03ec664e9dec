"""When each feed of a seller runs: one at a time, in creation order.

Feed *i* starts at ``max(created_i + feed_queue_s, end of the previous
non-cancelled feed)`` and ends ``feed_processing_s`` later; a feed Amazon is
to cancel (an injected fault) ends as it starts, ``CANCELLED``. Nothing runs in the
background: the schedule is a pure function of the open feeds, and the
simulator processes every feed whose end has passed whenever it is asked
anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_jobs.simulator.config import SimulatorConfig
from amazon_jobs.simulator.models import FeedStatus, SellerData, SimFeed

__all__ = ["Slot", "due_feeds", "schedule", "status_at"]


@dataclass(frozen=True, slots=True)
class Slot:
    """The processing window of one feed."""

    start: datetime
    end: datetime


def schedule(seller: SellerData, config: SimulatorConfig) -> dict[str, Slot]:
    """The slot of every open feed of *seller*, by feed id."""
    queue = timedelta(seconds=config.feed_queue_s)
    processing = timedelta(seconds=config.feed_processing_s)
    slots: dict[str, Slot] = {}
    previous_end = seller.last_end
    for feed in seller.open_feeds:
        start = feed.created_at + queue
        if previous_end is not None and previous_end > start:
            start = previous_end
        end = start if feed.doomed else start + processing
        slots[feed.feed_id] = Slot(start, end)
        previous_end = end
    return slots


def due_feeds(
    seller: SellerData, config: SimulatorConfig, now: datetime
) -> list[tuple[SimFeed, Slot]]:
    """The open feeds whose processing has ended by *now*, oldest first."""
    slots = schedule(seller, config)
    due = []
    for feed in seller.open_feeds:
        slot = slots[feed.feed_id]
        if slot.end > now:
            break
        due.append((feed, slot))
    return due


def status_at(feed: SimFeed, slot: Slot | None, now: datetime) -> FeedStatus:
    """The status of *feed* at *now*; *slot* is its window while it is open."""
    if feed.cancelled_at is not None:
        return FeedStatus.CANCELLED
    if feed.outcome is not None:
        return feed.outcome
    assert slot is not None, "an open feed has a slot"
    return FeedStatus.IN_QUEUE if now < slot.start else FeedStatus.IN_PROGRESS
