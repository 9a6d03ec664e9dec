"""The order cursor (``orders.change_seq``): every change once, in order, never skipped.

Orders are stored the way Orders Import stores them (``upsert_orders``,
``store_order_items``) and read the way ``GET /api/v1/orders?after_cursor=``
reads them (``orders_after``).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from amazon_jobs.amazon.orders_api import AmazonOrder, AmazonOrderItem
from amazon_jobs.clock import VirtualClock
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.database import Database
from amazon_jobs.store.order_feed import orders_after
from amazon_jobs.store.orders import order_ids, store_order_items, upsert_orders
from tests.conftest import T0, make_runtime, truncate

pytestmark = pytest.mark.timeout(120)


def account(rt: Runtime, name: str = "us") -> int:
    spec = AccountSpec(
        name=name,
        seller_id="A1SELLER",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="client",
        lwa_client_secret=SecretStr("secret"),
        refresh_token=SecretStr("Atzr|token"),
    )
    with rt.db.transaction() as session:
        return add_account(session, spec, rt.cipher, rt.clock.now()).id


def order(n: int, *, status: str = "UNSHIPPED", minutes: int = 0, lines: int = 1) -> AmazonOrder:
    items = [
        AmazonOrderItem(f"{n}-{i}", f"SKU-{i:03d}", None, "A thing", 1, 0, Decimal("9.99"))
        for i in range(lines)
    ]
    return AmazonOrder(
        order_id=f"111-{n:07d}-0000001",
        status=status,
        purchased_at=T0,
        updated_at=T0 + timedelta(minutes=minutes),
        marketplace_id="ATVPDKIKX0DER",
        fulfilled_by="MERCHANT",
        total=Decimal("9.99"),
        currency="USD",
        items=items,
    )


def store(rt: Runtime, account_id: int, *orders: AmazonOrder) -> None:
    with rt.db.transaction() as session:
        upsert_orders(session, account_id, list(orders), rt.clock.now())


def read_all(rt: Runtime, account_id: int, cursor: int, limit: int = 2) -> tuple[list[str], int]:
    """Page from *cursor* to the end: the Amazon ids seen, in order, and the last cursor."""
    seen: list[str] = []
    while True:
        with rt.db.read() as session:
            page = orders_after(session, account_id, cursor, limit)
        seen += [o.amazon_order_id for o in page]
        if not page:
            return seen, cursor
        assert [o.change_seq for o in page] == sorted(o.change_seq or 0 for o in page)
        cursor = page[-1].change_seq or 0


def test_every_change_is_read_once_and_a_changed_order_comes_back(runtime):
    us, eu = account(runtime), account(runtime, "eu")
    first = [order(n, minutes=n) for n in range(5)]
    store(runtime, us, *first)
    store(runtime, eu, order(99))
    seen, cursor = read_all(runtime, us, 0)
    assert seen == [o.order_id for o in first]  # once each, oldest change first
    assert read_all(runtime, eu, 0)[0] == [order(99).order_id]  # per account

    store(runtime, us, *first)  # seen again, unchanged: nothing new
    store(runtime, us, replace(first[2], updated_at=first[2].updated_at + timedelta(hours=1)))
    assert read_all(runtime, us, cursor) == ([], cursor)  # newer, same status and items

    canceled = replace(first[0], status="CANCELED", updated_at=T0 + timedelta(hours=2))
    store(runtime, us, order(5, minutes=60), canceled)
    store(runtime, us, replace(first[1], items=order(1, minutes=1, lines=2).items))
    seen, cursor = read_all(runtime, us, cursor)
    assert seen == [order(5).order_id, first[0].order_id, first[1].order_id]
    everything, _ = read_all(runtime, us, 0)
    assert sorted(everything) == sorted(o.order_id for o in [*first, order(5)])  # latest only
    assert everything[-3:] == seen

    older = replace(first[3], status="SHIPPED", updated_at=T0 - timedelta(hours=1))
    store(runtime, us, older)  # an older version is not applied: no change to tell
    assert read_all(runtime, us, cursor) == ([], cursor)


def test_an_order_waits_for_its_items_then_a_new_line_brings_it_back(runtime):
    """Orders v0 lists orders without items: the shop gets each order with its items."""
    us = account(runtime)
    bare = replace(order(1), items=None)
    store(runtime, us, bare)
    assert read_all(runtime, us, 0) == ([], 0)
    with runtime.db.transaction() as session:
        oid = order_ids(session, us, [bare.order_id])[bare.order_id]
        store_order_items(session, oid, order(1).items or [])
    seen, cursor = read_all(runtime, us, 0)
    assert seen == [bare.order_id]
    with runtime.db.transaction() as session:
        store_order_items(session, oid, order(1).items or [])  # the same lines
    assert read_all(runtime, us, cursor) == ([], cursor)
    with runtime.db.transaction() as session:
        store_order_items(session, oid, order(1, lines=2).items or [])
    assert read_all(runtime, us, cursor)[0] == [bare.order_id]


def test_concurrent_writers_never_make_a_reader_skip(runtime):
    """Writers in threads store orders while a reader pages on: it sees each one once."""
    us = account(runtime)
    writers, per_writer = 3, 15
    done = threading.Event()
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for n in range(per_writer):
                store(runtime, us, order(w * 1000 + n))
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    seen: list[str] = []

    def read() -> None:
        cursor = 0
        while True:
            last_round = done.is_set()
            page, cursor = read_all(runtime, us, cursor, limit=4)
            seen.extend(page)
            if last_round:
                return

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    assert not errors
    expected = {order(w * 1000 + n).order_id for w in range(writers) for n in range(per_writer)}
    assert len(seen) == len(expected) and set(seen) == expected


@pytest.mark.postgres
def test_a_later_number_waits_for_the_earlier_commit(pg_url: str, tmp_path: Path):
    """Two PostgreSQL writers interleave: B cannot number its order while A, which
    numbered first, has not committed, so no reader can see B's number without A's."""
    truncate(pg_url)
    clock = VirtualClock(T0)
    rt = make_runtime(pg_url, clock, tmp_path)
    other = Database(pg_url)
    try:
        us = account(rt)
        store(rt, account(rt, "eu"), order(99))  # the counter row exists and is committed
        a_numbered, a_commit = threading.Event(), threading.Event()
        failures: list[BaseException] = []

        def writer_a() -> None:
            try:
                with rt.db.transaction() as session:
                    upsert_orders(session, us, [order(1)], clock.now())
                    a_numbered.set()
                    assert a_commit.wait(60)
            except BaseException as exc:
                failures.append(exc)

        def writer_b() -> None:
            try:
                with other.transaction() as session:
                    session.execute(sa.text("SET application_name = 'writer_b'"))
                    upsert_orders(session, us, [order(2)], clock.now())
            except BaseException as exc:
                failures.append(exc)

        a = threading.Thread(target=writer_a)
        a.start()
        assert a_numbered.wait(60)
        b = threading.Thread(target=writer_b)
        b.start()
        _wait_until_blocked(rt.db, "writer_b")
        assert read_all(rt, us, 0) == ([], 0)  # neither is visible yet
        a_commit.set()
        a.join(60)
        b.join(60)
        assert not failures
        seen, _ = read_all(rt, us, 0)
        assert seen == [order(1).order_id, order(2).order_id]
    finally:
        other.dispose()
        rt.close()


def _wait_until_blocked(db: Database, application: str) -> None:
    """Until the session named *application* waits for a lock (it queued behind A)."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
        "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE counters%'"
    )
    for _ in range(6000):
        with db.engine.connect() as conn:
            if conn.execute(query, {"name": application}).scalar_one():
                return
        threading.Event().wait(0.01)
    raise AssertionError(f"{application} never waited for the counter row")
