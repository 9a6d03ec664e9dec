"""Reading SP-API query strings: lists, page sizes, times, allowed values, page tokens.

The Feeds, Reports, Catalog Items and Orders parameters are all read here.
Parameters arrive as the request's ``(name, value)`` pairs, so a list may be
repeated (``a=1&a=2``) or comma-separated (``a=1,2``), and a single value
given twice counts once, the last time. Every reader raises
:class:`ApiError` 400 ``InvalidInput`` with a message that names the
parameter and says what to send; with ``echo=True`` the message also repeats
what was given, as the Orders APIs' messages do.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.timefmt import parse_time

__all__ = [
    "Params",
    "at_most",
    "decode_token",
    "encode_token",
    "enum_values",
    "last",
    "page_size",
    "time_param",
    "values",
]

Params = Sequence[tuple[str, str]]


def values(params: Params, name: str) -> list[str]:
    """Every value of *name*, split on commas, without empty parts."""
    return [part for key, value in params if key == name for part in value.split(",") if part]


def last(params: Params, name: str) -> str | None:
    """The last value given for *name*, if any."""
    found = [value for key, value in params if key == name]
    return found[-1] if found else None


def at_most(items: list[str], name: str, limit: int, *, echo: bool = False) -> list[str]:
    """*items*, or 400 if there are more than *limit*."""
    if len(items) > limit:
        given = f"; {len(items)} were given" if echo else ""
        raise invalid_input(f"{name} may hold at most {limit} values{given}.")
    return items


def enum_values(params: Params, name: str, allowed: Collection[str]) -> list[str]:
    """The values of *name*, each one of *allowed* (listed in that order when refused)."""
    found = values(params, name)
    unknown = [value for value in found if value not in allowed]
    if unknown:
        raise invalid_input(
            f"{name} has unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}."
        )
    return found


def page_size(
    params: Params, name: str = "pageSize", *, default: int, maximum: int, echo: bool = False
) -> int:
    """The page size *name*: an integer from 1 to *maximum*, *default* when absent."""
    raw = last(params, name)
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= maximum:
        raise invalid_input(f"{name} must be an integer from 1 to {maximum}{_given(raw, echo)}.")
    return size


def time_param(params: Params, name: str, *, echo: bool = False) -> datetime | None:
    """The ISO 8601 date-time *name*, or None when absent."""
    raw = last(params, name)
    if raw is None:
        return None
    try:
        return parse_time(raw)
    except ValueError:
        raise invalid_input(
            f"{name} must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z{_given(raw, echo)}."
        ) from None


def encode_token(data: Mapping[str, Any]) -> str:
    """An opaque page token holding *data* (JSON values only): URL-safe base64 of its JSON."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    """The data of a token made by :func:`encode_token`, or None if it is not one.

    The caller refuses a None with the wording of its own parameter.
    """
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _given(raw: str, echo: bool) -> str:
    return f"; got {raw!r}" if echo else ""
