"""What an answer shows of an entity, before it is written as XML or JSON.

:func:`entity_view` applies ``display`` (all fields, or the ones asked, always in
the resource's order) and reads computed fields (``shipping_number`` of an order,
``quantity`` of a product, always 0 over the webservice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from amazon_jobs.shop_simulator.associations import Item, association_items
from amazon_jobs.shop_simulator.query import Display
from amazon_jobs.shop_simulator.schema import Association, Field, Resource
from amazon_jobs.shop_simulator.store import Row, Store
from amazon_jobs.shop_simulator.virtual_prices import Virtual

__all__ = ["EntityView", "entity_view"]

Value = str | dict[int, str]


@dataclass(frozen=True, slots=True)
class EntityView:
    """One entity's shown fields and associations."""

    resource: Resource
    id: int
    fields: list[tuple[Field | None, Value]]
    associations: list[tuple[Association, list[Item]]] | None


def entity_view(
    store: Store,
    resource: Resource,
    row: Row,
    display: Display,
    languages: list[int],
    virtual: Sequence[Virtual] = (),
) -> EntityView:
    """The view of *row* for *display* (``Display(full=True)`` for a single entity);
    *virtual* fields (``price[…]``) come after the resource's own."""
    table = store[resource.name]
    wanted = None if display.full else set(display.fields)
    shown: list[tuple[Field | None, Value]] = []
    if wanted is None or "id" in wanted:
        shown.append((None, str(row["id"])))
    for fld in resource.fields:
        if wanted is not None and fld.name not in wanted:
            continue
        if fld.lang:
            stored = row.get(fld.name) or {}
            shown.append((fld, {lang: str(stored.get(lang, "")) for lang in languages}))
        else:
            shown.append((fld, _computed(store, resource, row, fld) or table.value(row, fld.name)))
    for fld, read in virtual:
        if wanted is None or fld.name in wanted:
            shown.append((fld, read(row)))
    associations = None
    if resource.associations and (display.full or display.associations):
        associations = []
        for assoc in resource.associations:
            if not display.full and assoc.name not in display.associations:
                continue
            items = association_items(store, resource, row, assoc)
            subset = () if display.full else display.associations[assoc.name]
            if subset:
                items = [{k: v for k, v in item.items() if k in subset} for item in items]
            associations.append((assoc, items))
    return EntityView(resource, int(row["id"]), shown, associations)


def _computed(store: Store, resource: Resource, row: Row, fld: Field) -> str | None:
    if (resource.name, fld.name) == ("orders", "shipping_number"):
        carriers = store["order_carriers"].where("id_order", str(row["id"]))
        return store["order_carriers"].value(carriers[0], "tracking_number") if carriers else ""
    if resource.name == "products" and fld.name in ("type", "quantity"):
        return "simple" if fld.name == "type" else "0"
    if (resource.name, fld.name) == ("products", "id_default_combination"):
        return str(row.get("cache_default_attribute", "0"))
    return None
