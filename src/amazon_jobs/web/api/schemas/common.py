"""Shapes shared by every resource: ids, safe strings, pages, the error body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "MAX_ID",
    "NO_NUL",
    "AccountRef",
    "ErrorBody",
    "ErrorResponse",
    "Id",
    "Input",
    "Skipped",
    "UtcDatetime",
    "error",
    "text",
]

#: The largest id a 64-bit column holds; larger numbers are refused, not looked up.
MAX_ID = 2**63 - 1
#: Text with no NUL character (PostgreSQL cannot store one).
NO_NUL = r"^[^\x00]*$"

Id = Annotated[int, Ge(1), Le(MAX_ID)]


def text(max_length: int, *, min_length: int = 1, description: str | None = None) -> Any:
    """A Field for a non-empty string of at most *max_length* characters, without NUL."""
    return Field(
        min_length=min_length, max_length=max_length, pattern=NO_NUL, description=description
    )


def _utc(value: datetime) -> datetime:
    """An aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date is out of range") from None


#: A date and time; without a UTC offset it is taken as UTC.
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]

#: An account, by name or by numeric id.
AccountRef = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)] | Id


class Input(BaseModel):
    """What a client sends: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Skipped(BaseModel):
    """A SKU (or order) that was left out, and why."""

    sku: str
    reason: str


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="e.g. not_found, invalid_input, unauthorized, conflict")
    message: str = Field(description="What went wrong and what to do about it")
    details: list[Any] = Field(description="Per-field or per-row problems, if any")


class ErrorResponse(BaseModel):
    """Every error of the API has this shape."""

    error: ErrorBody


def error(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """An error answer for a route's OpenAPI ``responses`` (combine them with ``|``)."""
    return {status: {"model": ErrorResponse, "description": description}}
