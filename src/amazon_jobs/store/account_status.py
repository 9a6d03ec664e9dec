"""Account states in the store: refused logins counted, pausing, disabling, deleting.

The rules (which action from which state, the words) are in
:mod:`amazon_jobs.domain.account_status`; who did it is recorded by
:mod:`amazon_jobs.accounts`, the one way in for the CLI, the API and the dashboard.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.account_status import (
    ACCOUNT_ACTIONS,
    AccountAction,
    AccountStatus,
    auth_pause_reason,
    blocker,
    deleted_name,
    unavailable,
)
from amazon_jobs.domain.jobs import ACTIVE_STATUSES
from amazon_jobs.errors import AccountUnavailable
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Account, Job

__all__ = [
    "ERASED",
    "change_status",
    "check_usable",
    "delete_account",
    "login_accepted",
    "login_refused",
    "open_jobs",
]

#: What a deleted account's encrypted secrets are replaced with.
ERASED = ""


def login_accepted(db: Database, account_id: int) -> None:
    """Login with Amazon granted the account a token: its refused logins start again at 0.

    Called at every token exchange (about once an hour per account and worker
    process, and at each connection test), so it reads before it writes: an
    UPDATE would make each exchange a write transaction, which on SQLite waits
    for the one writer. Almost always there is nothing to reset.
    """
    with db.read() as session:
        failures = session.scalar(select(Account.auth_failures).where(Account.id == account_id))
    if failures:
        with db.transaction() as session:
            session.execute(
                update(Account)
                .where(Account.id == account_id, Account.auth_failures > 0)
                .values(auth_failures=0)
            )


def login_refused(
    session: Session, account_id: int, now: datetime, pause_after: int, refusal: str
) -> Account | None:
    """Count one refused login, in the transaction that fails the job; the account
    if this pauses it (the *pause_after*-th refusal in a row of an active account)."""
    account = session.get(Account, account_id, with_for_update=True, populate_existing=True)
    if account is None:
        return None
    account.auth_failures += 1
    if account.status != AccountStatus.ACTIVE or account.auth_failures < pause_after:
        return None
    account.status = AccountStatus.PAUSED.value
    account.status_reason = auth_pause_reason(account.auth_failures, refusal)
    account.status_changed_at = now
    return account


def check_usable(account: Account) -> None:
    """Refuse (:class:`AccountUnavailable`) a new job for an account that is not active."""
    status = AccountStatus(account.status)
    if status is not AccountStatus.ACTIVE:
        raise AccountUnavailable(
            unavailable(account.name, status, account.status_reason, account.auth_failures)
        )


def change_status(
    session: Session, account: Account, action: AccountAction, now: datetime, reason: str | None
) -> bool:
    """Pause, resume, disable or enable *account* (locked by the caller); False when it
    is in that state already. Back to active, its refused logins start again at 0."""
    status = AccountStatus(account.status)
    refused = blocker(action, account.name, status)
    if refused is not None:
        raise AccountUnavailable(refused)
    _, target = ACCOUNT_ACTIONS[action]
    if status is target:
        return False
    account.status = target.value
    account.status_reason = reason if target is not AccountStatus.ACTIVE else None
    account.status_changed_at = now
    if target is AccountStatus.ACTIVE:
        account.auth_failures = 0
    session.flush()
    return True


def open_jobs(session: Session, account_id: int) -> int:
    """How many of the account's jobs are not finished."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.account_id == account_id, Job.status.in_([s.value for s in ACTIVE_STATUSES]))
        )
        or 0
    )


def delete_account(session: Session, account: Account, now: datetime, reason: str) -> str:
    """Delete *account* (locked by the caller), once none of its jobs is open.

    The row stays, so its jobs keep their account and its name; the name becomes
    ``<name> (deleted #<id>)``, which frees the old one for a new account, and the
    encrypted secrets are erased. Returns the old name.
    """
    refused = blocker(AccountAction.DELETE, account.name, AccountStatus(account.status))
    if refused is not None:
        raise AccountUnavailable(refused)
    count = open_jobs(session, account.id)
    if count:
        jobs = f"{count} open job{'s' if count != 1 else ''}"
        raise AccountUnavailable(
            f"account {account.name} cannot be deleted yet: cancel or let finish its {jobs} "
            "first, or disable it"
        )
    name = account.name
    account.name = deleted_name(name, account.id)
    account.status = AccountStatus.DELETED.value
    account.status_reason = reason
    account.status_changed_at = now
    account.auth_failures = 0
    account.lwa_client_secret_enc = account.refresh_token_enc = ERASED
    session.flush()
    return name
