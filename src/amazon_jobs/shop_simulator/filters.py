"""``filter[field]=…`` values as PrestaShop's ``WebserviceRequest::manageFilters`` reads them.

========================  ==========================================
``[v]`` or ``v``          equal (case-insensitive, as MySQL collations)
``[a|b|c]``               equal to any
``[a,b]``                 BETWEEN a AND b, both ends inclusive, when both sides are
                          made of digits, ``.``, ``:``, ``-`` and spaces
``[v]%`` ``%[v]`` ``%[v]%``  LIKE ``v%`` / ``%v`` / ``%v%``
``>[v]`` ``<[v]``         strictly greater / lower
``![v]`` ``![a|b]``       different from each
========================  ==========================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Filter", "parse_filter"]

_RANGE_SIDE = re.compile(r"[0-9.:\- ]+")
Match = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Filter:
    """One field's filter: a test of its text, and the exact values it may equal."""

    field: str
    matches: Match
    #: Values an equality filter accepts (for an index lookup); None for other operators.
    equals: tuple[str, ...] | None


def parse_filter(field: str, raw: str) -> Filter:
    """The filter *raw* on *field* (an empty *raw* is the caller's 400/33)."""
    if raw.startswith("!["):
        excluded = _inner(raw[1:]).lower().split("|")
        return Filter(field, lambda text: text.lower() not in excluded, None)
    if raw[:1] in "><" and raw[1:2] == "[":
        return Filter(field, _compare(raw[0], _inner(raw[1:])), None)
    if raw.startswith("%[") or (raw.startswith("[") and raw.endswith("]%")):
        return Filter(field, _like(raw), None)
    inner = _inner(raw)
    if "|" in inner and not inner.startswith("|"):
        values = tuple(inner.split("|"))
        lowered = {v.lower() for v in values}
        return Filter(field, lambda text: text.lower() in lowered, values)
    if "," in inner:
        low, _, high = inner.partition(",")
        if _RANGE_SIDE.fullmatch(low) and _RANGE_SIDE.fullmatch(high):
            return Filter(field, _between(low.strip(), high.strip()), None)
    lowered_value = inner.lower()
    return Filter(field, lambda text: text.lower() == lowered_value, (inner,))


def _inner(raw: str) -> str:
    if raw.startswith("[") and raw.endswith("]"):
        return raw[1:-1]
    return raw


def _like(raw: str) -> Match:
    starts, ends = raw.startswith("%"), raw.endswith("%")
    needle = raw.strip("%")[1:-1].lower()
    if starts and ends:
        return lambda text: needle in text.lower()
    if starts:
        return lambda text: text.lower().endswith(needle)
    return lambda text: text.lower().startswith(needle)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _between(low: str, high: str) -> Match:
    low_n, high_n = _number(low), _number(high)
    if low_n is not None and high_n is not None:
        first, last = sorted((low_n, high_n))

        def numeric(text: str) -> bool:
            value = _number(text)
            return value is not None and first <= value <= last

        return numeric
    first_t, last_t = sorted((low.lower(), high.lower()))
    return lambda text: first_t <= text.lower() <= last_t


def _compare(operator: str, bound: str) -> Match:
    limit = _number(bound)
    if limit is not None:
        number = limit

        def numeric(text: str) -> bool:
            value = _number(text)
            if value is None:
                return False
            return value > number if operator == ">" else value < number

        return numeric
    lowered = bound.lower()
    if operator == ">":
        return lambda text: text.lower() > lowered
    return lambda text: text.lower() < lowered
