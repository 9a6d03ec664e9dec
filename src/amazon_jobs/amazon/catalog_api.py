"""Catalog Items 2022-04-01: find Amazon products by EAN/UPC."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amazon_jobs.amazon.engine import ApiEngine, Call
from amazon_jobs.domain.limits import Operation

__all__ = ["MAX_IDENTIFIERS", "CatalogApi", "CatalogItem", "CatalogPage"]

#: Identifiers one searchCatalogItems request may carry.
MAX_IDENTIFIERS = 20


@dataclass(frozen=True, slots=True)
class CatalogItem:
    asin: str
    #: Every identifier Amazon lists for the item, as (type, value).
    identifiers: frozenset[tuple[str, str]]
    title: str | None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> CatalogItem:
        found = {
            (str(i.get("identifierType")), str(i.get("identifier")))
            for group in body.get("identifiers") or ()
            for i in group.get("identifiers") or ()
        }
        summaries = body.get("summaries") or [{}]
        return cls(str(body["asin"]), frozenset(found), summaries[0].get("itemName"))


@dataclass(frozen=True, slots=True)
class CatalogPage:
    items: list[CatalogItem]
    next_token: str | None


class CatalogApi(ApiEngine):
    def search_catalog_items(
        self,
        identifiers: list[str],
        identifiers_type: str,
        marketplace_id: str,
        page_token: str | None = None,
    ) -> CatalogPage:
        """One page (up to 20 items) of the items matching up to 20 identifiers."""
        call = Call(Operation.SEARCH_CATALOG_ITEMS, "GET", "/catalog/2022-04-01/items")
        params: dict[str, str | int] = {
            "identifiers": ",".join(identifiers),
            "identifiersType": identifiers_type,
            "marketplaceIds": marketplace_id,
            "includedData": "identifiers,summaries",
            "pageSize": MAX_IDENTIFIERS,
        }
        if page_token:
            params["pageToken"] = page_token
        body = self._json(call, params=params)
        items = [CatalogItem.from_api(item) for item in body.get("items") or []]
        return CatalogPage(items, (body.get("pagination") or {}).get("nextToken"))
