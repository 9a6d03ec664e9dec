from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amazon_jobs.domain import buckets
from amazon_jobs.domain.limits import Limit, Operation, limits_for

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def drain(limit: Limit, n: int) -> tuple[datetime, list[datetime]]:
    """Take n tokens as early as possible; returns the end time and the grant times."""
    state, now, grants = buckets.full(limit, T0), T0, []
    for _ in range(n):
        now = max(now, buckets.next_token_at(state, limit, now))
        taken = buckets.take(state, limit, now)
        assert taken is not None
        state = taken
        grants.append(now)
    return now, grants


@pytest.mark.parametrize(
    ("burst", "rate", "n"),
    [(15, 1 / 120, 40), (2, 2.0, 100), (10, 0.0222, 25), (20, 1 / 180, 21), (1, 3.0, 7)],
)
def test_n_requests_take_exactly_the_theoretical_minimum(burst, rate, n):
    limit = Limit(burst, rate)
    end, _ = drain(limit, n)
    minimum = max(0, n - burst) / rate
    assert (end - T0).total_seconds() == pytest.approx(minimum, abs=1e-3)


def test_never_more_than_burst_plus_restored():
    limit = Limit(3, 0.5)
    _, grants = drain(limit, 30)
    for i, at in enumerate(grants):
        elapsed = (at - T0).total_seconds()
        assert i + 1 <= 3 + elapsed * 0.5 + 1e-6


def test_rolling_window_caps_grants():
    limit = Limit(5, 1 / 60, window_s=300, window_max=5)
    _, grants = drain(limit, 12)
    for i in range(len(grants)):
        window = [g for g in grants if grants[i] <= g < grants[i] + timedelta(seconds=300)]
        assert len(window) <= 5
    # 5 at once, 5 more when the first leave the window, then 2 more after 600 s.
    assert grants[5] == T0 + timedelta(seconds=300)
    assert grants[10] == T0 + timedelta(seconds=600)


def test_take_refuses_without_token():
    limit = Limit(1, 1.0)
    state = buckets.take(buckets.full(limit, T0), limit, T0)
    assert state is not None
    assert buckets.take(state, limit, T0) is None
    assert buckets.next_token_at(state, limit, T0) == T0 + timedelta(seconds=1)


def test_profiles_hold_design_limits():
    sp = limits_for("sp-api")
    assert sp[Operation.CREATE_FEED] == Limit(15, 1 / 120)
    assert sp[Operation.JSON_LISTINGS_FEED].window_max == 5
    assert sp[Operation.SEARCH_CATALOG_ITEMS] == Limit(2, 2.0)
    seed = limits_for("seed")
    assert seed[Operation.GET_ORDERS].burst == 6
    assert seed[Operation.CREATE_REPORT].window_max == 60


def test_overrides_and_unknown_names():
    assert limits_for("sp-api", {"createFeed": {"burst": 3}})[Operation.CREATE_FEED].burst == 3
    with pytest.raises(ValueError, match="unknown operation"):
        limits_for("sp-api", {"nope": {"burst": 3}})
    with pytest.raises(ValueError, match="unknown limits profile"):
        limits_for("mws")


def test_the_margin_also_holds_for_tokens_the_bucket_saved_up():
    limit, margin = Limit(2, 5.0), 0.05  # a token every 0.2 s; the margin is 0.25 of one
    state = buckets.BucketState(1.1, T0)  # a late wake-up left 1.1 tokens
    assert buckets.take(state, limit, T0, margin) is None  # Amazon may hold only 0.85
    at = buckets.next_token_at(state, limit, T0, margin)
    assert at == T0 + timedelta(seconds=0.03)  # 1.25 tokens by then
    assert buckets.take(state, limit, at, margin) is not None
    full = buckets.full(limit, T0)
    assert buckets.next_token_at(full, limit, T0, margin) == T0  # a full bucket gives at once


def test_a_bucket_too_small_for_the_margin_waits_it_past_the_token():
    limit, margin = Limit(1, 0.5), 0.05
    state = buckets.BucketState(0.0, T0)
    assert buckets.next_token_at(state, limit, T0, margin) == T0 + timedelta(seconds=2.05)
