"""The Jinja2 environment shared by every page: autoescaped, with our helpers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from amazon_jobs.domain.jobs import USER_CANCELABLE, JobStatus, JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.domain.policy import trace

__all__ = ["describe", "duration", "rate_text", "relative", "templates"]

HERE = Path(__file__).parent

templates = Jinja2Templates(directory=HERE / "templates")

#: How the keys of an item's before/requested/sent/confirmed values are shown.
_KEY_LABELS = {
    "quantity": "qty",
    "confirmed_quantity": "qty",
    "price": "price",
    "confirmed_price": "price",
    "state": "state",
    "asin": "ASIN",
    "ean": "EAN",
    "carrier_code": "carrier",
    "tracking_number": "tracking",
    "ship_date": "shipped",
}
#: Bookkeeping that means nothing to a seller.
_HIDDEN_KEYS = frozenset({"updated_at", "warnings", "last_error", "locked_by_job_id"})


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def duration(seconds: float) -> str:
    """A span a person reads at a glance: "45 s", "4 min", "2 h 5 min", "3 days"."""
    s = round(abs(seconds))
    if s < 90:
        return f"{s} s"
    if s < 90 * 60:
        return f"{round(s / 60)} min"
    if s < 48 * 3600:
        hours, minutes = divmod(round(s / 60), 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{round(s / 86400)} days"


def relative(value: datetime | None, now: datetime) -> str:
    """ "in 4 min", "2 h ago" or "now"."""
    if value is None:
        return "—"
    seconds = (value - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    return f"in {duration(seconds)}" if seconds > 0 else f"{duration(seconds)} ago"


def rate_text(rate: float) -> str:
    """A restore rate as a seller reads it: "1 every 120 s", "2 per second"."""
    if rate <= 0:
        return "never"
    if rate >= 1:
        return f"{rate:g} per second"
    interval = 1 / rate
    if interval < 600:
        return f"1 every {interval:.0f} s"
    return f"1 every {duration(interval)}"


def describe(values: Mapping[str, Any] | None) -> str:
    """An item's values as one line: "qty 11 · price 9.99 · state active"."""
    if not values:
        return "—"
    parts, traced = trace(values)
    for key, value in values.items():
        if (
            key in traced
            or key in _HIDDEN_KEYS
            or value is None
            or value == ""
            or isinstance(value, dict | list)
        ):
            continue
        label = _KEY_LABELS.get(key, key.replace("_", " "))
        shown = value.replace("_", " ") if key == "state" and isinstance(value, str) else value
        parts.append(f"{label} {shown}")
    return " · ".join(parts) or "—"


def _money(value: Decimal | float | None, currency: str | None = None) -> str:
    if value is None:
        return "—"
    amount = f"{Decimal(value):,.2f}"
    return f"{amount} {currency}" if currency else amount


def _tokens(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


templates.env.globals.update(
    JobType=JobType,
    JobStatus=JobStatus,
    ListingState=ListingState,
    USER_CANCELABLE={s.value for s in USER_CANCELABLE},
    relative=relative,
)
templates.env.filters.update(
    when=_when,
    duration=duration,
    rate=rate_text,
    describe=describe,
    money=_money,
    tokens=_tokens,
)
