"""Backoff and polling intervals: pure functions, randomness passed in."""

from __future__ import annotations

import random

__all__ = ["jittered", "poll_interval", "retry_delay"]


def jittered(seconds: float, rng: random.Random, spread: float = 0.2) -> float:
    """*seconds* moved up or down by at most *spread* of itself."""
    return seconds * (1.0 + spread * (2.0 * rng.random() - 1.0))


def retry_delay(
    attempt: int, rng: random.Random, base_s: float = 1.0, cap_s: float = 300.0
) -> float:
    """Delay before retry number *attempt* (1-based): exponential, capped, jittered."""
    return jittered(min(cap_s, base_s * 2.0 ** (attempt - 1)), rng)


def poll_interval(polls: int, first_s: float, max_s: float, growth: float = 1.5) -> float:
    """Wait before the next poll of a submitted feed or report, after *polls* polls.

    Amazon takes minutes to hours; polling starts at *first_s* and grows by
    *growth* each time up to *max_s*, so a slow feed costs few getFeed calls.
    """
    return min(max_s, first_s * growth**polls)
