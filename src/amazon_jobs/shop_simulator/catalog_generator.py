"""A seeded catalog: products, some with combinations, their stock rows.

``populate(store, products=1000, seed=7, …)`` always makes the same catalog for the
same arguments. Every product has a ``reference`` (``PS000042``; a combination
``PS000042-3``) and a valid EAN-13; every third item also a valid UPC-A. A share
of the products have 2 to *max_combinations* combinations (each a SKU with its
own EAN-13 and a price impact), a share are inactive, and ``date_upd`` is spread
over the year before *now*, so incremental reads by ``date_upd`` have work to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from amazon_jobs.shop_simulator.store import Row, Store
from amazon_jobs.shop_simulator.timefmt import shop_time
from amazon_jobs.simulator.catalog.gtin import ean13, upc_a

__all__ = ["CatalogShape", "add_product", "populate"]

_NOUNS = ("Mug", "T-shirt", "Poster", "Notebook", "Cushion", "Lamp", "Bag", "Frame", "Cap")
_ADJECTIVES = ("Blue", "Classic", "Vintage", "Organic", "Handmade", "Large", "Mini", "Bold")
_SIZES = ("XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL")
_EAN_BASE = 370_000_000_000
_UPC_BASE = 60_000_000_000


@dataclass(frozen=True, slots=True)
class CatalogShape:
    """How many products, and what share have combinations or are inactive."""

    products: int
    seed: int = 0
    combination_share: float = 0.4
    max_combinations: int = 6
    inactive_share: float = 0.05


def populate(store: Store, shape: CatalogShape, now: datetime, zone: tzinfo) -> int:
    """Add *shape*'s products to *store*; return the number of sellable items (SKUs)."""
    rng = random.Random(shape.seed)
    skus = 0
    for number in range(1, shape.products + 1):
        skus += _product(store, rng, shape, number, now, zone)
    return skus


def add_product(
    store: Store,
    *,
    reference: str,
    ean: str | None,
    name: str,
    price: str,
    quantity: int,
    now: datetime,
    zone: tzinfo,
) -> int:
    """Add one active product without combinations (a demo's own catalog); its id."""
    stamp = shop_time(now, zone)
    product: Row = {
        "id_category_default": "2",
        "id_tax_rules_group": "1",
        "id_shop_default": "1",
        "reference": reference,
        "ean13": ean or "",
        "minimal_quantity": "1",
        "state": "1",
        "product_type": "standard",
        "price": f"{float(price):.6f}",
        "active": "1",
        "redirect_type": "default",
        "available_for_order": "1",
        "show_price": "1",
        "indexed": "1",
        "visibility": "both",
        "condition": "new",
        "date_add": stamp,
        "date_upd": stamp,
        "name": {1: name},
        "link_rewrite": {1: name.lower().replace(" ", "-").replace(",", "")},
        "@categories": [2],
    }
    product_id = store["products"].insert(product)
    _stock(store, product_id, 0, quantity)
    return product_id


def _product(
    store: Store, rng: random.Random, shape: CatalogShape, number: int, now: datetime, zone: tzinfo
) -> int:
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {number}"
    added = now - timedelta(days=365 * rng.random() + 1)
    updated = added + (now - added) * rng.random()
    combos = 0
    if rng.random() < shape.combination_share:
        combos = rng.randint(2, max(2, shape.max_combinations))
    product: Row = {
        "id_category_default": "2",
        "id_tax_rules_group": "1",
        "id_shop_default": "1",
        "reference": f"PS{number:06d}",
        "ean13": ean13(_EAN_BASE + number * 10),
        "minimal_quantity": "1",
        "state": "1",
        "product_type": "combinations" if combos else "standard",
        "price": f"{rng.randint(500, 20000) / 100:.6f}",
        "active": "0" if rng.random() < shape.inactive_share else "1",
        "redirect_type": "default",
        "available_for_order": "1",
        "show_price": "1",
        "indexed": "1",
        "visibility": "both",
        "condition": "new",
        "date_add": shop_time(added, zone),
        "date_upd": shop_time(updated, zone),
        "name": {1: name},
        "link_rewrite": {1: name.lower().replace(" ", "-")},
        "@categories": [2],
    }
    if number % 3 == 0:
        product["upc"] = upc_a(_UPC_BASE + number * 10)
    product_id = store["products"].insert(product)
    if not combos:
        _stock(store, product_id, 0, rng.randint(0, 60))
        return 1
    total = 0
    for index in range(1, combos + 1):
        combination_id = _combination(store, rng, product_id, number, index)
        quantity = rng.randint(0, 30)
        total += quantity
        _stock(store, product_id, combination_id, quantity)
    _stock(store, product_id, 0, total)
    store["products"].update(
        product_id, {"cache_default_attribute": _default_of(store, product_id)}
    )
    return combos


def _combination(store: Store, rng: random.Random, product_id: int, number: int, index: int) -> int:
    row: Row = {
        "id_product": str(product_id),
        "reference": f"PS{number:06d}-{index}",
        "ean13": ean13(_EAN_BASE + number * 10 + index),
        "price": f"{rng.choice((0, 0, 1, 2.5, 5, -1)):.6f}",
        "minimal_quantity": "1",
        "default_on": "1" if index == 1 else "0",
        "@attributes": f"Size - {_SIZES[(index - 1) % len(_SIZES)]}",
    }
    if (number + index) % 3 == 0:
        row["upc"] = upc_a(_UPC_BASE + number * 10 + index)
    return store["combinations"].insert(row)


def _default_of(store: Store, product_id: int) -> str:
    ids = sorted(store["combinations"].lookup("id_product", str(product_id)))
    return str(ids[0]) if ids else "0"


def _stock(store: Store, product_id: int, attribute: int, quantity: int) -> None:
    store["stock_availables"].insert(
        {
            "id_product": str(product_id),
            "id_product_attribute": str(attribute),
            "id_shop": "1",
            "quantity": str(quantity),
            "out_of_stock": "2",
        }
    )
