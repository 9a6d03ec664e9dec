"""One token bucket per (seller, operation), on the pure math of `domain.buckets`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from amazon_jobs.domain.buckets import BucketState, full, next_token_at, take
from amazon_jobs.domain.limits import Limit, Operation

__all__ = ["Throttle", "format_rate"]


def format_rate(rate: float) -> str:
    """``x-amzn-RateLimit-Limit`` as Amazon writes it: 1/120 -> "0.0083", 2 -> "2.0"."""
    text = f"{rate:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


class Throttle:
    """The buckets of every seller; not thread-safe (the simulator holds its lock)."""

    def __init__(self, limits: Mapping[Operation, Limit]) -> None:
        self._limits = dict(limits)
        self._buckets: dict[tuple[str, Operation], BucketState] = {}

    def limit(self, operation: Operation) -> Limit:
        """The limit applied to *operation*."""
        return self._limits[operation]

    def can_take(self, seller_id: str, operation: Operation, now: datetime) -> bool:
        """Whether a token of *operation* is there for *seller_id* at *now*."""
        return (
            next_token_at(self._state(seller_id, operation, now), self.limit(operation), now) <= now
        )

    def take(self, seller_id: str, operation: Operation, now: datetime) -> None:
        """Take a token; the caller checked :meth:`can_take` under the same lock."""
        after = take(self._state(seller_id, operation, now), self.limit(operation), now)
        if after is None:
            raise RuntimeError(f"no {operation} token for {seller_id}: check can_take first")
        self._buckets[seller_id, operation] = after

    def _state(self, seller_id: str, operation: Operation, now: datetime) -> BucketState:
        state = self._buckets.get((seller_id, operation))
        return state if state is not None else full(self.limit(operation), now)
