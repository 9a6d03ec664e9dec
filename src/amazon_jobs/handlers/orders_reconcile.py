"""Missed orders: the daily reconciliation an Orders Import job runs in ``reconcile`` mode.

The regular import follows ``LastUpdateDate`` from the last imported point. An
order can still slip past it: Amazon lists it late with an older update time,
imports were cut off by a fault, or it was lost here. Once a day (setting
``orders_reconcile_every_s``) the scheduler creates an Orders Import job whose
data says ``mode: reconcile``. It pages through every order Amazon lists as
*created* in the last ``orders_reconcile_days`` days (3 by default: each day is
looked at three times), by ``createdAfter`` / ``CreatedAfter`` so an order's
later updates cannot move it out of the window. Every order listed is stored
as the regular import would (never duplicated, never rolled back); those that
were not here are the gaps: they become the job's items and its log names
them ("Reconciliation: 2 orders Amazon lists were missing here: …; imported").
The reconciliation never moves the account's imported-until point.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from amazon_jobs.store.models import Job

__all__ = [
    "RECONCILE",
    "is_reconcile",
    "reconcile_data",
    "reconcile_summary",
    "reconciled_page",
]

#: ``job.data["mode"]`` of a reconciliation.
RECONCILE = "reconcile"
#: Most missing order ids one log line names (the job's items list them all).
_NAMED = 20


def is_reconcile(job: Job) -> bool:
    """Whether *job* is an Orders Import in reconcile mode."""
    return job.data.get("mode") == RECONCILE


def reconcile_data(now: datetime, days: float) -> dict[str, object]:
    """The data of a new reconciliation: its mode and its window's start."""
    since = (now - timedelta(days=days)).replace(microsecond=0)
    return {"mode": RECONCILE, "since": since.isoformat()}


def reconciled_page(job: Job, listed: int, missing: Sequence[str]) -> dict[str, object]:
    """The job's counters after a page of *listed* orders, *missing* of them new here."""
    return {
        "listed": int(job.data.get("listed", 0)) + listed,
        "missing": [*(job.data.get("missing") or []), *missing] or None,
    }


def reconcile_summary(job: Job) -> str:
    """The log line that tells what the reconciliation found."""
    missing: list[str] = list(job.data.get("missing") or [])
    listed = int(job.data.get("listed", 0))
    since = job.data.get("since", "?")
    if not missing:
        return (
            f"Reconciliation: all {listed} order(s) Amazon lists as created since {since} "
            "were here already; nothing missing"
        )
    named = ", ".join(missing[:_NAMED])
    more = f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
    return (
        f"Reconciliation: {len(missing)} order(s) Amazon lists were missing here: "
        f"{named}{more}; imported"
    )
