"""The query of searchCatalogItems and getCatalogItem (catalogItems_2022-04-01.json).

The model's rules, each answered 400 ``InvalidInput``:

- ``marketplaceIds`` is required; a search takes at most 1;
- exactly one of ``identifiers`` and ``keywords`` (each at most 20 values);
- ``identifiersType`` is required with ``identifiers`` and only allowed with
  them; it is one of ASIN, EAN, GTIN, ISBN, JAN, MINSAN, SKU, UPC; ``SKU``
  needs ``sellerId``;
- ``brandNames``, ``classificationIds`` and ``keywordsLocale`` only go with
  ``keywords``;
- ``includedData`` values come from the model's list (default ``summaries``);
- ``pageSize`` is 1 to 20 (default 10); a ``pageToken`` only resumes the same
  query it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.query import (
    Params,
    decode_token,
    encode_token,
    last,
    page_size,
    values,
)

__all__ = [
    "IDENTIFIER_TYPES",
    "INCLUDED_DATA",
    "MAX_PAGEABLE",
    "CatalogSearch",
    "item_query",
    "page_token",
    "search_query",
]

INCLUDED_DATA = (
    "attributes",
    "classifications",
    "dimensions",
    "identifiers",
    "images",
    "productTypes",
    "relationships",
    "salesRanks",
    "summaries",
    "vendorDetails",
)
IDENTIFIER_TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
#: At most this many items of one search can be paged through.
MAX_PAGEABLE = 1000
_MAX_VALUES = 20
_KEYWORD_ONLY = ("brandNames", "classificationIds", "keywordsLocale")


@dataclass(frozen=True, slots=True)
class CatalogSearch:
    """A valid searchCatalogItems query."""

    marketplace_id: str
    included: tuple[str, ...]
    identifiers: tuple[str, ...]
    identifiers_type: str | None
    seller_id: str | None
    keywords: tuple[str, ...]
    brands: tuple[str, ...]
    page_size: int
    #: Index of the first item of the page.
    offset: int
    #: Ties page tokens to the query they page through.
    fingerprint: str


def search_query(params: Params) -> CatalogSearch:
    """The searchCatalogItems query from its parameters."""
    marketplace_ids = _marketplace_ids(params)
    if len(marketplace_ids) > 1:
        raise invalid_input("marketplaceIds must contain at most 1 value for searchCatalogItems.")
    identifiers, keywords = values(params, "identifiers"), values(params, "keywords")
    _check_mode(params, identifiers, keywords)
    fingerprint = _fingerprint(params)
    return CatalogSearch(
        marketplace_id=marketplace_ids[0],
        included=_included(params),
        identifiers=tuple(identifiers),
        identifiers_type=_identifiers_type(params, identifiers),
        seller_id=last(params, "sellerId"),
        keywords=tuple(keywords),
        brands=tuple(values(params, "brandNames")),
        page_size=page_size(params, default=10, maximum=_MAX_VALUES),
        offset=_offset(params, fingerprint),
        fingerprint=fingerprint,
    )


def item_query(params: Params) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(marketplaceIds, includedData)`` of a getCatalogItem query."""
    return tuple(_marketplace_ids(params)), _included(params)


def page_token(search: CatalogSearch, offset: int) -> str:
    """The token of the page of *search* that starts at *offset*."""
    return encode_token({"offset": offset, "query": search.fingerprint})


def _marketplace_ids(params: Params) -> list[str]:
    found = values(params, "marketplaceIds")
    if not found:
        raise invalid_input("Missing required 'marketplaceIds'.")
    return found


def _check_mode(params: Params, identifiers: list[str], keywords: list[str]) -> None:
    if identifiers and keywords:
        raise invalid_input("Cannot include both 'identifiers' and 'keywords' in the same request.")
    if not identifiers and not keywords:
        raise invalid_input("Missing required 'identifiers' or 'keywords'.")
    for name, given in (("identifiers", identifiers), ("keywords", keywords)):
        if len(given) > _MAX_VALUES:
            raise invalid_input(f"'{name}' must contain at most {_MAX_VALUES} values.")
    if identifiers:
        present = [name for name in _KEYWORD_ONLY if last(params, name) is not None]
        if present:
            raise invalid_input(f"'{present[0]}' cannot be used with 'identifiers'.")


def _identifiers_type(params: Params, identifiers: list[str]) -> str | None:
    kind = last(params, "identifiersType")
    if not identifiers:
        if kind is not None:
            raise invalid_input("'identifiersType' can only be used with 'identifiers'.")
        return None
    if kind is None:
        raise invalid_input("'identifiersType' is required when 'identifiers' is provided.")
    if kind not in IDENTIFIER_TYPES:
        raise invalid_input(
            f"Invalid 'identifiersType' {kind!r}; allowed: {', '.join(IDENTIFIER_TYPES)}."
        )
    if kind == "SKU" and not last(params, "sellerId"):
        raise invalid_input("'sellerId' is required when 'identifiersType' is SKU.")
    return kind


def _included(params: Params) -> tuple[str, ...]:
    included = values(params, "includedData") or ["summaries"]
    unknown = [name for name in included if name not in INCLUDED_DATA]
    if unknown:
        raise invalid_input(
            f"Invalid 'includedData' value(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(INCLUDED_DATA)}."
        )
    return tuple(dict.fromkeys(included))


def _fingerprint(params: Params) -> str:
    kept = sorted((key, value) for key, value in params if key not in ("pageToken", "pageSize"))
    return hashlib.sha256(repr(kept).encode()).hexdigest()[:16]


def _offset(params: Params, fingerprint: str) -> int:
    token = last(params, "pageToken")
    if token is None:
        return 0
    data = decode_token(token)
    if data is None:
        raise invalid_input("The page token is invalid or has expired.")
    offset = data.get("offset")
    if data.get("query") != fingerprint or not isinstance(offset, int) or offset < 0:
        raise invalid_input("The page token is invalid or does not belong to this query.")
    return offset
