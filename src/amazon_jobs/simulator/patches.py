"""What a schema-valid message does to a seller's listings in this slice.

Supported: ``PATCH`` with op ``replace`` or ``merge`` on
``/attributes/fulfillment_availability`` whose value is
``[{"fulfillment_channel_code": "DEFAULT", "quantity": N}]``; it sets the
listing's quantity. ``merge`` may leave the quantity out (nothing changes);
``replace`` may not. Anything else is refused with an issue, never ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amazon_jobs.simulator.issues import INVALID_VALUE, SKU_NOT_FOUND, UNSUPPORTED, Issue
from amazon_jobs.simulator.messages import integer
from amazon_jobs.simulator.models import SimListing

__all__ = ["QUANTITY_ATTRIBUTE", "QUANTITY_PATH", "Change", "change_of"]

QUANTITY_ATTRIBUTE = "fulfillment_availability"
QUANTITY_PATH = f"/attributes/{QUANTITY_ATTRIBUTE}"
_SUPPORTED_OPS = ("replace", "merge")
_ATTRIBUTES_PREFIX = "/attributes/"


@dataclass(frozen=True, slots=True)
class Change:
    """The effect of one accepted message: the new quantity, or None for no change."""

    quantity: int | None


class _Refused(Exception):
    def __init__(self, code: str, message: str, attribute: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.attribute = code, message, attribute


def change_of(
    message: dict[str, Any], message_id: int, listings: Mapping[str, SimListing]
) -> Change | Issue:
    """The change a schema-valid *message* makes, or the issue that refuses it."""
    sku: str = message["sku"]
    try:
        return Change(_quantity_of(message, sku, listings))
    except _Refused as refused:
        return Issue(
            refused.code,
            refused.message,
            message_id=message_id,
            sku=sku,
            attribute_name=refused.attribute,
        )


def _quantity_of(
    message: dict[str, Any], sku: str, listings: Mapping[str, SimListing]
) -> int | None:
    operation = message["operationType"]
    if operation != "PATCH":
        raise _Refused(UNSUPPORTED, f"operationType '{operation}' is not supported yet: use PATCH.")
    if sku not in listings:
        raise _Refused(SKU_NOT_FOUND, f"The SKU '{sku}' does not exist for this selling partner.")
    quantity = None
    for patch in message["patches"]:
        quantity = _patched_quantity(patch, quantity)
    return quantity


def _patched_quantity(patch: dict[str, Any], current: int | None) -> int | None:
    path: str = patch["path"]
    if path != QUANTITY_PATH:
        attribute = path.removeprefix(_ATTRIBUTES_PREFIX)
        raise _Refused(UNSUPPORTED, f"The path '{path}' is not supported yet.", attribute)
    op = patch["op"]
    if op not in _SUPPORTED_OPS:
        raise _Refused(
            UNSUPPORTED, f"The op '{op}' is not supported on '{path}'.", QUANTITY_ATTRIBUTE
        )
    quantity = _entry_quantity(patch.get("value"), required=op == "replace")
    return current if quantity is None else quantity


def _entry_quantity(value: Any, *, required: bool) -> int | None:
    if not isinstance(value, list) or len(value) != 1:
        raise _Refused(
            INVALID_VALUE,
            f"'{QUANTITY_ATTRIBUTE}' needs exactly one value.",
            QUANTITY_ATTRIBUTE,
        )
    entry: dict[str, Any] = value[0]
    channel = entry.get("fulfillment_channel_code")
    if channel != "DEFAULT":
        raise _Refused(
            UNSUPPORTED,
            f"Only the DEFAULT fulfillment channel is supported, not '{channel}'.",
            QUANTITY_ATTRIBUTE,
        )
    if "quantity" not in entry and not required:
        return None
    return _valid_quantity(entry.get("quantity"))


def _valid_quantity(raw: Any) -> int:
    quantity = integer(raw) if not isinstance(raw, float) else None
    if quantity is None or quantity < 0:
        raise _Refused(
            INVALID_VALUE,
            f"The value '{raw}' for '{QUANTITY_ATTRIBUTE}.quantity' is invalid: "
            "it must be an integer of 0 or more.",
            QUANTITY_ATTRIBUTE,
        )
    return quantity
