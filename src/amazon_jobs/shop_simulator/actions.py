"""Writes: POST, PUT/PATCH and DELETE of each resource, with what each class does on save.

Generic rules: ``date_add`` and ``date_upd`` are "now" on add, ``date_upd`` is "now"
on every update (``ObjectModel::add``/``update``). Per class: customers get a new
``secure_key`` and a hashed ``passwd``, and a used e-mail is 500 codes 140/141 + 46;
a new product or combination gets its stock row; a stock write sums the product
row and refuses rows that depend on stock (500/133); a cart's rows are replaced
without checks; orders and order histories go through :mod:`.orders`.
"""

from __future__ import annotations

import hashlib

from amazon_jobs.shop_simulator.body import PostedEntity
from amazon_jobs.shop_simulator.errors import WsError
from amazon_jobs.shop_simulator.orders import change_state, create_order
from amazon_jobs.shop_simulator.schema import Resource
from amazon_jobs.shop_simulator.state import ShopSimulator
from amazon_jobs.shop_simulator.stock import add_stock_row, stock_row, sum_product_row
from amazon_jobs.shop_simulator.store import Row
from amazon_jobs.shop_simulator.writes import Changes, entity_id, read_changes

__all__ = ["add_entity", "delete_entities", "update_entity"]

_EMAIL_USED = "The email is already used, please choose another one"
_SAVE_FAILED = (46, "Unable to save resource")


def add_entity(sim: ShopSimulator, resource: Resource, entity: PostedEntity) -> tuple[int, Row]:
    """POST one entity; the new id and the row the reply shows."""
    entity_id(entity, "POST")
    changes = read_changes(resource, entity, "POST", None)
    values = {k: v for k, v in changes.values.items() if v is not None}
    if resource.name == "orders":
        order_id = create_order(sim, values)
        return order_id, {**sim.store["orders"].rows[order_id], **values, "id": order_id}
    if resource.name == "order_histories":
        history = change_state(
            sim,
            int(values["id_order"]),
            int(values["id_order_state"]),
            int(values.get("id_employee") or 0),
        )
        return history, sim.store["order_histories"].rows[history]
    now = sim.now()
    for name in ("date_add", "date_upd"):
        if name in resource.by_name:
            values[name] = now
    _before_save(sim, resource, values, changes, None)
    _store_associations(values, changes)
    new_id = sim.store[resource.name].insert(values)
    _after_save(sim, resource, new_id, None)
    return new_id, sim.store[resource.name].rows[new_id]


def update_entity(sim: ShopSimulator, resource: Resource, entity: PostedEntity, method: str) -> int:
    """PUT or PATCH one entity (its id comes from the body); the id."""
    row_id = entity_id(entity, method)
    table = sim.store[resource.name]
    old = table.rows.get(row_id or 0)
    if old is None or row_id is None:
        raise WsError(404, (92, "Invalid ID"))
    changes = read_changes(resource, entity, method, old)
    if resource.name == "orders":
        _order_setters(sim, row_id, changes)
    if "date_upd" in resource.by_name:
        changes.values["date_upd"] = sim.now()
    _before_save(sim, resource, changes.values, changes, row_id)
    _store_associations(changes.values, changes)
    table.update(row_id, changes.values)
    _after_save(sim, resource, row_id, old)
    return row_id


def delete_entities(sim: ShopSimulator, resource: Resource, ids: list[int]) -> None:
    """DELETE every id of *ids* (404 code 87 when one does not exist)."""
    table = sim.store[resource.name]
    missing = [i for i in ids if i not in table.rows]
    if missing or not ids:
        raise WsError(404, (87, f"Id(s) not exists: {', '.join(map(str, missing or ids))}"))
    for row_id in ids:
        row = table.rows[row_id]
        table.delete(row_id)
        if resource.name == "products":
            _delete_product_rows(sim, row_id)
        elif resource.name == "combinations":
            product_id = int(table.value(row, "id_product"))
            stock = stock_row(sim.store, product_id, row_id)
            if stock is not None:
                sim.store["stock_availables"].delete(int(stock["id"]))
            sum_product_row(sim.store, product_id)


