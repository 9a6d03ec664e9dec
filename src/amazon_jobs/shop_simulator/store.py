"""The shop's tables in memory: rows by id, in id order, with value indexes.

A row is a sparse dict: only the values that differ from the column default are
kept (so 100,000 combinations stay small); :meth:`Table.value` fills the rest.
Multilang values are ``{language id: text}`` dicts; association data that lives
in the row (cart rows, a product's categories, a customer's groups) is kept
under ``"@<association>"`` keys. Indexed fields (lower-cased values → ids) make
``filter[reference]=[X]`` or ``filter[id_order]=[7]`` a dict lookup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from amazon_jobs.shop_simulator.resources import RESOURCES
from amazon_jobs.shop_simulator.schema import Resource

__all__ = ["INDEXED", "Row", "Store", "Table"]

Row = dict[str, Any]

#: Fields each table keeps an index on.
INDEXED: dict[str, tuple[str, ...]] = {
    "products": ("reference",),
    "combinations": ("id_product", "reference"),
    "stock_availables": ("id_product",),
    "customers": ("email",),
    "addresses": ("id_customer",),
    "orders": ("id_cart", "id_customer"),
    "order_details": ("id_order",),
    "order_carriers": ("id_order",),
    "order_histories": ("id_order",),
    "configurations": ("name",),
}


class Table:
    """The rows of one resource."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self.rows: dict[int, Row] = {}
        self.next_id = 1
        self._indexes: dict[str, defaultdict[str, set[int]]] = {
            name: defaultdict(set) for name in INDEXED.get(resource.name, ())
        }

    def value(self, row: Row, name: str) -> str:
        """The stored text of scalar field *name* of *row*."""
        found = row.get(name)
        if found is None:
            return self.resource.by_name[name].default if name in self.resource.by_name else ""
        return str(found)

    def insert(self, row: Row) -> int:
        """Store *row* under the next id (or its own ``id``) and return the id."""
        row_id = int(row.get("id") or self.next_id)
        row["id"] = row_id
        self.next_id = max(self.next_id, row_id + 1)
        self.rows[row_id] = row
        self._index(row_id, row)
        return row_id

    def update(self, row_id: int, values: Row) -> Row:
        """Change *values* of the row *row_id* and keep the indexes right."""
        row = self.rows[row_id]
        self._unindex(row_id, row)
        row.update(values)
        for name, value in values.items():
            if value is None:
                row.pop(name, None)
        self._index(row_id, row)
        return row

    def delete(self, row_id: int) -> None:
        """Remove the row *row_id*."""
        row = self.rows.pop(row_id)
        self._unindex(row_id, row)

    def indexed(self, name: str) -> bool:
        """True if *name* has an index."""
        return name in self._indexes

    def lookup(self, name: str, value: str) -> set[int]:
        """Ids whose indexed *name* equals *value* (case-insensitive)."""
        return self._indexes[name].get(value.lower(), set())

    def where(self, name: str, value: str) -> list[Row]:
        """Rows whose indexed *name* equals *value*, in id order."""
        return [self.rows[i] for i in sorted(self.lookup(name, value))]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows.values())

    def __len__(self) -> int:
        return len(self.rows)

    def _index(self, row_id: int, row: Row) -> None:
        for name, index in self._indexes.items():
            index[self.value(row, name).lower()].add(row_id)

    def _unindex(self, row_id: int, row: Row) -> None:
        for name, index in self._indexes.items():
            ids = index.get(self.value(row, name).lower())
            if ids is not None:
                ids.discard(row_id)


class Store:
    """Every table of the shop."""

    def __init__(self, names: Iterable[str] = RESOURCES) -> None:
        self.tables = {name: Table(RESOURCES[name]) for name in names}

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]
