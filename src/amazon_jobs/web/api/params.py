"""Query and path parameters shared by the resources, and keyset page ends."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Annotated, Any

from fastapi import Path, Query

from amazon_jobs.web.api.schemas.common import MAX_ID, NO_NUL

__all__ = [
    "AccountQuery",
    "AfterId",
    "BeforeId",
    "JobId",
    "Limit",
    "Search",
    "cursor",
]

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
BeforeId = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="Only rows with a smaller id (the next_before_id)"),
]
AfterId = Annotated[
    int | None,
    Query(ge=0, le=MAX_ID, description="Only rows with a larger id (the next_after_id)"),
]
AccountQuery = Annotated[
    str,
    Query(min_length=1, max_length=100, pattern=NO_NUL, description="Account name or id"),
]
Search = Annotated[str | None, Query(min_length=1, max_length=200, pattern=NO_NUL)]
JobId = Annotated[int, Path(ge=1, le=MAX_ID, description="The job id")]


def cursor(
    rows: Sequence[Any], limit: int, id_of: Callable[[Any], int] = attrgetter("id")
) -> int | None:
    """The id to continue from, for *rows* fetched with ``limit + 1``; None on the last page.

    Fetching one row more than a page tells whether there is a next page, without counting.
    """
    return int(id_of(rows[limit - 1])) if len(rows) > limit else None
