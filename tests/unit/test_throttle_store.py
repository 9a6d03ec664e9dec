"""The database-kept buckets, on both backends, driven by a virtual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from amazon_jobs.domain.limits import Limit, Operation
from amazon_jobs.throttle import Throttle, announced_rate

CF = Operation.CREATE_FEED
JLF = Operation.JSON_LISTINGS_FEED


def acquire_all(runtime, throttle, account_id, n, ops):
    """Take n tokens as a worker would: try, and on refusal sleep to the given time."""
    clock, start, refusals = runtime.clock, runtime.clock.now(), 0
    for _ in range(n):
        while True:
            with runtime.db.transaction() as session:
                ready_at = throttle.try_acquire(session, account_id, ops, clock.now())
            if ready_at is None:
                break
            refusals += 1
            clock.sleep_until(ready_at)
    return (clock.now() - start).total_seconds(), refusals


@pytest.mark.parametrize(("burst", "rate", "n"), [(15, 1 / 120, 40), (2, 2.0, 50), (6, 1 / 60, 20)])
def test_n_requests_take_the_theoretical_minimum(runtime, account_id, burst, rate, n):
    throttle = Throttle({CF: Limit(burst, rate)})
    elapsed, _ = acquire_all(runtime, throttle, account_id, n, [CF])
    assert elapsed == pytest.approx((n - burst) / rate, abs=1e-3)
    with runtime.db.read() as session:
        (view,) = throttle.views(session, account_id, runtime.clock.now())
    assert view.granted == n
    assert 0 <= view.tokens < 1


def test_all_or_nothing_across_buckets(runtime, account_id):
    throttle = Throttle({CF: Limit(15, 1 / 120), JLF: Limit(5, 1 / 60, 300, 5)})
    elapsed, _ = acquire_all(runtime, throttle, account_id, 7, [CF, JLF])
    # Two feeds over JSON_LISTINGS_FEED's cap wait until the first grants leave the window.
    assert elapsed == pytest.approx(300, abs=1e-3)
    with runtime.db.read() as session:
        views = {v.operation: v for v in throttle.views(session, account_id, runtime.clock.now())}
    assert views["createFeed"].granted == views["JSON_LISTINGS_FEED"].granted == 7


def test_never_overdraws_with_interleaved_workers(runtime, account_id):
    """Two 'workers' alternate on one bucket: together they stay within the limit."""
    throttle = Throttle({CF: Limit(3, 0.5)})
    grants = []
    for i in range(40):
        with runtime.db.transaction() as session:
            ready_at = throttle.try_acquire(session, account_id, [CF], runtime.clock.now())
        if ready_at is None:
            grants.append(runtime.clock.now())
        runtime.clock.advance(0.25 if i % 2 else 0.5)
    start = grants[0]
    for i, at in enumerate(grants):
        assert i + 1 <= 3 + (at - start).total_seconds() * 0.5 + 1e-6


def test_429_empties_bucket_and_header_rate_replaces_ours(runtime, account_id):
    throttle = Throttle({CF: Limit(15, 1 / 120)})
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        retry_at = throttle.throttled(session, account_id, CF, now)
        assert retry_at == now + timedelta(seconds=120)
        assert throttle.announce_rate(session, account_id, CF, "0.0083", now) is None
        assert throttle.announce_rate(session, account_id, CF, "0.05", now) == 0.05
        (view,) = throttle.views(session, account_id, now)
    assert view.throttled == 1 and view.rate == 0.05 and view.tokens == 0


def test_announced_rate_tolerates_rounding():
    assert announced_rate(1 / 60, "0.0167") is None
    assert announced_rate(1 / 60, "0.5") == 0.5
    assert announced_rate(1 / 60, "garbage") is None
    assert announced_rate(1 / 60, None) is None


def test_a_slow_call_moves_its_grant_in_the_rolling_window(runtime, account_id):
    """A call answered 40 s after its token was taken counts in the window from then."""
    throttle = Throttle({JLF: Limit(5, 1.0, window_s=300, window_max=5)})
    clock, start = runtime.clock, runtime.clock.now()
    with runtime.db.transaction() as session:
        assert throttle.try_acquire(session, account_id, [JLF], start) is None
        throttle.settle(session, account_id, [JLF], start, start + timedelta(seconds=40))
    for k in range(1, 5):
        with runtime.db.transaction() as session:
            at = start + timedelta(seconds=60 * k)
            assert throttle.try_acquire(session, account_id, [JLF], at) is None
    with runtime.db.transaction() as session:
        ready_at = throttle.next_available(session, account_id, [JLF], clock.now())
    assert ready_at == start + timedelta(seconds=340)


def test_settle_leaves_buckets_without_a_window_alone(runtime, account_id):
    throttle = Throttle({CF: Limit(15, 1 / 120)})
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        assert throttle.try_acquire(session, account_id, [CF], now) is None
        throttle.settle(session, account_id, [CF], now, now + timedelta(seconds=40))
    with runtime.db.read() as session:
        (view,) = throttle.views(session, account_id, now)
    assert view.granted == 1
