"""``/api/v1/accounts``: Amazon accounts; their secrets can be set, never read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs import service
from amazon_jobs.store.accounts import add_account, list_accounts, update_account
from amazon_jobs.store.models import Account
from amazon_jobs.web.api.lookups import account_by_id
from amazon_jobs.web.api.schemas.accounts import (
    AccountCreate,
    AccountPublic,
    AccountsPublic,
    AccountUpdate,
    ConnectionTest,
)
from amazon_jobs.web.api.schemas.common import MAX_ID, error
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/accounts", tags=["accounts"])

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="The account id")]
NOT_FOUND = error(404, "No account has that id")
CONFLICT = error(409, "Another account has that name")


@router.get("")
def read_accounts(rt: RuntimeDep) -> AccountsPublic:
    with rt.db.read() as session:
        return AccountsPublic(items=[AccountPublic.of(a) for a in list_accounts(session)])


@router.post("", status_code=201, responses=CONFLICT)
def create_account(rt: RuntimeDep, body: AccountCreate) -> AccountPublic:
    """Add an account; the LWA client secret and refresh token are stored encrypted."""
    with rt.db.transaction() as session:
        _name_free(session, body.name)
        return AccountPublic.of(add_account(session, body.spec(), rt.cipher, rt.clock.now()))


@router.get("/{account_id}", responses=NOT_FOUND)
def read_account(rt: RuntimeDep, account_id: AccountId) -> AccountPublic:
    with rt.db.read() as session:
        return AccountPublic.of(account_by_id(session, account_id))


@router.patch("/{account_id}", responses=NOT_FOUND | CONFLICT)
def update_account_(rt: RuntimeDep, account_id: AccountId, body: AccountUpdate) -> AccountPublic:
    """Change the name, marketplace, endpoints, orders API or credentials."""
    with rt.db.transaction() as session:
        account = account_by_id(session, account_id)
        if body.name is not None and body.name != account.name:
            _name_free(session, body.name)
        return AccountPublic.of(update_account(session, account, body.changes(), rt.cipher))


@router.post("/{account_id}/test", responses=NOT_FOUND)
def probe_account(rt: RuntimeDep, account_id: AccountId) -> ConnectionTest:
    """Ask Login with Amazon for a token and make one SP-API call (getFeeds)."""
    with rt.db.read() as session:
        account_by_id(session, account_id)
    ok, message = service.test_connection(rt, account_id)
    return ConnectionTest(ok=ok, message=message)


def _name_free(session: Session, name: str) -> None:
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        raise ApiError(409, f"an account named {name!r} exists already: choose another name")
