"""The stuck-feed watchdog: flag what Amazon has not finished far past its guidance.

A job in ``waiting_for_result`` whose feed or report Amazon accepted more
than ``stuck_after_s`` ago (8 hours by default) gets ``stuck_at`` and one
warning in its log. Polling goes on; the flag only makes the wait visible.
A job a worker is stepping right now is skipped and flagged on a later pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import append_log
from amazon_jobs.store.models import Job

__all__ = ["flag_stuck_jobs", "format_duration", "stuck_message"]

BATCH = 1000


def format_duration(seconds: float) -> str:
    """``8 hours``, ``90 minutes``, ``1 hour``: how a seller reads a wait."""
    if seconds >= 3600:
        value, unit = seconds / 3600, "hour"
    elif seconds >= 60:
        value, unit = seconds / 60, "minute"
    else:
        value, unit = seconds, "second"
    return f"{value:.4g} {unit}" + ("" if value == 1 else "s")


def stuck_message(job_type: str, amazon_ref: str | None, stuck_after_s: float) -> str:
    noun = "report" if job_type == JobType.INVENTORY_REPORT else "feed"
    after = format_duration(stuck_after_s)
    text = (
        f"Amazon has not finished {noun} {amazon_ref} after {after} (its guidance): still polling"
    )
    if noun == "feed":
        text += "; further feeds of this account wait until it finishes"
    return text + "."


def flag_stuck_jobs(rt: Runtime, now: datetime) -> list[int]:
    """Flag and log every job waiting past ``stuck_after_s``; returns their ids."""
    stuck_after_s = rt.settings.stuck_after_s
    cutoff = now - timedelta(seconds=stuck_after_s)
    with rt.db.transaction() as session:
        rows = session.execute(
            select(Job.id, Job.type, Job.amazon_ref)
            .where(
                Job.status == JobStatus.WAITING_FOR_RESULT.value,
                Job.submitted_at < cutoff,
                Job.stuck_at.is_(None),
            )
            .order_by(Job.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        session.execute(
            update(Job)
            .where(Job.id.in_([row.id for row in rows]))
            .values(stuck_at=now)
            .execution_options(synchronize_session=False)
        )
        for row in rows:
            message = stuck_message(row.type, row.amazon_ref, stuck_after_s)
            append_log(session, row.id, now, message, level="warning")
    return [row.id for row in rows]
