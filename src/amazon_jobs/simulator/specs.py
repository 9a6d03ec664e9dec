"""Reading and checking Feeds API request bodies and query strings.

Each function returns a typed spec or raises :class:`ApiError` 400
``InvalidInput`` with a message that says what to fix.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from amazon_jobs.simulator.errors import invalid_input
from amazon_jobs.simulator.models import FeedStatus
from amazon_jobs.simulator.timefmt import parse_time

__all__ = [
    "FeedQuery",
    "FeedSpec",
    "decode_token",
    "document_spec",
    "encode_token",
    "feed_query",
    "feed_spec",
]

_UNPARSEABLE = "Request has missing or invalid parameters and cannot be parsed."
_MAX_MARKETPLACES = 25
_MAX_FILTER_VALUES = 10
_MAX_PAGE_SIZE = 100
_DEFAULT_PAGE_SIZE = 10
_RETENTION = timedelta(days=90)
_STATUSES = frozenset(status.value for status in FeedStatus)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A valid ``CreateFeedSpecification``."""

    feed_type: str
    marketplace_ids: tuple[str, ...]
    input_feed_document_id: str
    feed_options: dict[str, str]


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """The filters of a getFeeds call; *before* pages on feed sequence numbers."""

    feed_types: tuple[str, ...]
    processing_statuses: tuple[str, ...]
    marketplace_ids: tuple[str, ...]
    page_size: int
    created_since: datetime
    created_until: datetime
    before: int | None = None


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid_input(_UNPARSEABLE, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid_input(_UNPARSEABLE, "The body must be a JSON object.")
    return data


def document_spec(body: bytes) -> str:
    """The ``contentType`` of a ``CreateFeedDocumentSpecification``."""
    content_type = json_object(body).get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input("contentType is required and must be a non-empty string.")
    return content_type


def feed_spec(body: bytes) -> FeedSpec:
    """A ``CreateFeedSpecification``."""
    data = json_object(body)
    return FeedSpec(
        feed_type=_required_string(data, "feedType"),
        marketplace_ids=_marketplace_ids(data.get("marketplaceIds")),
        input_feed_document_id=_required_string(data, "inputFeedDocumentId"),
        feed_options=_feed_options(data.get("feedOptions")),
    )


def _required_string(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_input(f"{name} is required and must be a non-empty string.")
    return value


def _marketplace_ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= _MAX_MARKETPLACES:
        raise invalid_input(
            f"marketplaceIds is required and must hold 1 to {_MAX_MARKETPLACES} marketplace ids."
        )
    if not all(isinstance(item, str) and item for item in value):
        raise invalid_input("marketplaceIds must hold non-empty strings.")
    return tuple(value)


def _feed_options(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid_input("feedOptions must be an object whose values are strings.")
    return dict(value)


def feed_query(params: Sequence[tuple[str, str]], now: datetime) -> FeedQuery:
    """The getFeeds query from its query parameters (repeated or comma-separated lists)."""
    names = {name for name, _ in params}
    if "nextToken" in names:
        if names != {"nextToken"}:
            raise invalid_input("nextToken must be the only parameter when it is given.")
        return decode_token(_values(params, "nextToken")[0])
    feed_types = _values(params, "feedTypes")
    if not feed_types:
        raise invalid_input("Either feedTypes or nextToken is required.")
    since, until = _window(params, now)
    return FeedQuery(
        feed_types=_at_most(feed_types, "feedTypes"),
        processing_statuses=_statuses(_values(params, "processingStatuses")),
        marketplace_ids=_at_most(_values(params, "marketplaceIds"), "marketplaceIds"),
        page_size=_page_size(params),
        created_since=since,
        created_until=until,
    )


def _values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [part for key, value in params if key == name for part in value.split(",") if part]


def _at_most(values: list[str], name: str) -> tuple[str, ...]:
    if len(values) > _MAX_FILTER_VALUES:
        raise invalid_input(f"{name} may hold at most {_MAX_FILTER_VALUES} values.")
    return tuple(values)


def _statuses(values: list[str]) -> tuple[str, ...]:
    unknown = [value for value in values if value not in _STATUSES]
    if unknown:
        raise invalid_input(
            f"processingStatuses has unknown value(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(_STATUSES))}."
        )
    return tuple(values)


def _page_size(params: Sequence[tuple[str, str]]) -> int:
    values = [value for key, value in params if key == "pageSize"]
    if not values:
        return _DEFAULT_PAGE_SIZE
    try:
        size = int(values[-1])
    except ValueError:
        size = 0
    if not 1 <= size <= _MAX_PAGE_SIZE:
        raise invalid_input(f"pageSize must be an integer from 1 to {_MAX_PAGE_SIZE}.")
    return size


def _window(params: Sequence[tuple[str, str]], now: datetime) -> tuple[datetime, datetime]:
    since = _time(params, "createdSince") or now - _RETENTION
    until = _time(params, "createdUntil") or now
    if since > until:
        raise invalid_input("createdSince must not be later than createdUntil.")
    return since, until


def _time(params: Sequence[tuple[str, str]], name: str) -> datetime | None:
    values = [value for key, value in params if key == name]
    if not values:
        return None
    try:
        return parse_time(values[-1])
    except ValueError:
        raise invalid_input(
            f"{name} must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z."
        ) from None


def encode_token(query: FeedQuery) -> str:
    """An opaque nextToken that resumes *query*."""
    data = asdict(query)
    data["created_since"] = query.created_since.isoformat()
    data["created_until"] = query.created_until.isoformat()
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> FeedQuery:
    """The query a nextToken resumes; 400 if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        data["created_since"] = parse_time(data["created_since"])
        data["created_until"] = parse_time(data["created_until"])
        for name in ("feed_types", "processing_statuses", "marketplace_ids"):
            data[name] = tuple(data[name])
        return FeedQuery(**data)
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise invalid_input("The nextToken is invalid or has expired.") from None
