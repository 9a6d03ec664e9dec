"""The Catalog Items API 2022-04-01: searchCatalogItems and getCatalogItem.

Answers are the model's ``ItemSearchResults`` and ``Item``. An identifier that
matches two ASINs yields both items; one that matches nothing yields none
(the model has no per-identifier status). ``numberOfResults`` counts every
match; ``pagination`` and ``refinements`` are always present (tokens only when
there is such a page; brand counts over all matches, no classifications).

``includedData`` sections: ``summaries``, ``identifiers``, ``productTypes`` and
``attributes`` (item_name, brand, externally_assigned_product_identifier) carry
the item's data; ``classifications``, ``dimensions``, ``images``,
``relationships`` and ``salesRanks`` are empty per marketplace (the simulator
knows none); ``vendorDetails`` is left out, as for any seller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from amazon_jobs.simulator.catalog.items import Catalog, CatalogItem
from amazon_jobs.simulator.catalog.query import (
    MAX_PAGEABLE,
    CatalogSearch,
    item_query,
    page_token,
    search_query,
)
from amazon_jobs.simulator.common.errors import ApiError, invalid_input
from amazon_jobs.simulator.common.gateway import Call, Reply
from amazon_jobs.simulator.common.locales import locale_of
from amazon_jobs.simulator.common.query import Params

__all__ = ["get_catalog_item", "item_json", "search_catalog_items"]

Placement = tuple[str, CatalogItem]
Section = Callable[[Sequence[Placement]], Any]


def search_catalog_items(call: Call, params: Params) -> Reply:
    """GET /catalog/2022-04-01/items -> 200 ItemSearchResults."""
    search = search_query(params)
    catalog = call.simulator.catalog(search.marketplace_id)
    found = _found(call, catalog, search)
    call.simulator.counters.catalog_search(len(search.identifiers))
    end = min(search.offset + search.page_size, MAX_PAGEABLE)
    page = found[search.offset : end]
    body = {
        "numberOfResults": len(found),
        "pagination": _pagination(search, len(found), end),
        "refinements": _refinements(found, search),
        "items": [
            item_json(item.asin, [(catalog.marketplace_id, item)], search.included) for item in page
        ],
    }
    return Reply(200, body)


def get_catalog_item(call: Call, asin: str, params: Params) -> Reply:
    """GET /catalog/2022-04-01/items/{asin} -> 200 Item, 404 when no marketplace has it."""
    marketplace_ids, included = item_query(params)
    placements = [
        (marketplace_id, item)
        for marketplace_id in marketplace_ids
        if (item := call.simulator.catalog(marketplace_id).get(asin)) is not None
    ]
    if not placements:
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Requested item '{asin}' not found in marketplace(s) {','.join(marketplace_ids)}.",
        )
    return Reply(200, item_json(asin, placements, included))


def item_json(
    asin: str, placements: Sequence[Placement], included: Sequence[str]
) -> dict[str, Any]:
    """The model's ``Item``: the asin and one entry per marketplace in each included section."""
    data: dict[str, Any] = {"asin": asin}
    for name in included:
        section = _SECTIONS.get(name)
        if section is not None:
            data[name] = section(placements)
    return data


def _found(call: Call, catalog: Catalog, search: CatalogSearch) -> list[CatalogItem]:
    if not search.identifiers:
        return catalog.search(search.keywords, search.brands)
    items: dict[str, CatalogItem] = {}
    for identifier in search.identifiers:
        for item in _matches(call, catalog, search, identifier.strip()):
            items.setdefault(item.asin, item)
    return list(items.values())


def _matches(
    call: Call, catalog: Catalog, search: CatalogSearch, identifier: str
) -> list[CatalogItem]:
    if search.identifiers_type != "SKU":
        return catalog.find(search.identifiers_type or "", identifier)
    if search.seller_id != call.seller_id:
        raise invalid_input("'sellerId' must be the selling partner of the access token.")
    listing = call.simulator.seller(call.seller_id).listings.get(identifier)
    item = None if listing is None or listing.asin is None else catalog.get(listing.asin)
    return [] if item is None else [item]


def _pagination(search: CatalogSearch, total: int, end: int) -> dict[str, str]:
    pagination = {}
    if end < min(total, MAX_PAGEABLE):
        pagination["nextToken"] = page_token(search, end)
    if search.offset > 0:
        pagination["previousToken"] = page_token(search, max(0, search.offset - search.page_size))
    return pagination


def _refinements(found: list[CatalogItem], search: CatalogSearch) -> dict[str, Any]:
    brands = Counter(item.brand for item in found if item.brand) if search.keywords else Counter()
    return {
        "brands": [
            {"numberOfResults": count, "brandName": brand} for brand, count in brands.most_common()
        ],
        "classifications": [],
    }


def _summaries(placements: Sequence[Placement]) -> list[dict[str, Any]]:
    return [
        {
            "marketplaceId": marketplace_id,
            "brand": item.brand,
            "itemClassification": "BASE_PRODUCT",
            "itemName": item.item_name,
            "manufacturer": item.brand,
        }
        for marketplace_id, item in placements
    ]


def _identifiers(placements: Sequence[Placement]) -> list[dict[str, Any]]:
    return [
        {
            "marketplaceId": marketplace_id,
            "identifiers": [
                {"identifierType": kind, "identifier": code} for kind, code in item.identifiers()
            ],
        }
        for marketplace_id, item in placements
    ]


def _product_types(placements: Sequence[Placement]) -> list[dict[str, Any]]:
    return [
        {"marketplaceId": marketplace_id, "productType": item.product_type}
        for marketplace_id, item in placements
    ]


def _attributes(placements: Sequence[Placement]) -> dict[str, Any]:
    attributes: dict[str, list[dict[str, Any]]] = {}
    for marketplace_id, item in placements:
        tag = locale_of(marketplace_id).language_tag
        texts = {"item_name": item.item_name, "brand": item.brand}
        for name, text in texts.items():
            attributes.setdefault(name, []).append(
                {"value": text, "language_tag": tag, "marketplace_id": marketplace_id}
            )
        ean = item.main_ean
        if ean is not None:
            attributes.setdefault("externally_assigned_product_identifier", []).append(
                {"type": "ean", "value": ean, "marketplace_id": marketplace_id}
            )
    return attributes


def _empty(**lists: list[Any]) -> Section:
    def section(placements: Sequence[Placement]) -> list[dict[str, Any]]:
        return [{"marketplaceId": marketplace_id, **lists} for marketplace_id, _ in placements]

    return section


_SECTIONS: dict[str, Section] = {
    "attributes": _attributes,
    "classifications": _empty(classifications=[]),
    "dimensions": _empty(),
    "identifiers": _identifiers,
    "images": _empty(images=[]),
    "productTypes": _product_types,
    "relationships": _empty(relationships=[]),
    "salesRanks": _empty(classificationRanks=[], displayGroupRanks=[]),
    "summaries": _summaries,
}
