"""The order cursor: a shop without a connector pages through new and changed orders.

Every order gets a change number (``orders.change_seq``) when it is imported
with its items, and a new, larger one whenever it changes in a way the shop
must learn (its status, such as a cancellation, or its items). A reader asks
for the orders whose number is above the last one it saw (its cursor) and gets
each change exactly once, in order; an order that changes again comes back
with its new number.

Why a counter row and not a database sequence: numbers taken from a sequence
are not committed in their order. A transaction that took 10 may commit after
one that took 11; a reader that saw 11 in between moves its cursor past 10 and
never sees that order. So the numbers come from one row of ``counters``,
increased with ``UPDATE ... RETURNING`` as the last write of the transaction:
the row lock it takes is held until commit, so a second writer waits for the
first to commit before it can take the next number. Numbers are therefore
committed in increasing order, and a reader whose snapshot holds number N
also holds every number below N; no reader can skip one. On PostgreSQL the
waiting writer re-reads the row once the first commits (READ COMMITTED), so
it continues after the first one's numbers; on SQLite writers are serialized
(``BEGIN IMMEDIATE``) anyway. The price is that writers of order changes queue
for the row from their numbering to their commit: a moment at the end of each
Orders Import page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.models import Counter, Order, OrderItem

__all__ = [
    "ORDER_CHANGES",
    "acknowledge",
    "items_by_order",
    "number_changes",
    "orders_after",
]

#: The counters row whose value is the last change number handed out.
ORDER_CHANGES = "order_changes"


def number_changes(session: Session, order_ids: Sequence[int]) -> None:
    """Give *order_ids* the next change numbers, in that order.

    Call it as the last write of the transaction: from here to the commit,
    other writers of order changes wait (see the module docstring).
    """
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        return
    last = _advance(session, len(ids))
    first = last - len(ids) + 1
    update_rows(session, Order, [{"id": oid, "change_seq": first + n} for n, oid in enumerate(ids)])


def _advance(session: Session, count: int) -> int:
    """Add *count* to the counter under its row lock; the new value."""
    statement = (
        update(Counter)
        .where(Counter.name == ORDER_CHANGES)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    )
    value = session.execute(statement).scalar_one_or_none()
    if value is None:  # no row yet (an emptied database): start after the largest number
        start = session.scalar(select(func.coalesce(func.max(Order.change_seq), 0)))
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        row = insert(Counter).values(name=ORDER_CHANGES, value=int(start or 0))
        session.execute(row.on_conflict_do_nothing())
        value = session.execute(statement).scalar_one()
    return int(value)


def orders_after(session: Session, account_id: int, cursor: int, limit: int) -> list[Order]:
    """The account's orders numbered above *cursor*, in number order."""
    query = (
        select(Order)
        .where(Order.account_id == account_id, Order.change_seq > cursor)
        .order_by(Order.change_seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def items_by_order(session: Session, order_ids: Sequence[int]) -> dict[int, list[OrderItem]]:
    """The items of each order, in the order they were stored."""
    found: dict[int, list[OrderItem]] = {oid: [] for oid in order_ids}
    if order_ids:
        query = select(OrderItem).where(OrderItem.order_id.in_(order_ids)).order_by(OrderItem.id)
        for item in session.scalars(query):
            found[item.order_id].append(item)
    return found


def acknowledge(session: Session, order: Order, now: datetime, shop_order_ref: str | None) -> bool:
    """The shop has *order*: set ``in_shop_at`` (and its reference); False if it was set.

    The order's number does not change: the shop knows what it acknowledged.
    """
    if order.in_shop_at is not None:
        return False
    order.in_shop_at = now
    order.shop_order_ref = shop_order_ref
    order.updated_at = now
    session.flush()
    return True
