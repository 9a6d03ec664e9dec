"""An account's state: whether its jobs run, and what a person can do about it.

| state | new jobs | queued jobs | how it gets there | way back |
| --- | --- | --- | --- | --- |
| ``active`` | made | run | added; resumed; enabled | |
| ``paused`` | refused | wait | ``auth_failures_before_pause`` refused logins in a row | resume |
| ``disabled`` | refused | wait | an admin | enable |
| ``deleted`` | refused | none left | an admin, once it has no open job | none |

A paused account is the worker protecting the seller: credentials Amazon keeps
refusing would otherwise fail every job made for the account (12 Error jobs in
15 minutes). Disabling is a person's choice, and deleting keeps the account's
jobs as history under a name that frees the old one for a new account.
"""

from __future__ import annotations

import re
import shlex
from enum import StrEnum

__all__ = [
    "ACCOUNT_ACTIONS",
    "AccountAction",
    "AccountStatus",
    "auth_pause_reason",
    "blocker",
    "deleted_name",
    "is_deleted_name",
    "manual_reason",
    "paused_line",
    "unavailable",
]

#: The longest account name (the column's length).
MAX_NAME = 100
#: The longest piece of Amazon's refusal kept in a reason.
MAX_REFUSAL = 200


class AccountStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"
    DELETED = "deleted"


class AccountAction(StrEnum):
    """What a person can do to an account's state."""

    PAUSE = "pause"
    RESUME = "resume"
    DISABLE = "disable"
    ENABLE = "enable"
    DELETE = "delete"

    @property
    def past(self) -> str:
        return {"pause": "paused", "resume": "resumed", "disable": "disabled"}.get(
            self.value, f"{self.value}d"
        )


#: Each action: the states it starts from, and the state it leaves the account in.
ACCOUNT_ACTIONS: dict[AccountAction, tuple[frozenset[AccountStatus], AccountStatus]] = {
    AccountAction.PAUSE: (frozenset({AccountStatus.ACTIVE}), AccountStatus.PAUSED),
    AccountAction.RESUME: (frozenset({AccountStatus.PAUSED}), AccountStatus.ACTIVE),
    AccountAction.DISABLE: (
        frozenset({AccountStatus.ACTIVE, AccountStatus.PAUSED}),
        AccountStatus.DISABLED,
    ),
    AccountAction.ENABLE: (frozenset({AccountStatus.DISABLED}), AccountStatus.ACTIVE),
    AccountAction.DELETE: (
        frozenset({AccountStatus.ACTIVE, AccountStatus.PAUSED, AccountStatus.DISABLED}),
        AccountStatus.DELETED,
    ),
}

#: What a person does about an account in each state other than active.
_WAY_BACK = {
    AccountStatus.DISABLED: "an admin can enable it",
    AccountStatus.DELETED: "add it again if it is needed",
}


def blocker(action: AccountAction, name: str, status: AccountStatus) -> str | None:
    """Why *action* cannot be done to account *name* in *status*; None when it can.

    An action whose result is the state the account is in already is no blocker:
    doing it changes nothing, and the caller says so."""
    sources, target = ACCOUNT_ACTIONS[action]
    if status in sources or status is target:
        return None
    if status is AccountStatus.DELETED:
        return f"account {name} is deleted: nothing can be done to it any more"
    if action is AccountAction.RESUME:
        return f"account {name} is {status}, not paused: enable it instead"
    if action is AccountAction.ENABLE:
        return f"account {name} is {status}, not disabled: resume it instead"
    return f"account {name} is {status}: it runs no job as it is (enable it first)"


def auth_pause_reason(failures: int, refusal: str) -> str:
    """The reason of an account the worker paused after *failures* refused logins."""
    said = " ".join(refusal.split())[:MAX_REFUSAL]
    return f"paused after {failures} refused logins in a row (Amazon: {said})"


def paused_line(name: str, failures: int) -> str:
    """The failing job's log line when its refused login paused the account."""
    return (
        f"Account {name} paused after {failures} refused logins in a row: its jobs wait and "
        "no new one is made until it is resumed. Fix its LWA credentials, then resume it "
        f"(Accounts page, or `amazon-jobs accounts resume {shlex.quote(name)}`)"
    )


def manual_reason(status: AccountStatus, actor: str, reason: str | None) -> str:
    """The reason of an account a person paused or disabled."""
    return f"{status} by {actor}" + (f": {reason}" if reason else "")


def unavailable(name: str, status: AccountStatus, reason: str | None, auth_failures: int) -> str:
    """Why no job can be created for account *name* now, and what to do.

    A paused account whose logins were refused needs its credentials fixed first;
    once a login works again (a connection test, say), resuming is enough."""
    said = reason or str(status)
    if status is AccountStatus.PAUSED:
        todo = "fix its credentials and resume it" if auth_failures > 0 else "resume it"
    else:
        todo = _WAY_BACK.get(status, "")
    return f"account {name} is {said}" + (f": {todo}" if todo else "")


_DELETED = re.compile(r" \(deleted #\d+\)$")


def deleted_name(name: str, account_id: int) -> str:
    """The name a deleted account keeps, its jobs under it: unique by its id, and no
    longer its old name, which a new account may then take."""
    suffix = f" (deleted #{account_id})"
    return name[: MAX_NAME - len(suffix)] + suffix


def is_deleted_name(name: str) -> bool:
    """Whether *name* is of the form kept for deleted accounts (not free to take)."""
    return _DELETED.search(name) is not None