def _delete_product_rows(sim: ShopSimulator, product_id: int) -> None:
    for name in ("combinations", "stock_availables"):
        for row in sim.store[name].where("id_product", str(product_id)):
            sim.store[name].delete(int(row["id"]))


def _store_associations(values: Row, changes: Changes) -> None:
    for name, items in changes.associations.items():
        if name == "cart_rows":
            values["@cart_rows"] = items
        elif name not in ("stock_availables", "combinations", "order_rows"):
            values["@" + name] = [item.get("id", "0") if len(item) == 1 else item for item in items]


def _before_save(
    sim: ShopSimulator, resource: Resource, values: Row, changes: Changes, row_id: int | None
) -> None:
    if resource.name == "customers":
        _customer(sim, values, changes, row_id)
    elif resource.name == "carts":
        customer = sim.store["customers"].rows.get(int(values.get("id_customer") or 0))
        if customer is not None and not values.get("secure_key"):
            values["secure_key"] = sim.store["customers"].value(customer, "secure_key")
    elif resource.name == "stock_availables" and row_id is not None:
        old = sim.store["stock_availables"].rows[row_id]
        if sim.store["stock_availables"].value(old, "depends_on_stock") == "1":
            raise WsError(
                500, (133, "You cannot update the available stock when it depends on stock.")
            )
    elif resource.name == "products" and row_id is None and values.get("name"):
        names = values["name"]
        values.setdefault(
            "link_rewrite", {k: v.lower().replace(" ", "-") for k, v in names.items()}
        )


def _customer(sim: ShopSimulator, values: Row, changes: Changes, row_id: int | None) -> None:
    customers = sim.store["customers"]
    email = str(values.get("email") or "")
    if email and any(i != row_id for i in customers.lookup("email", email)):
        raise WsError(500, (140 if row_id is None else 141, _EMAIL_USED), _SAVE_FAILED)
    if "passwd" in changes.setters:
        digest = hashlib.sha256(changes.setters["passwd"].encode()).hexdigest()
        values["passwd"] = "$2y$10$" + digest[:53]
    if row_id is None:
        values["secure_key"] = sim.secure_key()
        values["last_passwd_gen"] = sim.now()
        for name in ("id_shop", "id_shop_group", "id_lang"):
            values[name] = values.get(name) or "1"
        if "groups" not in changes.associations:
            values["@groups"] = [values.get("id_default_group") or "0"]


def _after_save(sim: ShopSimulator, resource: Resource, row_id: int, old: Row | None) -> None:
    if resource.name == "products" and old is None:
        add_stock_row(sim.store, row_id, 0)
    elif resource.name == "combinations" and old is None:
        product_id = int(
            sim.store["combinations"].value(sim.store["combinations"].rows[row_id], "id_product")
        )
        add_stock_row(sim.store, product_id, row_id)
        add_stock_row(sim.store, product_id, 0)
        sum_product_row(sim.store, product_id)
    elif resource.name == "stock_availables":
        table = sim.store["stock_availables"]
        sum_product_row(sim.store, int(table.value(table.rows[row_id], "id_product")))


def _order_setters(sim: ShopSimulator, order_id: int, changes: Changes) -> None:
    orders = sim.store["orders"]
    state = changes.setters.get("current_state", "")
    if state.isdigit() and state != orders.value(orders.rows[order_id], "current_state"):
        change_state(sim, order_id, int(state))
    changes.values.pop("current_state", None)
    if "shipping_number" in changes.setters:
        carriers = sim.store["order_carriers"].where("id_order", str(order_id))
        if carriers:
            sim.store["order_carriers"].update(
                int(carriers[0]["id"]), {"tracking_number": changes.setters["shipping_number"]}
            )
