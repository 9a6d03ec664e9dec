"""``/api/v1/accounts``: Amazon accounts; their secrets can be set, never read.

An admin pauses, resumes, disables, enables or deletes an account; only an
active account's jobs are created and run (see
:mod:`amazon_jobs.domain.account_status`). An admin sets its ``channel`` (how
its listings jobs reach Amazon) on create or with PATCH, each change recorded
(see :mod:`amazon_jobs.account_channel`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs import accounts, policies, service, shops
from amazon_jobs.account_channel import change_account_channel
from amazon_jobs.domain.account_status import AccountAction
from amazon_jobs.domain.policy import SellingPolicy
from amazon_jobs.errors import PolicyError
from amazon_jobs.store.accounts import list_accounts
from amazon_jobs.store.models import Account, Shop
from amazon_jobs.store.policies import load_policy
from amazon_jobs.web.access import ADMINISTER, OPERATE, READ
from amazon_jobs.web.api.lookups import account_by_id
from amazon_jobs.web.api.schemas.accounts import (
    AccountCreate,
    AccountDeleted,
    AccountPublic,
    AccountsPublic,
    AccountUpdate,
    ConnectionTest,
)
from amazon_jobs.web.api.schemas.common import MAX_ID, error
from amazon_jobs.web.api.schemas.jobs import ActionReason
from amazon_jobs.web.api.schemas.policy import SellingPolicyBody, SellingPolicyPublic
from amazon_jobs.web.api.schemas.shops import ShopLink
from amazon_jobs.web.deps import ApiUser, RuntimeDep
from amazon_jobs.web.errors import ApiError

router = APIRouter(prefix="/accounts", tags=["accounts"])

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="The account id")]
NOT_FOUND = error(404, "No account has that id")
CONFLICT = error(409, "Another account has that name")
REFUSED = error(
    422,
    "Invalid input; or a URL that is not Amazon's where the server does not allow custom "
    "endpoints; or a new endpoint or token URL without the client secret and refresh token",
)


@router.get("", dependencies=READ)
def read_accounts(rt: RuntimeDep) -> AccountsPublic:
    with rt.db.read() as session:
        return AccountsPublic(
            items=[AccountPublic.of(a, rt.settings.channel) for a in list_accounts(session)]
        )


@router.post("", status_code=201, responses=CONFLICT | REFUSED, dependencies=ADMINISTER)
def create_account(rt: RuntimeDep, body: AccountCreate, caller: ApiUser) -> AccountPublic:
    """Add an account; the LWA client secret and refresh token are stored encrypted."""
    with rt.db.transaction() as session:
        _name_free(session, body.name)
        who = caller.user.username
        account = accounts.add_account(rt, session, body.spec(), actor=who)
        change_account_channel(rt, session, account, body.channel, actor=who)
        return AccountPublic.of(account, rt.settings.channel)


@router.get("/{account_id}", responses=NOT_FOUND, dependencies=READ)
def read_account(rt: RuntimeDep, account_id: AccountId) -> AccountPublic:
    with rt.db.read() as session:
        return AccountPublic.of(account_by_id(session, account_id), rt.settings.channel)


@router.patch("/{account_id}", responses=NOT_FOUND | CONFLICT | REFUSED, dependencies=ADMINISTER)
def update_account_(
    rt: RuntimeDep, account_id: AccountId, body: AccountUpdate, caller: ApiUser
) -> AccountPublic:
    """Change the name, marketplace, endpoints, orders API, channel or credentials.

    A new endpoint or LWA token URL needs the client secret and the refresh token
    again in the same request; otherwise 422 and nothing changes.
    """
    who = caller.user.username
    with rt.db.transaction() as session:
        account = account_by_id(session, account_id)
        if body.name is not None and body.name != account.name:
            _name_free(session, body.name)
        if body.model_fields_set != {"channel"}:
            account = accounts.update_account(rt, session, account, body.changes(), actor=who)
        if "channel" in body.model_fields_set:
            change_account_channel(rt, session, account, body.channel, actor=who)
        return AccountPublic.of(account, rt.settings.channel)


POLICY_REFUSED = error(422, "A policy value is invalid; the detail names the field")


@router.get("/{account_id}/policy", responses=NOT_FOUND, dependencies=READ)
def read_policy(rt: RuntimeDep, account_id: AccountId) -> SellingPolicyPublic:
    """The account's selling policy (neutral when it has none)."""
    with rt.db.read() as session:
        account = account_by_id(session, account_id)
        stored = load_policy(session, account.id)
        return SellingPolicyPublic.of(
            account.id, stored, policies.listings_due(session, account.id)
        )


@router.put("/{account_id}/policy", responses=NOT_FOUND | POLICY_REFUSED, dependencies=OPERATE)
def replace_policy(
    rt: RuntimeDep, account_id: AccountId, body: SellingPolicyBody, caller: ApiUser
) -> SellingPolicyPublic:
    """Replace the account's selling policy; the listings it affects are due for the
    next automatic sync. A body with every default clears the policy."""
    try:
        policy = SellingPolicy.from_values(body.values())
    except PolicyError as exc:
        detail = {"where": f"body.{exc.field}", "problem": exc.reason}
        raise ApiError(422, f"the request is not valid: {exc}", [detail]) from None
    with rt.db.transaction() as session:
        account = account_by_id(session, account_id)
        stored = policies.set_selling_policy(
            rt, session, account, policy, actor=caller.user.username
        )
        return SellingPolicyPublic.of(
            account.id, stored, policies.listings_due(session, account.id)
        )


