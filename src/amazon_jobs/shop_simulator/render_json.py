"""Answers as PrestaShop's ``WebserviceOutputJSON`` writes them, quirks included.

The ``id`` is an int and every other value a string; a single entity shown
without ``display`` drops every falsy member (``""``, ``"0"``, empty lists) as
PHP's ``array_filter`` does; with ``display`` it comes back as a one-item list
under the plural key; an empty list is the bare ``[]``; one language gives a
plain string, several a list of ``{"id", "value"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from amazon_jobs.shop_simulator.schema import Resource
from amazon_jobs.shop_simulator.view import EntityView

__all__ = ["json_entity", "json_errors", "json_list", "json_single"]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_entity(view: EntityView) -> dict[str, Any]:
    """One entity as a JSON object."""
    entity: dict[str, Any] = {}
    for fld, value in view.fields:
        if fld is None:
            entity["id"] = view.id
        elif isinstance(value, dict):
            entity[fld.name] = (
                next(iter(value.values()), "")
                if len(value) == 1
                else [{"id": str(k), "value": v} for k, v in value.items()]
            )
        else:
            entity[fld.name] = value
    if view.associations is not None:
        entity["associations"] = {a.name: items for a, items in view.associations if items}
    return entity


def json_single(view: EntityView, displayed: bool) -> str:
    """A single entity: ``{"product":{…}}`` (falsy members dropped) or, with ``display``,
    ``{"products":[{…}]}``."""
    if displayed:
        return _dump({view.resource.name: [json_entity(view)]})
    kept = {k: v for k, v in json_entity(view).items() if v not in ("", "0", 0, None, [], {})}
    return _dump({view.resource.singular: kept})


def json_list(resource: Resource, ids: Sequence[int], views: Iterable[EntityView] | None) -> str:
    """A list: ``{"products":[{"id":1},…]}``, full entities when *views*, ``[]`` when empty."""
    if not ids:
        return "[]"
    items = [json_entity(v) for v in views] if views is not None else [{"id": i} for i in ids]
    return _dump({resource.name: items})


def json_errors(errors: Iterable[tuple[int, str]]) -> str:
    """``{"errors":[{"code":32,"message":"…"}]}``."""
    return _dump({"errors": [{"code": code, "message": message} for code, message in errors]})
