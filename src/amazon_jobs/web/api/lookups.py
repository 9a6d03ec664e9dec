"""Finding what a request names, with the error a client can act on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.store.models import Account, Order
from amazon_jobs.web.api.schemas.common import MAX_ID
from amazon_jobs.web.errors import ApiError

__all__ = ["account_by_id", "account_named", "order_on"]


def account_named(session: Session, ref: str | int, *, include_deleted: bool = False) -> Account:
    """The account a body or query names (name, else numeric id); 422 if there is none.

    A deleted account is found only with *include_deleted* (to read its jobs)."""
    account = session.scalars(select(Account).where(Account.name == str(ref))).one_or_none()
    if account is None and str(ref).isdecimal() and int(ref) <= MAX_ID:
        account = session.get(Account, int(ref))
    if account is not None and account.status == AccountStatus.DELETED and not include_deleted:
        account = None
    if account is None:
        raise ApiError(422, f"no account {str(ref)!r}: GET /api/v1/accounts lists them")
    return account


def account_by_id(session: Session, account_id: int) -> Account:
    """The account a path names; 404 if there is none, or it was deleted."""
    account = session.get(Account, account_id)
    if account is None:
        raise ApiError(404, f"account {account_id} does not exist")
    if account.status == AccountStatus.DELETED:
        raise ApiError(
            404,
            f"account {account_id} was deleted: its jobs stay, under the name {account.name!r} "
            "(GET /api/v1/jobs?account=" + str(account_id) + ")",
        )
    return account


def order_on(session: Session, account_id: int, amazon_order_id: str) -> Order:
    """The account's imported order with that Amazon order id; 404 if there is none."""
    order = session.scalars(
        select(Order).where(
            Order.account_id == account_id, Order.amazon_order_id == amazon_order_id
        )
    ).one_or_none()
    if order is None:
        raise ApiError(
            404,
            f"no order {amazon_order_id!r} on this account: import orders first "
            "(POST /api/v1/jobs with type orders_import)",
        )
    return order
