"""Token buckets at Amazon's two levels, on the pure math of `domain.buckets`.

Amazon meters every operation per selling partner-application pair and, for
some operations, per application as well; "requests are rate-limited by
whichever threshold you reach first" (docs: usage-plans-and-rate-limits). So a
request needs a token in its pair's bucket *and*, where the operation has an
application-wide limit (``domain.limits.application_limits_for``), in its
application's bucket; when either is empty it is throttled and neither loses
a token.

The 429 body is Amazon's ``QuotaExceeded`` either way, except that
putListingsItem and patchListingsItem name the application when its limit is
the one reached (docs: listings-items-api-rate-limits, "Throttle error
messages").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from amazon_jobs.domain.buckets import BucketState, full, next_token_at, take
from amazon_jobs.domain.limits import Limit, Operation
from amazon_jobs.simulator.common.errors import QUOTA_EXCEEDED, Throttled, error_list

__all__ = [
    "APPLICATION_QUOTA_EXCEEDED",
    "Caller",
    "Level",
    "Throttle",
    "format_rate",
    "quota_body",
    "quota_refusal",
]

#: putListingsItem and patchListingsItem's 429 when the application's limit is reached
#: (docs: listings-items-api-rate-limits, "Throttle error messages").
APPLICATION_QUOTA_EXCEEDED = error_list(
    "QuotaExceeded",
    "The frequency of requests was greater than what is allowed for the application.",
)
_NAMES_THE_APPLICATION = frozenset({Operation.PUT_LISTINGS_ITEM, Operation.PATCH_LISTINGS_ITEM})


class Level(StrEnum):
    """Which of Amazon's buckets a request draws from."""

    #: The selling partner-application pair (what ``x-amzn-RateLimit-Limit`` tells).
    PAIR = "pair"
    #: The application as a whole, every seller that authorized it together.
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends a request: a seller, through an application (its LWA client id)."""

    seller_id: str
    client_id: str


def format_rate(rate: float) -> str:
    """``x-amzn-RateLimit-Limit`` as Amazon writes it: 1/120 -> "0.0083", 2 -> "2.0"."""
    text = f"{rate:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def quota_body(operation: Operation, level: Level) -> dict[str, Any]:
    """The 429 body for a request of *operation* throttled at *level*."""
    if level is Level.APPLICATION and operation in _NAMES_THE_APPLICATION:
        return APPLICATION_QUOTA_EXCEEDED
    return QUOTA_EXCEEDED


def quota_refusal(operation: Operation, level: Level) -> Throttled:
    """The refusal of a request of *operation* whose bucket at *level* is empty."""
    return Throttled(quota_body(operation, level), application=level is Level.APPLICATION)


class Throttle:
    """The buckets of every pair and application; not thread-safe (the simulator
    holds its lock)."""

    def __init__(
        self,
        limits: Mapping[Operation, Limit],
        application_limits: Mapping[Operation, Limit] | None = None,
    ) -> None:
        self._limits = dict(limits)
        self._application_limits = dict(application_limits or {})
        self._pairs: dict[tuple[str, str, Operation], BucketState] = {}
        self._applications: dict[tuple[str, Operation], BucketState] = {}

    def limit(self, operation: Operation) -> Limit:
        """The limit applied to each pair for *operation*."""
        return self._limits[operation]

    def application_limit(self, operation: Operation) -> Limit | None:
        """The limit applied to each application for *operation*, if it has one."""
        return self._application_limits.get(operation)

    def empty_level(self, caller: Caller, operation: Operation, now: datetime) -> Level | None:
        """The level whose bucket has no token of *operation* for *caller* at *now*
        (the pair's first), or None when both have one."""
        if next_token_at(self._pair(caller, operation, now), self.limit(operation), now) > now:
            return Level.PAIR
        limit = self.application_limit(operation)
        if limit is not None:
            state = self._application(caller.client_id, operation, limit, now)
            if next_token_at(state, limit, now) > now:
                return Level.APPLICATION
        return None

    def can_take(self, caller: Caller, operation: Operation, now: datetime) -> bool:
        """Whether a token of *operation* is there for *caller* at *now*, at both levels."""
        return self.empty_level(caller, operation, now) is None

    def take(self, caller: Caller, operation: Operation, now: datetime) -> None:
        """Take a token at both levels; the caller checked :meth:`can_take` under the
        same lock."""
        pair = take(self._pair(caller, operation, now), self.limit(operation), now)
        limit = self.application_limit(operation)
        application = None
        if limit is not None:
            application = take(
                self._application(caller.client_id, operation, limit, now), limit, now
            )
            if application is None:
                raise RuntimeError(f"no {operation} token for {caller.client_id}: check first")
        if pair is None:
            raise RuntimeError(f"no {operation} token for {caller.seller_id}: check can_take first")
        self._pairs[caller.seller_id, caller.client_id, operation] = pair
        if application is not None:
            self._applications[caller.client_id, operation] = application

    def _pair(self, caller: Caller, operation: Operation, now: datetime) -> BucketState:
        state = self._pairs.get((caller.seller_id, caller.client_id, operation))
        return state if state is not None else full(self.limit(operation), now)

    def _application(
        self, client_id: str, operation: Operation, limit: Limit, now: datetime
    ) -> BucketState:
        state = self._applications.get((client_id, operation))
        return state if state is not None else full(limit, now)
