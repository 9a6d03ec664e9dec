"""The ``<associations>`` of an entity, read from the rows that hold them.

Some live in other tables (a product's combinations and stock rows, an order's
rows from ``order_details``); the rest are kept in the entity's row under
``"@<name>"`` (a product's categories, a customer's groups, a cart's rows).
"""

from __future__ import annotations

from amazon_jobs.shop_simulator.schema import Association, Resource
from amazon_jobs.shop_simulator.store import Row, Store

__all__ = ["association_items"]

Item = dict[str, str]

_ORDER_ROW = {
    "product_id": "product_id",
    "product_attribute_id": "product_attribute_id",
    "product_quantity": "product_quantity",
    "product_name": "product_name",
    "product_reference": "product_reference",
    "product_ean13": "product_ean13",
    "product_isbn": "product_isbn",
    "product_upc": "product_upc",
    "product_price": "product_price",
    "id_customization": "id_customization",
    "unit_price_tax_incl": "unit_price_tax_incl",
    "unit_price_tax_excl": "unit_price_tax_excl",
}


def association_items(
    store: Store, resource: Resource, row: Row, association: Association
) -> list[Item]:
    """The items of *association* of *row*, every value as text."""
    key = (resource.name, association.name)
    row_id = str(row["id"])
    if key == ("products", "combinations"):
        ids = sorted(store["combinations"].lookup("id_product", row_id))
        return [{"id": str(i)} for i in ids]
    if key == ("products", "stock_availables"):
        stock = store["stock_availables"]
        return [
            {"id": str(r["id"]), "id_product_attribute": stock.value(r, "id_product_attribute")}
            for r in stock.where("id_product", row_id)
        ]
    if key == ("orders", "order_rows"):
        details = store["order_details"]
        return [
            {"id": str(r["id"]), **{k: details.value(r, v) for k, v in _ORDER_ROW.items()}}
            for r in details.where("id_order", row_id)
        ]
    stored = row.get("@" + association.name, [])
    return [_item(association, entry) for entry in stored]


def _item(association: Association, entry: object) -> Item:
    if isinstance(entry, dict):
        return {name: str(entry.get(name, "0")) for name in association.fields}
    return {"id": str(entry)}
