"""``stock_availables`` arithmetic: one row per (product, combination), the product row
(combination 0) of a product with combinations being the sum of its combination rows
(``StockAvailable::synchronize`` / ``updateQuantity``)."""

from __future__ import annotations

from amazon_jobs.shop_simulator.store import Row, Store

__all__ = ["add_stock_row", "adjust_quantity", "stock_row", "sum_product_row"]


def stock_row(store: Store, product_id: int, attribute_id: int) -> Row | None:
    """The stock row of (*product_id*, *attribute_id*), if there is one."""
    table = store["stock_availables"]
    for row in table.where("id_product", str(product_id)):
        if table.value(row, "id_product_attribute") == str(attribute_id):
            return row
    return None


def add_stock_row(store: Store, product_id: int, attribute_id: int) -> None:
    """Create the (empty) stock row of a new product or combination."""
    if stock_row(store, product_id, attribute_id) is None:
        store["stock_availables"].insert(
            {
                "id_product": str(product_id),
                "id_product_attribute": str(attribute_id),
                "id_shop": "1",
                "quantity": "0",
                "out_of_stock": "2",
            }
        )


def sum_product_row(store: Store, product_id: int) -> None:
    """Set the product row to the sum of its combination rows (when it has combinations)."""
    table = store["stock_availables"]
    rows = table.where("id_product", str(product_id))
    combos = [r for r in rows if table.value(r, "id_product_attribute") != "0"]
    total_row = next((r for r in rows if table.value(r, "id_product_attribute") == "0"), None)
    if combos and total_row is not None:
        total = sum(int(table.value(r, "quantity")) for r in combos)
        table.update(int(total_row["id"]), {"quantity": str(total)})


def adjust_quantity(store: Store, product_id: int, attribute_id: int, delta: int) -> int | None:
    """Add *delta* to the available quantity; return the new quantity (None: no row)."""
    row = stock_row(store, product_id, attribute_id)
    if row is None:
        return None
    table = store["stock_availables"]
    quantity = int(table.value(row, "quantity")) + delta
    table.update(int(row["id"]), {"quantity": str(quantity)})
    if attribute_id:
        sum_product_row(store, product_id)
    return quantity
