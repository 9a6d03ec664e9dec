"""An account's channel as people set it, and a job's channel as people read it.

The CLI, the REST API and the dashboard all change an account's channel here
(``auto``, ``feed`` or ``listings-api``, see :mod:`amazon_jobs.domain.channels`;
or ``default``, stored as NULL: the installation's ``channel`` setting), so each
refuses the same values with the same words and records the change in the
Activity log (action ``account_channel``) in the same transaction as the
change. A setting left as it was records nothing.

They also all say which way a listings job went, and why, from what the worker
and :func:`amazon_jobs.service.create_listings_job` keep in ``job.data``
(:func:`job_channel`): ``channel`` once the worker chose, ``channel_forced``
when the job was forced, ``channel_estimate`` the numbers the choice was made
from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.domain.channels import (
    CHANNEL_CHOICES,
    FORCED,
    SETTING,
    Channel,
    ChannelEstimate,
    duration,
)
from amazon_jobs.errors import AmazonJobsError, ConfigError
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.actions import cli_actor, record_action
from amazon_jobs.store.models import Account

__all__ = [
    "DEFAULT",
    "SETTING_CHOICES",
    "ChannelChange",
    "JobChannel",
    "account_setting",
    "change_account_channel",
    "effective_channel",
    "job_channel",
    "parse_setting",
    "set_account_channel",
    "setting_label",
    "setting_name",
]

#: The word for "no channel of its own: the installation's ``channel`` setting".
DEFAULT = "default"
#: What a person may set an account to (CLI, dashboard; the API says null for default).
SETTING_CHOICES = (*CHANNEL_CHOICES, DEFAULT)
#: The action recorded for a changed channel.
ACTION = "account_channel"
#: How the other channel is named beside the chosen one ("... vs feed about 5.0 min").
_SHORT = {Channel.FEED: "feed", Channel.API: "Listings Items API"}


def parse_setting(value: str | Channel | None) -> Channel | None:
    """The setting *value* names: a :class:`Channel`, or None for ``default`` (the
    installation's). Anything else is a :class:`~amazon_jobs.errors.ConfigError`
    naming the choices."""
    if value is None or isinstance(value, Channel):
        return value
    text = str(value).strip().lower()
    if text == DEFAULT:
        return None
    if text not in CHANNEL_CHOICES:
        choices = ", ".join(SETTING_CHOICES)
        raise ConfigError(f"unknown channel {str(value)[:40]!r}: choose one of {choices}")
    return Channel(text)


def account_setting(account: Account) -> Channel | None:
    """The account's own setting; None: the installation's (NULL, or a value unknown
    here, written by hand)."""
    value = account.channel
    return Channel(value) if value in CHANNEL_CHOICES else None


def effective_channel(account: Account, default: Channel) -> Channel:
    """The setting the worker goes by for *account*: its own, else *default* (the
    installation's ``channel`` setting)."""
    return account_setting(account) or default


def setting_name(setting: Channel | None) -> str:
    """``auto``, ``feed``, ``listings-api`` or ``default``: as a person types it."""
    return setting.value if setting is not None else DEFAULT


def setting_label(setting: Channel | None, default: Channel) -> str:
    """The setting in words: ``Listings Items API``, or ``installation setting: auto
    (the faster, per job)`` for an account without its own."""
    return setting.label if setting is not None else f"installation setting: {default.label}"


@dataclass(frozen=True, slots=True)
class ChannelChange:
    """An account's setting before and after a change (the same when nothing changed);
    None: the installation's."""

    account: Account
    before: Channel | None
    after: Channel | None

    @property
    def changed(self) -> bool:
        return self.before is not self.after


def set_account_channel(
    rt: Runtime,
    account: str | int,
    channel: Channel | str | None,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> ChannelChange:
    """Set the channel of *account* (its name or id) in a transaction of its own; None
    or ``default``: back to the installation's setting.

    Refused with an :class:`~amazon_jobs.errors.AmazonJobsError` for an unknown
    (or deleted) account and a :class:`~amazon_jobs.errors.ConfigError` for an
    unknown channel, before anything is written.
    """
    wanted = parse_setting(channel)
    with rt.db.transaction() as session:
        found = _locked(session, find_account(session, account).id)
        return change_account_channel(rt, session, found, wanted, actor=actor, reason=reason)


def change_account_channel(
    rt: Runtime,
    session: Session,
    account: Account,
    channel: Channel | str | None,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> ChannelChange:
    """Set *account*'s channel in the caller's transaction (an edit form or a PATCH that
    changes other fields too), recorded as *actor*'s action if it changed."""
    wanted = parse_setting(channel)
    before = account_setting(account)
    if before is not wanted:
        account.channel = wanted.value if wanted is not None else None
        detail = (
            f"set the channel of account {account.name} to {setting_name(wanted)} "
            f"(was {setting_name(before)})"
        )
        now, who = rt.clock.now(), actor or cli_actor()
        record_action(session, now, who, ACTION, detail, account_id=account.id, reason=reason)
    return ChannelChange(account, before, wanted)


def _locked(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id, with_for_update=True, populate_existing=True)
    if account is None or account.status == AccountStatus.DELETED:
        raise AmazonJobsError(f"no account with id {account_id} (any more)")
    return account


@dataclass(frozen=True, slots=True)
class JobChannel:
    """Which way a listings job goes to Amazon, and why, as its page and ``jobs show``
    say it: ``Listings Items API (chosen: about 2 s vs feed about 5.0 min)``."""

    #: The channel the worker chose; None until it did (a forced job says its channel).
    chosen: Channel | None
    #: The channel the job was forced through, if it was.
    forced: Channel | None
    #: The numbers the choice was made from, once it was made.
    estimate: ChannelEstimate | None
    #: Why the worker went that way (``FORCED``, ``SETTING``, ``FASTER``), once it chose.
    why: str | None = None

    @property
    def channel(self) -> Channel:
        """The channel the job goes through (or will, when forced)."""
        return self.chosen or self.forced or Channel.AUTO

    @property
    def label(self) -> str:
        return self.channel.label

    @property
    def note(self) -> str:
        """Why this channel: forced, the faster by the estimate, or the account's setting
        (as the worker recorded it; older jobs: inferred from the estimate)."""
        if self.forced is not None or self.why == FORCED:
            return "forced"
        if self.chosen is None or self.estimate is None:
            return ""
        other = Channel.FEED if self.chosen is Channel.API else Channel.API
        seconds = {Channel.API: self.estimate.api_s, Channel.FEED: self.estimate.feed_s}
        setting = self.why == SETTING or (
            self.why is None and self.estimate.faster is not self.chosen
        )
        why = "account setting" if setting else "chosen"
        return (
            f"{why}: about {duration(seconds[self.chosen])} "
            f"vs {_SHORT[other]} about {duration(seconds[other])}"
        )

    def describe(self) -> str:
        return f"{self.label} ({self.note})" if self.note else self.label


def job_channel(data: dict[str, Any] | None) -> JobChannel | None:
    """The channel *data* (a job's ``data``) records; None where it records none (a job
    that is not a listings job, or one the worker has not looked at yet, unforced)."""
    data = data or {}
    chosen = _channel(data.get("channel"))
    forced = _channel(data.get("channel_forced"))
    if forced is Channel.AUTO:
        forced = None
    if chosen is Channel.AUTO:
        chosen = None
    if chosen is None and forced is None:
        return None
    why = data.get("channel_why")
    return JobChannel(
        chosen,
        forced,
        _estimate(data.get("channel_estimate")),
        why if isinstance(why, str) else None,
    )


def _channel(value: object) -> Channel | None:
    return Channel(value) if isinstance(value, str) and value in CHANNEL_CHOICES else None


def _estimate(value: object) -> ChannelEstimate | None:
    """The estimate as the worker stored it (``ChannelEstimate.as_data``); None if absent
    or not of that shape."""
    if not isinstance(value, dict):
        return None
    try:
        return ChannelEstimate(int(value["items"]), float(value["feed_s"]), float(value["api_s"]))
    except (KeyError, TypeError, ValueError):
        return None
