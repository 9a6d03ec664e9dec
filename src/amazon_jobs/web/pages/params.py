"""The pages' path, query and form parameters, bounded as the API's are.

An id past what a 64-bit column holds, a negative page end or a date no
calendar day follows is refused (422) or shown as a problem on the page,
never looked up and never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, Path, Query

from amazon_jobs.web.api.schemas.common import MAX_ID

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_ID",
    "Cursor",
    "FormId",
    "NextField",
    "PageId",
    "ReasonField",
    "as_id",
]

#: The dates a filter accepts: a day after the last one must still be a date.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)

PageId = Annotated[int, Path(ge=1, le=MAX_ID)]
Cursor = Annotated[int | None, Query(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
#: The page to go back to after a form (see ``common.safe_next``).
NextField = Annotated[str, Form(max_length=2000)]
#: Why a person acts (kept in the job's log and the actions); optional.
ReasonField = Annotated[str, Form(max_length=500)]


def as_id(text: str) -> int | None:
    """*text* as an id, if it is one (digits, 1..MAX_ID)."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
