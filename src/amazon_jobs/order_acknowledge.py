"""Acknowledging an Amazon order: a shop without a connector says it has the order.

From then on (``orders.in_shop_at``) the order's units are no longer held back
from the quantity sent to Amazon: the shop's own stock counts them. It is the
push path's counterpart of Orders to Shop, so an account whose orders a
connector takes to its shop refuses it (the connector would never create an
order already marked in the shop). Acknowledging twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.errors import AccountUnavailable, AmazonJobsError, OrderConflict, OrderNotFound
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.models import Account, Order, Shop
from amazon_jobs.store.order_feed import acknowledge

__all__ = ["Acknowledged", "acknowledge_order", "find_order_ref"]

#: The largest id a 64-bit column holds.
MAX_ID = 2**63 - 1
#: The longest shop order reference kept (``orders.shop_order_ref``).
SHOP_REF_MAX = 64


@dataclass(frozen=True)
class Acknowledged:
    order: Order
    account_name: str
    #: False when the order was in the shop already: nothing changed.
    changed: bool


def acknowledge_order(
    rt: Runtime, ref: str, account: str | int | None, shop_order_ref: str | None
) -> Acknowledged:
    """Mark the order *ref* in the shop (see :func:`find_order_ref` for *ref*).

    Raises :class:`OrderNotFound`, :class:`AccountUnavailable` (its account was
    deleted) or :class:`OrderConflict` (a connector's account, or already
    acknowledged under another shop reference).
    """
    shop_order_ref = _clean(shop_order_ref)
    with rt.db.transaction() as session:
        order = find_order_ref(session, ref, account, lock=True)
        owner = session.get_one(Account, order.account_id)
        _check(session, order, owner, shop_order_ref)
        changed = acknowledge(session, order, rt.clock.now(), shop_order_ref)
        return Acknowledged(order, owner.name, changed)


def find_order_ref(
    session: Session, ref: str, account: str | int | None, *, lock: bool = False
) -> Order:
    """The order *ref* names: its id, or with *account* also its Amazon order id."""
    query = select(Order)
    if account is not None:
        owner = find_account(session, account, include_deleted=True)
        by_amazon_id = Order.amazon_order_id == ref
        query = query.where(
            Order.account_id == owner.id,
            by_amazon_id | (Order.id == int(ref)) if _is_id(ref) else by_amazon_id,
        )
    elif _is_id(ref):
        query = query.where(Order.id == int(ref))
    else:
        raise OrderNotFound(
            ref,
            f"no order {ref!r}: an Amazon order id needs its account "
            "(or give the order's id, as the order cursor lists it)",
        )
    order = session.scalars(query.with_for_update() if lock else query).first()
    if order is None:
        raise OrderNotFound(ref, f"no imported order {ref!r}" + _on(account))
    return order


def _check(session: Session, order: Order, owner: Account, shop_order_ref: str | None) -> None:
    name = order.amazon_order_id
    if owner.status == AccountStatus.DELETED:
        raise AccountUnavailable(
            f"order {name} belongs to a deleted account ({owner.name}): its orders are kept "
            "to read, not acknowledged"
        )
    if owner.shop_id is not None:
        shop = session.get(Shop, owner.shop_id)
        raise OrderConflict(
            f"order {name}: account {owner.name} takes its orders to the shop "
            f"{shop.name if shop else owner.shop_id!r} itself (Orders to Shop); acknowledging "
            "is for shops without a connector"
        )
    if order.in_shop_at is not None and shop_order_ref not in (None, order.shop_order_ref):
        was = f"as {order.shop_order_ref!r}" if order.shop_order_ref else "without a reference"
        raise OrderConflict(
            f"order {name} was acknowledged {was} at {order.in_shop_at.isoformat()}, "
            f"not as {shop_order_ref!r}: nothing changed"
        )


def _clean(shop_order_ref: str | None) -> str | None:
    value = (shop_order_ref or "").strip()
    if len(value) > SHOP_REF_MAX or "\x00" in value:
        raise AmazonJobsError(
            f"the shop order reference must be at most {SHOP_REF_MAX} characters, without NUL"
        )
    return value or None


def _is_id(ref: str) -> bool:
    return ref.isdecimal() and ref.isascii() and 0 < int(ref) <= MAX_ID


def _on(account: str | int | None) -> str:
    return f" on account {account!r}" if account is not None else ""
