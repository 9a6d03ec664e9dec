"""List options: ``display``, ``filter[…]``, ``sort``, ``limit`` and ``date``, with their errors.

Parsing follows ``WebserviceRequest::setFieldsToDisplay`` and ``manageFilters``
(error codes 32 to 39); :func:`select` runs a query over a table, using an index for
equality filters on indexed fields and on ``id`` so big catalogs stay fast.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from amazon_jobs.shop_simulator.errors import WsError
from amazon_jobs.shop_simulator.filters import Filter, parse_filter
from amazon_jobs.shop_simulator.schema import Resource
from amazon_jobs.shop_simulator.store import Row, Table

__all__ = ["Display", "Query", "parse_display", "parse_query", "select"]


@dataclass(frozen=True, slots=True)
class Display:
    """What to show of each entity: every field, or some fields and association fields."""

    full: bool
    fields: tuple[str, ...] = ()
    #: Association name → the item fields to show (empty: all of them).
    associations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed list request."""

    display: Display | None
    filters: tuple[Filter, ...]
    sort: tuple[tuple[str, bool], ...]
    limit: tuple[int, int] | None


def _available(resource: Resource) -> str:
    return ", ".join(["id", *(f.name for f in resource.fields)])


def parse_display(
    resource: Resource, raw: str | None, extra: Collection[str] = ()
) -> Display | None:
    """The ``display`` option (None when absent); 400/35 or 400/36 when wrong.

    *extra* names computed fields that may be shown too (``price[…]`` ones)."""
    if raw is None:
        return None
    if raw == "full":
        return Display(full=True)
    if not (raw.startswith("[") and raw.endswith("]")) or len(raw) < 3:
        raise WsError(
            400,
            (
                36,
                "The 'display' syntax is wrong. You can set 'full' or "
                f"'[field_1,field_2,field_3,...]'. These are available: {_available(resource)}",
            ),
        )
    fields: list[str] = []
    associations: dict[str, tuple[str, ...]] = {}
    for part in _split_top(raw[1:-1]):
        name, _, rest = part.partition("[")
        association = resource.association(name)
        if association is not None:
            subfields = tuple(s for s in rest.rstrip("]").split(",") if s)
            associations[name] = subfields
        elif name == "id" or name in resource.by_name or name in extra:
            fields.append(name)
        else:
            raise WsError(
                400,
                (
                    35,
                    f'Unable to display this field "{name}". However, these are available: '
                    f"{_available(resource)}",
                ),
            )
    return Display(full=False, fields=tuple(fields), associations=associations)


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse_query(
    resource: Resource, params: Sequence[tuple[str, str]], extra: Collection[str] = ()
) -> Query:
    """Every list option of *params*, checked as PrestaShop checks them."""
    options = dict(params)
    dates = options.get("date") == "1"
    filters = tuple(
        _filter(resource, key[7:-1], value, dates)
        for key, value in params
        if key.startswith("filter[") and key.endswith("]")
    )
    return Query(
        display=parse_display(resource, options.get("display"), extra),
        filters=filters,
        sort=_sort(resource, options.get("sort"), dates),
        limit=_limit(options.get("limit")),
    )


def _filter(resource: Resource, name: str, raw: str, dates: bool) -> Filter:
    found = resource.by_name.get(name)
    if name != "id" and (found is None or (found.is_date and not dates)):
        raise WsError(
            400,
            (
                32,
                f'Unable to filter by this field "{name}". However, these are available: '
                f"{_available(resource)}",
            ),
        )
    if found is not None and found.computed:
        raise WsError(
            400,
            (
                34,
                f'The field "{name}" is dynamic. '
                "It is not possible to filter GET query with this field.",
            ),
        )
    if raw == "":
        raise WsError(400, (33, f'The filter "{name}" is malformed.'))
    return parse_filter(name, raw)


def _sort(resource: Resource, raw: str | None, dates: bool) -> tuple[tuple[str, bool], ...]:
    if raw is None:
        return ()
    keys = []
    for part in raw.strip("[]").split(","):
        name, _, direction = part.rpartition("_")
        if not name or direction.upper() not in ("ASC", "DESC"):
            raise WsError(
                400,
                (
                    37,
                    'The "sort" value has to be formed as this example: "field_ASC" or '
                    "'[field_1_DESC,field_2_ASC,field_3_ASC,...]' (\"field\" has to be an "
                    "available field)",
                ),
            )
        found = resource.by_name.get(name)
        if name != "id" and (
            found is None or found.computed or found.lang or (found.is_date and not dates)
        ):
            raise WsError(
                400,
                (
                    38,
                    f'Unable to sort by this field "{name}". However, these are available: '
                    f"{_available(resource)}",
                ),
            )
        keys.append((name, direction.upper() == "DESC"))
    return tuple(keys)


def _limit(raw: str | None) -> tuple[int, int] | None:
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) > 2:
        raise WsError(
            400, (39, 'The "limit" value has to be formed as this example: "5,25" or "10"')
        )
    numbers = [int(p.strip()) if p.strip().isdigit() else 0 for p in parts]
    return (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])


def _text(table: Table, row: Row, name: str) -> list[str]:
    value = row.get(name)
    if isinstance(value, dict):
        return [str(v) for v in value.values()] or [""]
    return [str(row["id"]) if name == "id" else table.value(row, name)]


def select(table: Table, query: Query) -> list[Row]:
    """The rows of *table* that *query* asks for, sorted and cut."""
    rows = _candidates(table, query.filters)
    for flt in query.filters:
        rows = [r for r in rows if any(flt.matches(t) for t in _text(table, r, flt.field))]
    for name, descending in reversed(query.sort):
        rows.sort(key=lambda r, n=name: _sort_key(table, r, n), reverse=descending)  # type: ignore[misc]
    if query.limit is not None:
        offset, count = query.limit
        rows = rows[offset : offset + count]
    return rows


def _candidates(table: Table, filters: Sequence[Filter]) -> list[Row]:
    for flt in filters:
        if flt.equals is None:
            continue
        if flt.field == "id":
            ids = {int(v) for v in flt.equals if v.strip().isdigit()}
            return [table.rows[i] for i in sorted(ids) if i in table.rows]
        if table.indexed(flt.field):
            ids = set().union(*(table.lookup(flt.field, v) for v in flt.equals))
            return [table.rows[i] for i in sorted(ids)]
    return list(table.rows.values())


def _sort_key(table: Table, row: Row, name: str) -> tuple[float, str]:
    if name == "id":
        return (float(row["id"]), "")
    text = table.value(row, name)
    if table.resource.by_name[name].kind in ("int", "float", "bool"):
        try:
            return (float(text), "")
        except ValueError:
            return (0.0, text.lower())
    return (0.0, text.lower())
