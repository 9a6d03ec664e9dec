"""Amazon's catalog in one marketplace: items found by ASIN, by identifier or by keywords.

An item carries an EAN and/or a UPC; it is found under every identifier type
Amazon lists for it: ``EAN`` (a UPC as ``0`` + UPC), ``UPC``, ``GTIN`` (14
digits), ``ISBN`` for EANs starting 978/979 and ``JAN`` for EANs starting
45/49. Two items may share an EAN: a search for it then finds both, as Amazon
does for duplicate catalog entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from amazon_jobs.simulator.catalog.gtin import gtin14

__all__ = ["Catalog", "CatalogItem", "catalog_item"]

_ISBN_PREFIXES = ("978", "979")
_JAN_PREFIXES = ("45", "49")


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One ASIN of the catalog."""

    asin: str
    item_name: str
    brand: str
    #: The product type, e.g. "PRODUCT" or "LUGGAGE".
    product_type: str = "PRODUCT"
    #: EAN-13; for a UPC item without one, ``"0" + upc`` is used.
    ean: str | None = None
    #: UPC-A, 12 digits.
    upc: str | None = None

    @property
    def main_ean(self) -> str | None:
        """The EAN Amazon shows: the EAN, else the UPC as an EAN-13."""
        if self.ean is not None:
            return self.ean
        return None if self.upc is None else "0" + self.upc

    def identifiers(self) -> list[tuple[str, str]]:
        """``(identifierType, identifier)`` pairs, as searchCatalogItems lists them."""
        pairs: list[tuple[str, str]] = []
        ean = self.main_ean
        if ean is not None:
            pairs.append(("EAN", ean))
        if self.upc is not None:
            pairs.append(("UPC", self.upc))
        if ean is not None:
            pairs.append(("GTIN", gtin14(ean)))
            if ean.startswith(_ISBN_PREFIXES):
                pairs.append(("ISBN", ean))
            if ean.startswith(_JAN_PREFIXES):
                pairs.append(("JAN", ean))
        return pairs


def catalog_item(data: CatalogItem | Mapping[str, Any]) -> CatalogItem:
    """A CatalogItem from itself or from a mapping with asin, item_name, brand, …."""
    if isinstance(data, CatalogItem):
        return data
    asin = str(data.get("asin") or "").strip()
    if not asin:
        raise ValueError("a catalog item needs an asin")
    return CatalogItem(
        asin=asin,
        item_name=str(data.get("item_name") or data.get("title") or ""),
        brand=str(data.get("brand") or ""),
        product_type=str(data.get("product_type") or "PRODUCT"),
        ean=_code(data.get("ean")),
        upc=_code(data.get("upc")),
    )


def _code(raw: Any) -> str | None:
    text = str(raw or "").strip()
    return text or None


class Catalog:
    """The items of one marketplace, indexed by ASIN and by identifier."""

    def __init__(self, marketplace_id: str) -> None:
        self.marketplace_id = marketplace_id
        self._items: dict[str, CatalogItem] = {}
        #: ASINs by GTIN-14: one entry per code keeps a million items affordable.
        self._by_gtin: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[CatalogItem]:
        return iter(self._items.values())

    def add(self, items: Iterable[CatalogItem]) -> None:
        """Add items; an item with a known ASIN replaces the old one."""
        for item in items:
            self._forget(item.asin)
            self._items[item.asin] = item
            ean = item.main_ean
            if ean is not None:
                self._by_gtin.setdefault(gtin14(ean), []).append(item.asin)

    def get(self, asin: str) -> CatalogItem | None:
        return self._items.get(asin)

    def find(self, identifier_type: str, identifier: str) -> list[CatalogItem]:
        """Every item listed under *identifier* of *identifier_type*, oldest first."""
        if identifier_type == "ASIN":
            item = self._items.get(identifier)
            return [] if item is None else [item]
        if not identifier.isdigit():
            return []
        asins = self._by_gtin.get(gtin14(identifier), [])
        items = [self._items[asin] for asin in asins]
        if identifier_type == "GTIN":
            return items
        return [item for item in items if (identifier_type, identifier) in item.identifiers()]

    def search(self, keywords: Iterable[str], brands: Iterable[str] = ()) -> list[CatalogItem]:
        """Items whose name or brand contains every keyword (case-insensitive)."""
        words = [word.casefold() for word in keywords]
        wanted_brands = {brand.casefold() for brand in brands}
        return [
            item
            for item in self._items.values()
            if _has_words(item, words)
            and (not wanted_brands or item.brand.casefold() in wanted_brands)
        ]

    def _forget(self, asin: str) -> None:
        old = self._items.pop(asin, None)
        if old is None:
            return
        ean = old.main_ean
        if ean is not None:
            self._by_gtin[gtin14(ean)].remove(asin)


def _has_words(item: CatalogItem, words: list[str]) -> bool:
    text = f"{item.item_name} {item.brand}".casefold()
    return all(word in text for word in words)
