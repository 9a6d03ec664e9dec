"""Turning a posted entity into column values, as ``saveEntityFromXml`` and ObjectModel do.

POST and PUT need every required field (400/41) and set every field not sent to
its empty value (PUT is a full replacement); PATCH changes only what is sent. A
read-only field sent is 400/93; ``<id>`` is forbidden on POST (400/91) and needed
on PUT/PATCH (400/90). Values then pass PrestaShop's validators: 400/85 (84 for a
multilang field) with ``Validation error: "Property Class->field is not valid"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amazon_jobs.shop_simulator.body import PostedEntity
from amazon_jobs.shop_simulator.errors import WsError
from amazon_jobs.shop_simulator.schema import Field, Resource
from amazon_jobs.shop_simulator.store import Row
from amazon_jobs.shop_simulator.validate import is_valid

__all__ = ["Changes", "entity_id", "read_changes"]

#: Computed fields whose setter a write calls (``setWsCurrentState``, ``setWsShippingNumber``).
SETTERS = {("orders", "current_state"), ("orders", "shipping_number"), ("customers", "passwd")}


@dataclass(slots=True)
class Changes:
    """What a write sets: column values, association items, setter calls."""

    values: Row = field(default_factory=dict)
    associations: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    setters: dict[str, str] = field(default_factory=dict)


def entity_id(entity: PostedEntity, method: str) -> int | None:
    """The entity's ``<id>``: forbidden on POST, needed on PUT/PATCH."""
    raw = entity.values.get("id")
    if method == "POST":
        if raw not in (None, ""):
            raise WsError(400, (91, "id is forbidden when adding a new resource"))
        return None
    if raw is None or not raw.strip().isdigit():
        raise WsError(400, (90, "id is required when modifying a resource"))
    return int(raw)


def read_changes(resource: Resource, entity: PostedEntity, method: str, old: Row | None) -> Changes:
    """The changes *entity* asks for on *resource* (``old`` is the row a PUT/PATCH changes)."""
    changes = Changes()
    for fld in resource.fields:
        sent = fld.name in entity.values or fld.name in entity.lang_values
        if sent and fld.read_only:
            raise WsError(
                400,
                (
                    93,
                    f'parameter "{fld.name}" not writable. '
                    "Please remove this attribute of this XML",
                ),
            )
        if not sent:
            if fld.required and method != "PATCH":
                raise WsError(400, (41, f'parameter "{fld.name}" required'))
            if method != "PATCH" and not fld.computed and not fld.is_date:
                changes.values[fld.name] = None
            continue
        if (resource.name, fld.name) in SETTERS:
            changes.setters[fld.name] = entity.values.get(fld.name, "")
            if fld.computed:
                continue
        if fld.lang:
            merged = dict((old or {}).get(fld.name) or {})
            if fld.name in entity.lang_values:
                merged.update(entity.lang_values[fld.name])
            else:
                merged = {1: entity.values[fld.name]}
            changes.values[fld.name] = merged
        elif not fld.computed:
            changes.values[fld.name] = entity.values[fld.name].strip()
    _validate(resource, changes.values)
    for name, items in entity.associations.items():
        if resource.association(name) is None:
            raise WsError(400, (86, f'The association "{name}" does not exists'))
        changes.associations[name] = items
    changes.values = {k: _normalize(resource.by_name[k], v) for k, v in changes.values.items()}
    return changes


def _validate(resource: Resource, values: Row) -> None:
    for name, value in values.items():
        fld = resource.by_name[name]
        texts = list(value.values()) if isinstance(value, dict) else [value]
        for text in texts:
            problem = _problem(fld, text)
            if problem:
                code = 84 if fld.lang else 85
                raise WsError(
                    400, (code, f'Validation error: "{problem.format(resource.class_name)}"')
                )


def _problem(fld: Field, text: Any) -> str | None:
    if text is None or text == "":
        return "Property {}->" + fld.name + " is empty." if fld.required else None
    if fld.max_size and len(str(text)) > fld.max_size:
        return "The field {}->" + f"{fld.name} is too long ({fld.max_size} chars max)."
    if not is_valid(fld.validator, str(text)):
        return "Property {}->" + fld.name + " is not valid"
    return None


def _normalize(fld: Field, value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    text = str(value)
    try:
        if fld.kind == "float":
            return f"{float(text or 0):.6f}"
        if fld.kind in ("int", "bool"):
            return (
                str(int(float(text or 0)))
                if text not in ("true", "false")
                else str(int(text == "true"))
            )
    except ValueError:
        return text
    return text