@router.post("/{account_id}/test", responses=NOT_FOUND, dependencies=ADMINISTER)
def probe_account(rt: RuntimeDep, account_id: AccountId) -> ConnectionTest:
    """Ask Login with Amazon for a token and make one SP-API call (getFeeds)."""
    with rt.db.read() as session:
        account_by_id(session, account_id)
    ok, message = service.test_connection(rt, account_id)
    return ConnectionTest(ok=ok, message=message)


NO_SHOP = error(422, "No shop has that id")


@router.put("/{account_id}/shop", responses=NOT_FOUND | NO_SHOP, dependencies=ADMINISTER)
def link_shop(
    rt: RuntimeDep, account_id: AccountId, body: ShopLink, caller: ApiUser
) -> AccountPublic:
    """Link the account to a shop (its catalog comes from there, its Amazon orders go
    there), or with ``{"shop": null}`` to the manual shop (the CSV/API catalog)."""
    with rt.db.transaction() as session:
        account = account_by_id(session, account_id)
        shop = session.get(Shop, body.shop) if body.shop is not None else None
        if body.shop is not None and shop is None:
            raise ApiError(
                422,
                f"no shop {body.shop}: GET /api/v1/shops lists them",
                [{"where": "body.shop", "problem": "no shop has that id"}],
            )
        shops.link_account(rt, session, account, shop, actor=caller.user.username)
        return AccountPublic.of(account, rt.settings.channel)


STATE_CONFLICT = error(
    409, "The account's state does not allow it (e.g. resuming a disabled account)"
)


def _set_status(
    rt: RuntimeDep,
    account_id: int,
    action: AccountAction,
    caller: ApiUser,
    body: ActionReason | None,
) -> AccountPublic:
    with rt.db.read() as session:
        account_by_id(session, account_id)
    reason = body.reason if body else None
    account, _ = accounts.set_account_status(
        rt, account_id, action, actor=caller.user.username, reason=reason
    )
    return AccountPublic.of(account, rt.settings.channel)


@router.post("/{account_id}/pause", responses=NOT_FOUND | STATE_CONFLICT, dependencies=ADMINISTER)
def pause_account(
    rt: RuntimeDep, account_id: AccountId, caller: ApiUser, body: ActionReason | None = None
) -> AccountPublic:
    """Pause an active account: no job is made for it, and its queued jobs wait."""
    return _set_status(rt, account_id, AccountAction.PAUSE, caller, body)


@router.post("/{account_id}/resume", responses=NOT_FOUND | STATE_CONFLICT, dependencies=ADMINISTER)
def resume_account(
    rt: RuntimeDep, account_id: AccountId, caller: ApiUser, body: ActionReason | None = None
) -> AccountPublic:
    """Resume a paused account (after fixing its credentials, if Amazon refused them):
    its queued jobs run, and its refused logins count from 0 again."""
    return _set_status(rt, account_id, AccountAction.RESUME, caller, body)


@router.post("/{account_id}/disable", responses=NOT_FOUND | STATE_CONFLICT, dependencies=ADMINISTER)
def disable_account(
    rt: RuntimeDep, account_id: AccountId, caller: ApiUser, body: ActionReason | None = None
) -> AccountPublic:
    """Disable an active or paused account until an admin enables it again."""
    return _set_status(rt, account_id, AccountAction.DISABLE, caller, body)


@router.post("/{account_id}/enable", responses=NOT_FOUND | STATE_CONFLICT, dependencies=ADMINISTER)
def enable_account(
    rt: RuntimeDep, account_id: AccountId, caller: ApiUser, body: ActionReason | None = None
) -> AccountPublic:
    """Enable a disabled account: its queued jobs run."""
    return _set_status(rt, account_id, AccountAction.ENABLE, caller, body)


@router.delete("/{account_id}", responses=NOT_FOUND | STATE_CONFLICT, dependencies=ADMINISTER)
def delete_account(
    rt: RuntimeDep, account_id: AccountId, caller: ApiUser, body: ActionReason | None = None
) -> AccountDeleted:
    """Delete an account that has no open job (409 otherwise: cancel them, let them
    finish, or disable the account instead). Its secrets are erased; its jobs stay,
    under the name ``<name> (deleted #<id>)``, and its name is free for a new account."""
    with rt.db.read() as session:
        account_by_id(session, account_id)
    reason = body.reason if body else None
    name, account = accounts.delete_account(
        rt, account_id, actor=caller.user.username, reason=reason
    )
    return AccountDeleted(id=account.id, name=account.name, deleted_name=name)


def _name_free(session: Session, name: str) -> None:
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        raise ApiError(409, f"an account named {name!r} exists already: choose another name")
