"""Adding and changing Amazon accounts: the rules every entry point goes through.

The API, the dashboard and the CLI all add and change accounts here, so each
gets the same two protections of the secrets that are write-only:

- an account's SP-API endpoint or LWA token URL changes only together with its
  client secret and refresh token, entered again in the same request
  (:class:`~amazon_jobs.errors.CredentialsRequired`): otherwise anyone who may
  edit an account could have the stored secrets sent to a host of their choice;
- a URL that is not Amazon's own (see :mod:`amazon_jobs.domain.endpoints`) is
  refused unless the server allows custom endpoints
  (:class:`~amazon_jobs.errors.EndpointNotAllowed`).

Both are checked before anything is written, in the caller's transaction.

Pausing, resuming, disabling, enabling and deleting an account go through here
too (:func:`set_account_status`, :func:`delete_account`), each recorded as the
person's action in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy.orm import Session

from amazon_jobs.domain.account_status import (
    ACCOUNT_ACTIONS,
    AccountAction,
    AccountStatus,
    manual_reason,
)
from amazon_jobs.domain.endpoints import is_amazon_endpoint, is_amazon_token_url, same_url
from amazon_jobs.errors import AmazonJobsError, CredentialsRequired, EndpointNotAllowed
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import account_status
from amazon_jobs.store import accounts as store
from amazon_jobs.store.actions import clean_reason, cli_actor, record_action
from amazon_jobs.store.models import Account

__all__ = [
    "add_account",
    "check_endpoints",
    "delete_account",
    "set_account_status",
    "update_account",
]

ENDPOINT, TOKEN_URL = "SP-API endpoint", "LWA token URL"
REPOINT_NEEDS_SECRETS = (
    "changing the SP-API endpoint or the LWA token URL needs the LWA client secret and the "
    "refresh token again, in the same request: the stored ones are never sent to a new address"
)


def add_account(
    rt: Runtime,
    session: Session,
    spec: store.AccountSpec,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Account:
    """Add an account (its secrets encrypted), if its URLs are allowed here.

    Who did it (*actor*; ``cli:<OS user>`` when None) and why go into the actions.
    """
    check_endpoints(rt, spec.endpoint, spec.lwa_token_url)
    account = store.add_account(session, spec, rt.cipher, rt.clock.now())
    detail = f"added account {account.name}"
    _record(rt, session, "account_add", detail, account.id, actor, reason)
    return account


def _record(
    rt: Runtime,
    session: Session,
    action: str,
    detail: str,
    account_id: int,
    actor: str | None,
    reason: str | None,
) -> None:
    now = rt.clock.now()
    who = actor or cli_actor()
    record_action(session, now, who, action, detail, account_id=account_id, reason=reason)


def update_account(
    rt: Runtime,
    session: Session,
    account: Account,
    changes: store.AccountChanges,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Account:
    """Apply *changes*; a new endpoint or token URL needs both secrets in *changes*."""
    endpoint = _changed(changes.endpoint, account.endpoint)
    token_url = _changed(changes.lwa_token_url, account.lwa_token_url)
    if (endpoint or token_url) and not (changes.lwa_client_secret and changes.refresh_token):
        raise CredentialsRequired(REPOINT_NEEDS_SECRETS)
    check_endpoints(rt, endpoint, token_url)
    changed = _changed_fields(account, changes)
    updated = store.update_account(session, account, changes, rt.cipher)
    detail = f"changed account {updated.name}: {', '.join(changed) or 'nothing'}"
    _record(rt, session, "account_change", detail, updated.id, actor, reason)
    return updated


def _changed_fields(account: Account, changes: store.AccountChanges) -> list[str]:
    """The names of what *changes* really changes, never a value (secrets among them)."""
    names = []
    for field in fields(changes):
        new = getattr(changes, field.name)
        if new is not None and (not isinstance(new, str) or new != getattr(account, field.name)):
            names.append(field.name)
    return names


def check_endpoints(rt: Runtime, endpoint: str | None, token_url: str | None) -> None:
    """Refuse a URL that is not Amazon's, unless the server allows custom endpoints."""
    if rt.settings.allow_custom_endpoints:
        return
    if endpoint is not None and not is_amazon_endpoint(endpoint):
        raise EndpointNotAllowed(ENDPOINT, endpoint)
    if token_url is not None and not is_amazon_token_url(token_url):
        raise EndpointNotAllowed(TOKEN_URL, token_url)


def _changed(new: str | None, old: str) -> str | None:
    return new if new is not None and not same_url(new, old) else None


def set_account_status(
    rt: Runtime,
    account_id: int,
    action: AccountAction,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> tuple[Account, bool]:
    """Pause, resume, disable or enable the account (not delete: :func:`delete_account`).

    Returns the account and whether it changed (False: it was in that state already,
    and nothing is recorded). Refused (:class:`~amazon_jobs.errors.AccountUnavailable`)
    where the state does not allow it, e.g. resuming a disabled account.
    """
    if action is AccountAction.DELETE:
        raise ValueError("delete an account with delete_account")
    who, why, now = actor or cli_actor(), clean_reason(reason), rt.clock.now()
    _, target = ACCOUNT_ACTIONS[action]
    with rt.db.transaction() as session:
        account = _locked(session, account_id)
        said = manual_reason(target, who, why) if target is not AccountStatus.ACTIVE else None
        changed = account_status.change_status(session, account, action, now, said)
        if changed:
            detail = f"{action.past} account {account.name}"
            _record(rt, session, f"account_{action}", detail, account.id, who, why)
        return account, changed


def delete_account(
    rt: Runtime, account_id: int, *, actor: str | None = None, reason: str | None = None
) -> tuple[str, Account]:
    """Delete the account, once it has no open job; its jobs stay, under its new name.

    Returns its old name and the account as it is now (``<name> (deleted #<id>)``).
    """
    who, why, now = actor or cli_actor(), clean_reason(reason), rt.clock.now()
    with rt.db.transaction() as session:
        account = _locked(session, account_id)
        said = manual_reason(AccountStatus.DELETED, who, why)
        name = account_status.delete_account(session, account, now, said)
        detail = f"deleted account {name}: its jobs are kept, under {account.name}"
        _record(rt, session, "account_delete", detail, account.id, who, why)
        return name, account


def _locked(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id, with_for_update=True, populate_existing=True)
    if account is None or account.status == AccountStatus.DELETED:
        raise AmazonJobsError(f"no account with id {account_id} (any more)")
    return account
