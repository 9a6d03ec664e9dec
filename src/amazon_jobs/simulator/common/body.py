"""Reading SP-API JSON request bodies: the object and the fields several operations share.

Every reader raises :class:`ApiError` 400 ``InvalidInput`` with a message that
says what to fix.
"""

from __future__ import annotations

import json
from typing import Any

from amazon_jobs.simulator.common.errors import invalid_input

__all__ = ["json_object", "marketplace_ids", "required_string", "string_map"]

_UNPARSEABLE = "Request has missing or invalid parameters and cannot be parsed."
_MAX_MARKETPLACES = 25


def json_object(body: bytes, kind: str = "JSON") -> dict[str, Any]:
    """The body as a JSON object; *kind* names the object expected in the refusal."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid_input(_UNPARSEABLE, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid_input(_UNPARSEABLE, f"The body must be a {kind} object.")
    return data


def required_string(data: dict[str, Any], name: str) -> str:
    """The field *name*: a non-empty string."""
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_input(f"{name} is required and must be a non-empty string.")
    return value


def marketplace_ids(value: Any) -> tuple[str, ...]:
    """A ``marketplaceIds`` field: 1 to 25 non-empty strings."""
    if not isinstance(value, list) or not 1 <= len(value) <= _MAX_MARKETPLACES:
        raise invalid_input(
            f"marketplaceIds is required and must hold 1 to {_MAX_MARKETPLACES} marketplace ids."
        )
    if not all(isinstance(item, str) and item for item in value):
        raise invalid_input("marketplaceIds must hold non-empty strings.")
    return tuple(value)


def string_map(value: Any, name: str) -> dict[str, str]:
    """An optional object of strings such as ``feedOptions``; empty when absent."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid_input(f"{name} must be an object whose values are strings.")
    return dict(value)
