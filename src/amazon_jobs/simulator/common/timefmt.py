"""ISO 8601 timestamps the way the SP-API writes and reads them."""

from __future__ import annotations

from datetime import datetime

from amazon_jobs.clock import utc

__all__ = ["format_time", "parse_time"]


def format_time(value: datetime) -> str:
    """``2026-11-27T10:00:00.000Z``: UTC, milliseconds, a ``Z`` suffix."""
    value = utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """Read an ISO 8601 date-time; no offset means UTC. Raises ValueError."""
    return utc(datetime.fromisoformat(text.strip()))
