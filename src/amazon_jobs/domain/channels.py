"""Which way a listings job reaches Amazon: the JSON listings feed or the Listings Items API.

A feed carries up to 25,000 messages for the price of one createFeed token,
but waits for its tokens (createFeed: one per two minutes after a burst of
15; JSON_LISTINGS_FEED: 5 per 5 minutes) and then for Amazon's queue and
processing, minutes in all. The Listings Items API answers each SKU at once
(ACCEPTED or INVALID) but allows 5 patchListingsItem calls a second per
seller. Amazon recommends the API for small updates and the feed for bulk
(docs: "Building Listings Management Workflows", roughly from 1,500 items).

:func:`estimate` does better than a fixed threshold: it computes when each
channel would have Amazon's answer for every item of *this* job, from the
live buckets, the work already waiting on each channel, and the feed
turnaround observed recently for the account; :func:`choose` picks the
earlier. Both are pure, so the same numbers can be shown and tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "API_CALL_S",
    "CHANNEL_CHOICES",
    "FASTER",
    "FEED_TURNAROUND_S",
    "FORCED",
    "SETTING",
    "ApiQuota",
    "Channel",
    "ChannelEstimate",
    "FeedQuota",
    "choose",
    "duration",
    "estimate",
    "forced_channel_data",
]


class Channel(StrEnum):
    """An account's setting, or a job's forced channel."""

    AUTO = "auto"
    FEED = "feed"
    API = "listings-api"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Channel.AUTO: "auto (the faster, per job)",
    Channel.FEED: "JSON listings feed",
    Channel.API: "Listings Items API",
}

#: What a person may pick (CLI, API, dashboard).
CHANNEL_CHOICES = tuple(c.value for c in Channel)

#: Before the account has any feed answered, the feed's queue and processing time
#: is taken to be this long: Amazon's 1,500-item rule of thumb at 5 calls a second.
FEED_TURNAROUND_S = 300.0
#: The time one Listings Items call takes to be answered (round trip), in seconds;
#: calls of one job go one after another, so it bounds a job's pace as the bucket does.
API_CALL_S = 0.2


@dataclass(frozen=True, slots=True)
class FeedQuota:
    """The feed channel as it stands for the account."""

    #: Seconds until this job could take its createFeed and JSON_LISTINGS_FEED tokens
    #: if no other job went first.
    ready_in_s: float
    #: Feeds whose tokens could be taken at once (the fuller bucket's whole tokens).
    tokens_now: int
    #: Seconds between two feeds once the buckets are empty (the slower refill).
    interval_s: float
    #: Feed jobs of the account waiting for their tokens ahead of this one.
    ahead: int
    #: Queue and processing time of the account's recent feeds (median), seconds.
    turnaround_s: float


@dataclass(frozen=True, slots=True)
class ApiQuota:
    """The Listings Items API channel as it stands for the account."""

    #: Tokens in the account's bucket now.
    tokens_now: float
    #: Tokens restored per second (the lower of the pair's and the application's).
    rate: float
    #: Items of the account's other API-channel jobs still to be called.
    ahead: int
    #: The time one call takes to be answered.
    call_s: float = API_CALL_S


@dataclass(frozen=True, slots=True)
class ChannelEstimate:
    """When each channel would have Amazon's answer for every item of the job."""

    items: int
    feed_s: float
    api_s: float

    @property
    def faster(self) -> Channel:
        return Channel.API if self.api_s <= self.feed_s else Channel.FEED

    def describe(self) -> str:
        return (
            f"{self.items} item(s): Listings Items API about {duration(self.api_s)}, "
            f"JSON listings feed about {duration(self.feed_s)}"
        )

    def as_data(self) -> dict[str, float | int]:
        return {"items": self.items, "feed_s": round(self.feed_s, 1), "api_s": round(self.api_s, 1)}


def feed_seconds(feed: FeedQuota) -> float:
    """Seconds until a feed would be answered: its tokens (after the feeds ahead), then
    Amazon's queue and processing."""
    if feed.ahead < feed.tokens_now:
        wait = feed.ready_in_s
    elif feed.tokens_now == 0:  # the next token comes at ready_in_s, then one per interval
        wait = max(feed.ready_in_s, 0.0) + feed.ahead * feed.interval_s
    else:  # the tokens there go to the feeds ahead; ours comes from refills
        wait = (feed.ahead + 1 - feed.tokens_now) * feed.interval_s
    return wait + feed.turnaround_s


def api_seconds(items: int, api: ApiQuota) -> float:
    """Seconds until *items* calls would be answered, after the calls already waiting:
    the bucket's tokens go first, then one per refill, never faster than a round trip."""
    calls = api.ahead + items
    by_quota = max(0.0, calls - math.floor(api.tokens_now)) / api.rate
    return max(by_quota, items * api.call_s)


def estimate(items: int, feed: FeedQuota, api: ApiQuota) -> ChannelEstimate:
    return ChannelEstimate(items, feed_seconds(feed), api_seconds(items, api))


#: Why a job goes through its channel (``job.data["channel_why"]``).
FORCED, SETTING, FASTER = "forced", "setting", "faster"


def choose(setting: Channel, forced: Channel | None, est: ChannelEstimate) -> tuple[Channel, str]:
    """The channel of a job and why: a forced one, else the account's (or the
    installation's) fixed one, else the faster by the estimate."""
    if forced is not None and forced is not Channel.AUTO:
        return forced, FORCED
    if setting is not Channel.AUTO:
        return setting, SETTING
    return est.faster, FASTER


def forced_channel_data(channel: Channel | None) -> dict[str, str]:
    """What a new job keeps of a channel asked for it (nothing for none or auto)."""
    if channel is None or channel is Channel.AUTO:
        return {}
    return {"channel_forced": channel.value}


def duration(seconds: float) -> str:
    """``2 s``, ``5.0 min``, ``1.5 h``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
