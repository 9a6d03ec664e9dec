"""Amazon's second level of limits in our store: accounts that share an LWA client id
share one bucket per operation (the application's) on top of their own; on both
backends, driven by a virtual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from amazon_jobs.domain.limits import Limit, Operation
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.models import ApplicationBucket, ThrottleBucket
from amazon_jobs.throttle import QuotaWait, Throttle

SEARCH = Operation.SEARCH_CATALOG_ITEMS
FEED = Operation.CREATE_FEED
#: Each account may search twice at once; the application three times.
PAIR, APPLICATION = Limit(2, 2.0), Limit(3, 1.0)


def make_account(runtime, name, client_id="amzn1.application-oa2-client.shared"):
    spec = AccountSpec(
        name=name,
        seller_id=f"A{name.upper()}",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id=client_id,
        lwa_client_secret=SecretStr("secret"),
        refresh_token=SecretStr(f"Atzr|{name}"),
    )
    with runtime.db.transaction() as session:
        return add_account(session, spec, runtime.cipher, runtime.clock.now()).id


def throttle() -> Throttle:
    return Throttle(
        {SEARCH: PAIR, FEED: Limit(15, 1 / 120)}, application_limits={SEARCH: APPLICATION}
    )


def acquire(runtime, throttle_, account_id, ops=(SEARCH,), turn=None) -> QuotaWait | None:
    with runtime.db.transaction() as session:
        return throttle_.acquire(session, account_id, list(ops), runtime.clock.now(), turn)


def granted(runtime, model, **where) -> int:
    with runtime.db.read() as session:
        rows = session.scalars(select(model).filter_by(**where)).all()
        return sum(row.granted for row in rows)


def test_accounts_of_one_client_id_share_the_applications_bucket(runtime):
    first, second, third = (make_account(runtime, n) for n in ("one", "two", "three"))
    gate = throttle()
    assert acquire(runtime, gate, first) is None
    assert acquire(runtime, gate, first) is None
    assert acquire(runtime, gate, second) is None  # the application's third token
    wait = acquire(runtime, gate, second)
    assert wait is not None and wait.application, "held back by the application, not the pair"
    assert wait.operation == SEARCH
    assert wait.ready_at == runtime.clock.now() + timedelta(seconds=1)
    later = acquire(runtime, gate, third)
    assert later is not None, "an unused account waits all the same"
    assert granted(runtime, ThrottleBucket, account_id=second) == 1, "a refusal takes nothing"
    runtime.clock.advance(1)
    assert acquire(runtime, gate, second, turn=wait.turn) is None, "its turn: the new token"
    runtime.clock.advance(1)
    assert acquire(runtime, gate, third, turn=later.turn) is None
    assert granted(runtime, ApplicationBucket, operation=str(SEARCH)) == 5


def test_jobs_held_back_by_the_application_wait_in_line_once_each(runtime):
    """Five accounts at once on a bucket of three: the two left over are given turns one
    refill apart, and each takes its token at its turn, at the first try; one that
    comes later queues behind them, even when a token is there."""
    accounts = [make_account(runtime, f"seller{n}") for n in range(5)]
    gate, clock = throttle(), runtime.clock
    start = clock.now()
    waits = [acquire(runtime, gate, account_id) for account_id in accounts]
    assert waits[:3] == [None, None, None]
    fourth, fifth = waits[3], waits[4]
    assert fourth is not None and fifth is not None
    assert fourth.turn == fourth.ready_at == start + timedelta(seconds=1)
    assert fifth.turn == fifth.ready_at == start + timedelta(seconds=2)
    with runtime.db.read() as session:
        line = session.scalars(select(ApplicationBucket.line_until)).one()
    assert line == fifth.turn

    clock.advance(1)  # a token is back, and it is the fourth's
    newcomer = acquire(runtime, gate, accounts[0])
    assert newcomer is not None and newcomer.application
    assert newcomer.turn == start + timedelta(seconds=3), "behind the line"
    assert acquire(runtime, gate, accounts[3], turn=fourth.turn) is None
    clock.advance(1)
    assert acquire(runtime, gate, accounts[4], turn=fifth.turn) is None
    clock.advance(1)
    assert acquire(runtime, gate, accounts[0], turn=newcomer.turn) is None
    assert granted(runtime, ApplicationBucket) == 6


def test_a_turn_is_kept_until_the_token_is_taken(runtime):
    """A job in line that finds no token at its turn (a 429 emptied the buckets meanwhile)
    waits for the next one with its turn: it does not queue again at the end."""
    first, second = make_account(runtime, "one"), make_account(runtime, "two")
    gate, clock = throttle(), runtime.clock
    for account_id in (first, first, second):
        assert acquire(runtime, gate, account_id) is None
    waiting = acquire(runtime, gate, first)
    assert waiting is not None and waiting.turn is not None
    behind = acquire(runtime, gate, second)
    assert behind is not None and behind.turn == waiting.turn + timedelta(seconds=1)
    clock.advance(1)
    with runtime.db.transaction() as session:
        gate.throttled(session, first, SEARCH, clock.now())
    held = acquire(runtime, gate, first, turn=waiting.turn)
    assert held is not None and held.turn == waiting.turn
    assert held.ready_at == clock.now() + timedelta(seconds=1), "the next token, not the line's end"
    with runtime.db.read() as session:
        line = session.scalars(select(ApplicationBucket.line_until)).one()
    assert line == behind.turn, "the line did not grow"
    clock.sleep_until(held.ready_at)
    assert acquire(runtime, gate, first, turn=held.turn) is None


def test_the_pair_still_limits_each_account(runtime):
    alone = make_account(runtime, "alone")
    gate = throttle()
    assert acquire(runtime, gate, alone) is None
    assert acquire(runtime, gate, alone) is None
    wait = acquire(runtime, gate, alone)
    assert wait is not None and not wait.application, "the pair's bucket is the empty one"
    assert wait.ready_at == runtime.clock.now() + timedelta(seconds=0.5)


def test_other_client_ids_and_operations_without_an_application_limit_are_apart(runtime):
    mine, theirs = make_account(runtime, "mine"), make_account(runtime, "theirs", "other-client")
    gate = throttle()
    for _ in range(2):
        assert acquire(runtime, gate, mine) is None
    assert acquire(runtime, gate, theirs) is None
    assert acquire(runtime, gate, theirs) is None, "another application has its own bucket"
    for _ in range(15):
        assert acquire(runtime, gate, mine, (FEED,)) is None
    with runtime.db.read() as session:
        operations = set(session.scalars(select(ApplicationBucket.operation)))
    assert operations == {str(SEARCH)}, "createFeed has no application-wide limit"


def test_many_accounts_together_go_no_faster_than_the_application(runtime):
    accounts = [make_account(runtime, f"seller{n}") for n in range(4)]
    gate, clock = throttle(), runtime.clock
    start, calls = clock.now(), 0
    for _ in range(6):
        for account_id in accounts:
            turn = None
            while (wait := acquire(runtime, gate, account_id, turn=turn)) is not None:
                clock.sleep_until(wait.ready_at)
                turn = wait.turn
            calls += 1
    # 24 searches: 3 at once, then one a second, whichever account asks.
    assert (clock.now() - start).total_seconds() == pytest.approx(calls - 3, abs=1e-3)
    with runtime.db.read() as session:
        (view,) = gate.application_views(
            session, "amzn1.application-oa2-client.shared", clock.now()
        )
    assert view.granted == calls and view.operation == str(SEARCH)


def test_next_wait_names_the_application_without_taking(runtime):
    first, second = make_account(runtime, "one"), make_account(runtime, "two")
    gate = throttle()
    for account_id in (first, first, second):
        assert acquire(runtime, gate, account_id) is None
    with runtime.db.transaction() as session:
        wait = gate.next_wait(session, second, [SEARCH], runtime.clock.now())
    assert wait.application and wait.ready_at > runtime.clock.now()
    assert granted(runtime, ApplicationBucket) == 3
