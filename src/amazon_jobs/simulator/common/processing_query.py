"""The getFeeds and getReports query, and the newest-first page it selects.

Both operations take the same parameters; only the name of the type list
differs (``feedTypes`` or ``reportTypes``):

- the type list (1 to 10 values) or ``nextToken`` is required, and a
  ``nextToken`` must come alone;
- ``processingStatuses`` from the five statuses;
- ``marketplaceIds`` at most 10;
- ``pageSize`` 1 to 100 (default 10);
- ``createdSince`` (default 90 days ago) not after ``createdUntil`` (default now).

Pages run newest first. A ``nextToken`` carries the whole query and the
sequence number the next page starts below, so it only resumes a query of
the operation that issued it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.query import (
    Params,
    at_most,
    decode_token,
    encode_token,
    enum_values,
    last,
    page_size,
    time_param,
    values,
)
from amazon_jobs.simulator.common.timefmt import parse_time
from amazon_jobs.simulator.models import FeedStatus

__all__ = ["Entry", "ProcessingQuery", "newest_page", "processing_query"]

T = TypeVar("T")

_MAX_FILTER_VALUES = 10
_RETENTION = timedelta(days=90)
_STATUSES = tuple(sorted(status.value for status in FeedStatus))
_BAD_TOKEN = "The nextToken is invalid or has expired."


@dataclass(frozen=True, slots=True)
class Entry:
    """What the query looks at in one feed or report."""

    #: Creation order across the simulator.
    sequence: int
    created_at: datetime
    #: ``feedType`` or ``reportType``.
    type: str
    #: ``processingStatus`` now.
    status: str
    marketplace_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProcessingQuery:
    """The filters of a getFeeds or getReports call; *before* pages on sequence numbers."""

    #: The name of the type list: ``feedTypes`` or ``reportTypes``.
    types_name: str
    types: tuple[str, ...]
    processing_statuses: tuple[str, ...]
    marketplace_ids: tuple[str, ...]
    page_size: int
    created_since: datetime
    created_until: datetime
    before: int | None = None

    def admits(self, entry: Entry) -> bool:
        """Whether *entry* passes every filter and lies before the page start."""
        if self.before is not None and entry.sequence >= self.before:
            return False
        if not self.created_since <= entry.created_at <= self.created_until:
            return False
        if entry.type not in self.types:
            return False
        if self.processing_statuses and entry.status not in self.processing_statuses:
            return False
        wanted = set(self.marketplace_ids)
        return not wanted or bool(wanted & set(entry.marketplace_ids))


def processing_query(params: Params, now: datetime, types_name: str) -> ProcessingQuery:
    """The query in *params*, whose type list is called *types_name*."""
    names = {name for name, _ in params}
    if "nextToken" in names:
        if names != {"nextToken"}:
            raise invalid_input("nextToken must be the only parameter when it is given.")
        return _decode(last(params, "nextToken") or "", types_name)
    types = values(params, types_name)
    if not types:
        raise invalid_input(f"Either {types_name} or nextToken is required.")
    since = time_param(params, "createdSince") or now - _RETENTION
    until = time_param(params, "createdUntil") or now
    if since > until:
        raise invalid_input("createdSince must not be later than createdUntil.")
    return ProcessingQuery(
        types_name=types_name,
        types=tuple(at_most(types, types_name, _MAX_FILTER_VALUES)),
        processing_statuses=tuple(enum_values(params, "processingStatuses", _STATUSES)),
        marketplace_ids=tuple(
            at_most(values(params, "marketplaceIds"), "marketplaceIds", _MAX_FILTER_VALUES)
        ),
        page_size=page_size(params, default=10, maximum=100),
        created_since=since,
        created_until=until,
    )


def newest_page(
    records: Iterable[T], entry_of: Callable[[T], Entry], query: ProcessingQuery
) -> tuple[list[T], str | None]:
    """The page of *records* (newest first) that *query* selects, and the nextToken after it."""
    matches: list[T] = []
    for record in records:
        if query.admits(entry_of(record)):
            matches.append(record)
            if len(matches) > query.page_size:
                break
    page = matches[: query.page_size]
    if len(matches) <= query.page_size:
        return page, None
    return page, _encode(replace(query, before=entry_of(page[-1]).sequence))


def _encode(query: ProcessingQuery) -> str:
    return encode_token(
        {
            "of": query.types_name,
            "types": list(query.types),
            "statuses": list(query.processing_statuses),
            "marketplaces": list(query.marketplace_ids),
            "page_size": query.page_size,
            "since": query.created_since.isoformat(),
            "until": query.created_until.isoformat(),
            "before": query.before,
        }
    )


def _decode(token: str, types_name: str) -> ProcessingQuery:
    data = decode_token(token)
    if data is None or data.get("of") != types_name:
        raise invalid_input(_BAD_TOKEN)
    try:
        return ProcessingQuery(
            types_name=types_name,
            types=tuple(data["types"]),
            processing_statuses=tuple(data["statuses"]),
            marketplace_ids=tuple(data["marketplaces"]),
            page_size=int(data["page_size"]),
            created_since=parse_time(data["since"]),
            created_until=parse_time(data["until"]),
            before=None if data["before"] is None else int(data["before"]),
        )
    except (KeyError, TypeError, ValueError):
        raise invalid_input(_BAD_TOKEN) from None
