"""Login limits, the demo's login and session lifetimes, in the store (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from amazon_jobs.security import DEMO_PASSWORD, DEMO_USER, hash_password, token_digest
from amazon_jobs.store.logins import (
    LoginKeys,
    LoginLimits,
    forget_user,
    lock_and_check,
    record_failure,
)
from amazon_jobs.store.models import LoginFailure, User, WebSession
from amazon_jobs.store.users import (
    add_user,
    authenticate,
    find_session,
    prune_sessions,
    start_session,
    touch_session,
)

LIMITS = LoginLimits(max_failures=3, max_per_address=5, window=timedelta(minutes=15))
PASSWORD = "a long password 123"


def fail(rt, keys, times=1):
    """Count *times* wrong passwords now; the lock they end with."""
    until = None
    for _ in range(times):
        with rt.db.transaction() as session:
            assert lock_and_check(session, keys, rt.clock.now()) is None
            until = record_failure(session, keys, rt.clock.now(), LIMITS)
    return until


def refused_until(rt, keys):
    with rt.db.transaction() as session:
        return lock_and_check(session, keys, rt.clock.now())


def test_a_user_name_is_locked_after_its_failures_until_the_window_is_over(runtime, clock):
    keys = LoginKeys.of("seller", "10.0.0.1")
    assert fail(runtime, keys, 2) is None
    assert refused_until(runtime, keys) is None
    until = fail(runtime, keys)
    assert until == clock.now() + LIMITS.window
    # Refused from any address, for the whole window.
    assert refused_until(runtime, LoginKeys.of(" seller ", "10.9.9.9")) == until
    clock.advance(LIMITS.window.total_seconds() - 1)
    assert refused_until(runtime, keys) == until
    clock.advance(1)
    assert refused_until(runtime, keys) is None
    # A new window: one more wrong password does not lock again.
    assert fail(runtime, keys) is None
    assert refused_until(runtime, keys) is None


def test_failures_spread_over_more_than_the_window_never_lock(runtime, clock):
    keys = LoginKeys.of("seller", "10.0.0.1")
    for _ in range(4):
        assert fail(runtime, keys, 2) is None
        clock.advance(LIMITS.window.total_seconds())


def test_one_address_is_locked_after_trying_many_user_names(runtime, clock):
    for n in range(4):
        assert fail(runtime, LoginKeys.of(f"user{n}", "10.0.0.2")) is None
    until = fail(runtime, LoginKeys.of("user4", "10.0.0.2"))
    assert until == clock.now() + LIMITS.window
    assert refused_until(runtime, LoginKeys.of("anyone", "10.0.0.2")) == until
    assert refused_until(runtime, LoginKeys.of("anyone", "10.0.0.3")) is None


def test_a_login_clears_its_user_names_count_not_its_addresses(runtime, clock):
    keys = LoginKeys.of("seller", "10.0.0.1")
    fail(runtime, keys, 2)
    with runtime.db.transaction() as session:
        forget_user(session, keys)
    assert fail(runtime, keys, 2) is None  # counted from zero again
    with runtime.db.read() as session:
        counts = dict(session.execute(select(LoginFailure.key, LoginFailure.failures)).all())
    assert counts == {"user:seller": 2, "address:10.0.0.1": 4}


def test_old_counters_are_forgotten(runtime, clock):
    fail(runtime, LoginKeys.of("old", "10.0.0.1"))
    clock.advance(LIMITS.window.total_seconds() + 1)
    fail(runtime, LoginKeys.of("new", "10.0.0.2"))
    with runtime.db.read() as session:
        keys = set(session.scalars(select(LoginFailure.key)))
    assert keys == {"user:new", "address:10.0.0.2"}


def test_the_demo_login_works_only_in_demo_mode(runtime, clock):
    with runtime.db.transaction() as session:
        add_user(session, DEMO_USER, DEMO_PASSWORD, clock.now(), is_demo=True)
        # A user with the demo's password made around add_user (e.g. by hand in SQL).
        session.add(
            User(
                username="sneaky",
                password_hash=hash_password(DEMO_PASSWORD),
                created_at=clock.now(),
                is_demo=False,
            )
        )
        add_user(session, "seller", PASSWORD, clock.now())
    with runtime.db.transaction() as session:
        assert authenticate(session, DEMO_USER, DEMO_PASSWORD, allow_demo=False) is None
        assert authenticate(session, "sneaky", DEMO_PASSWORD, allow_demo=False) is None
        assert authenticate(session, DEMO_USER, DEMO_PASSWORD, allow_demo=True) is not None
        assert authenticate(session, "seller", PASSWORD, allow_demo=False) is not None
        assert authenticate(session, "seller", "wrong password!", allow_demo=False) is None
    with runtime.db.transaction() as session, pytest.raises(Exception, match="at least 10"):
        add_user(session, "short", DEMO_PASSWORD, clock.now())


def test_a_session_ends_at_its_lifetime_or_when_idle(runtime, clock):
    lifetime, idle = timedelta(hours=8), timedelta(hours=1)
    with runtime.db.transaction() as session:
        user = add_user(session, "seller", PASSWORD, clock.now())
        token = start_session(session, user, clock.now(), lifetime)

    def live() -> bool:
        with runtime.db.read() as session:
            return find_session(session, token, clock.now(), idle) is not None

    assert live()
    clock.advance(idle.total_seconds() - 1)
    assert live()
    clock.advance(1)
    assert not live()
    with runtime.db.read() as session:
        assert find_session(session, token, clock.now()) is not None  # no idle limit asked
        assert find_session(session, token, clock.now() + lifetime) is None
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_sessions_that_are_over_are_deleted(runtime, clock):
    lifetime, idle = timedelta(hours=8), timedelta(hours=1)
    with runtime.db.transaction() as session:
        user = add_user(session, "seller", PASSWORD, clock.now())
        idle_token = start_session(session, user, clock.now(), lifetime)
        busy_token = start_session(session, user, clock.now(), lifetime)
    clock.advance(1800)
    with runtime.db.transaction() as session:
        touch_session(session, token_digest(busy_token), clock.now())
        assert prune_sessions(session, clock.now(), idle) == 0
    clock.advance(1800)  # the idle one has now been unused for an hour
    with runtime.db.transaction() as session:
        assert prune_sessions(session, clock.now(), idle) == 1
    with runtime.db.read() as session:
        assert find_session(session, busy_token, clock.now(), idle) is not None
        assert find_session(session, idle_token, clock.now()) is None
    clock.advance(lifetime.total_seconds())
    with runtime.db.transaction() as session:
        assert prune_sessions(session, clock.now(), idle) == 1
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
