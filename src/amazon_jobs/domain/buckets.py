"""Token-bucket arithmetic, pure: state in, state out, time as an argument.

A bucket holds up to ``burst`` tokens and regains ``rate`` per second; every
request takes one. A limit may also cap grants within a rolling window (for
example 5 JSON_LISTINGS_FEED submissions in any 5 minutes); the bucket then
remembers the times of its recent grants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_jobs.domain.limits import Limit

__all__ = ["EPSILON", "BucketState", "full", "next_token_at", "refill", "take"]

#: Tolerance for float drift: a bucket holding 1 - EPSILON tokens holds one.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class BucketState:
    tokens: float
    updated_at: datetime
    #: Times of the grants still inside the rolling window, oldest first.
    grants: tuple[datetime, ...] = ()


def full(limit: Limit, now: datetime) -> BucketState:
    """A bucket that has not been used."""
    return BucketState(float(limit.burst), now)


def refill(state: BucketState, limit: Limit, now: datetime) -> BucketState:
    """The state at *now*: tokens restored since the last update, old grants dropped."""
    elapsed = max(0.0, (now - state.updated_at).total_seconds())
    tokens = min(float(limit.burst), state.tokens + elapsed * limit.rate)
    grants = state.grants
    if limit.window_s is not None:
        horizon = now - timedelta(seconds=limit.window_s)
        grants = tuple(g for g in grants if g > horizon)
    return BucketState(tokens, max(now, state.updated_at), grants)


def next_token_at(
    state: BucketState, limit: Limit, now: datetime, margin_s: float = 0.0
) -> datetime:
    """The earliest time, not before *now*, at which a token can be taken.

    Our call reaches Amazon a little after we take the token, and the gap
    varies, so Amazon's bucket may be up to *margin_s* of refill behind ours:
    a token counts as there once the bucket holds 1 + *margin_s* * rate
    (the margin is waited for whether the token comes from a wait or from
    what the bucket saved up). A bucket too small to hold that much (burst 1)
    waits *margin_s* past its token instead; a full bucket always gives one.
    """
    current = refill(state, limit, now)
    at = now
    need = 1.0 + margin_s * limit.rate
    if need <= limit.burst:
        wait = (need - current.tokens) / limit.rate
    else:
        missing = 1.0 - current.tokens
        wait = missing / limit.rate + margin_s if missing > EPSILON else 0.0
    if wait * limit.rate > EPSILON:
        # Round the wait up to a whole microsecond, so at `at` the token is there.
        at = now + timedelta(microseconds=math.ceil(wait * 1e6))
    if limit.window_max is not None and len(current.grants) >= limit.window_max:
        assert limit.window_s is not None
        oldest = current.grants[len(current.grants) - limit.window_max]
        at = max(at, oldest + timedelta(seconds=limit.window_s + margin_s))
    return at


def take(
    state: BucketState, limit: Limit, now: datetime, margin_s: float = 0.0
) -> BucketState | None:
    """The state after taking one token at *now*, or None if none is available."""
    if next_token_at(state, limit, now, margin_s) > now:
        return None
    current = refill(state, limit, now)
    grants = (*current.grants, now) if limit.window_s is not None else ()
    return BucketState(max(0.0, current.tokens - 1.0), current.updated_at, grants)
