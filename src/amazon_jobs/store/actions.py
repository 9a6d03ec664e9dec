"""Who did what: the actions people take, and the same line in the job's log.

Every entry point (dashboard, REST API, CLI) goes through :mod:`amazon_jobs.service`,
which records here; a job's log shows ``By <actor>: <what> (reason: ...)``.
"""

from __future__ import annotations

import getpass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Action

__all__ = [
    "MAX_REASON",
    "SCHEDULER",
    "clean_reason",
    "cli_actor",
    "recent_actions",
    "record_action",
]

#: The actor of what the scheduler does on its own: not a person, so not recorded.
SCHEDULER = "scheduler"
#: The longest reason kept; longer ones are cut.
MAX_REASON = 500


def cli_actor() -> str:
    """The command line's actor: ``cli:<OS user>``, or ``cli`` when there is none."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (containers)
        return "cli"
    return f"cli:{user}"[:100] if user else "cli"


def clean_reason(reason: str | None) -> str | None:
    """A reason on one line, cut to :data:`MAX_REASON`; None when empty."""
    text = " ".join((reason or "").split())
    return text[:MAX_REASON] or None


def record_action(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    detail: str,
    *,
    job_id: int | None = None,
    account_id: int | None = None,
    reason: str | None = None,
) -> Action:
    """Keep one action; an action on a job is also written to that job's log."""
    reason = clean_reason(reason)
    row = Action(
        at=now,
        actor=actor[:100],
        action=action,
        job_id=job_id,
        account_id=account_id,
        detail=detail,
        reason=reason,
    )
    session.add(row)
    if job_id is not None:
        line = f"By {row.actor}: {detail}" + (f" (reason: {reason})" if reason else "")
        append_log(session, job_id, now, line)
    session.flush()
    return row


def recent_actions(session: Session, *, limit: int, before: int | None = None) -> list[Action]:
    """Actions newest first, keyset-paginated by id."""
    query = select(Action)
    if before is not None:
        query = query.where(Action.id < before)
    return list(session.scalars(query.order_by(Action.id.desc()).limit(limit)))
