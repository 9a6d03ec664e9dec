"""What ``UPDATE`` and ``PARTIAL_UPDATE`` messages do: offers on existing catalog items.

``UPDATE`` with ``requirements: "LISTING_OFFER_ONLY"`` creates or fully
replaces the seller's offer for the SKU on an ASIN of the catalog:

- the ASIN comes from ``merchant_suggested_asin``, else from
  ``externally_assigned_product_identifier`` (an EAN/UPC/GTIN/ISBN/JAN that
  must match exactly one ASIN); with neither, two 90220 issues (Amazon's
  texts). An ASIN or code that maps to no ASIN is Amazon's 8560, a code of
  several ASINs 8542; a code that maps to one ASIN other than the
  ``merchant_suggested_asin`` given with it is 8541 (the data conflicts with
  the catalog). An ASIN of a brand the seller is not approved for
  (:meth:`.Simulator.restrict_brand`) is 6024;
- ``condition_type`` is required (90220 "'condition_type' is required but
  not supplied.");
- ``purchasable_offer`` with a price is required (99022, Amazon's text);
- ``fulfillment_availability`` is optional (quantity 0 without it).

Every problem of a message is reported, not just the first. Other
requirements (``LISTING``, ``LISTING_PRODUCT_ONLY``, or none, which means
``LISTING``) would create catalog items, which the simulator does not model:
SIMULATOR_UNSUPPORTED. Attributes the simulator does not model (``item_name``,
``ships_globally``, …) are accepted and ignored, as the offer-only requirements
make Amazon ignore product facts.

``PARTIAL_UPDATE`` replaces only the offer attributes it carries on an
existing listing, each as a ``replace`` patch would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from amazon_jobs.simulator.catalog.items import Catalog
from amazon_jobs.simulator.listings.issues import (
    ASIN_CONFLICT,
    ASIN_NOT_FOUND,
    ASINS_SEVERAL,
    BRAND_NOT_APPROVED,
    BRAND_NOT_APPROVED_MESSAGE,
    PRICE_MISSING,
    PRICE_MISSING_MESSAGE,
    REQUIRED_MISSING,
    SIMULATOR_UNSUPPORTED,
)
from amazon_jobs.simulator.listings.offer_values import (
    ASIN_ATTRIBUTE,
    CONDITION_ATTRIBUTE,
    EXTERNAL_ID_ATTRIBUTE,
    PRICE_ATTRIBUTE,
    QUANTITY_ATTRIBUTE,
    Price,
    Refused,
    Rejected,
    read_asin,
    read_condition,
    read_external_id,
    read_price,
    read_quantity,
)
from amazon_jobs.simulator.models import SimListing

__all__ = ["OFFER_ONLY", "OfferContext", "full_update", "partial_update"]

OFFER_ONLY = "LISTING_OFFER_ONLY"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OfferContext:
    """What offer messages are checked against."""

    catalog: Catalog
    #: When the feed is processed: the open date of a new offer.
    now: datetime | None = None
    #: Brands (case-folded) the seller is not approved for: offers on them are 6024.
    restricted_brands: frozenset[str] = frozenset()
    #: A PATCH, PARTIAL_UPDATE or DELETE of a SKU the seller has no listing for is
    #: accepted and changes nothing, as Amazon does; False refuses it (13013).
    silent_unknown_skus: bool = True


def full_update(
    message: dict[str, Any], current: SimListing | None, context: OfferContext
) -> SimListing:
    """The listing a schema-valid UPDATE leaves; Refused or Rejected if it is refused."""
    requirements = message.get("requirements", "LISTING")
    if requirements != OFFER_ONLY:
        raise Refused(
            SIMULATOR_UNSUPPORTED,
            f"The simulator does not model requirements '{requirements}': it only creates "
            f"offers on existing catalog items ({OFFER_ONLY}).",
        )
    attributes: Mapping[str, Any] = message["attributes"]
    problems: list[Refused] = []
    asin = _attempt(problems, lambda: _asin(message["sku"], attributes, context))
    condition = _attempt(problems, lambda: _required_condition(attributes))
    price = _attempt(problems, lambda: _required_price(attributes))
    quantity = _attempt(problems, lambda: _quantity(attributes))
    if problems or asin is None or condition is None or price is None or quantity is None:
        raise Rejected(problems)
    return SimListing(
        asin=asin,
        quantity=quantity,
        sent_quantity=quantity,
        price=price.amount,
        currency=price.currency,
        condition=condition,
        opened_at=context.now if current is None else current.opened_at,
        product_type=message["productType"],
    )


def partial_update(
    message: dict[str, Any], current: SimListing, context: OfferContext
) -> SimListing:
    """*current* after a schema-valid PARTIAL_UPDATE; Rejected if it is refused."""
    attributes: Mapping[str, Any] = message["attributes"]
    problems: list[Refused] = []
    changes: dict[str, Any] = {"product_type": message["productType"]}
    for name, read in _PARTIAL_READERS.items():
        if name in attributes:
            changes.update(_attempt(problems, partial(read, attributes)) or {})
    if ASIN_ATTRIBUTE in attributes or EXTERNAL_ID_ATTRIBUTE in attributes:
        changes["asin"] = _attempt(problems, lambda: _asin(message["sku"], attributes, context))
    if problems:
        raise Rejected(problems)
    return replace(current, **changes)


def _attempt(problems: list[Refused], read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Refused as refused:
        problems.append(refused)
    except Rejected as rejected:
        problems.extend(rejected.refusals)
    return None


def _asin(sku: str, attributes: Mapping[str, Any], context: OfferContext) -> str:
    """The ASIN the offer is on, once it is known, unambiguous and allowed."""
    if ASIN_ATTRIBUTE not in attributes and EXTERNAL_ID_ATTRIBUTE not in attributes:
        raise Rejected(
            [
                Refused(
                    REQUIRED_MISSING,
                    "'External Product ID' is required but not supplied.",
                    EXTERNAL_ID_ATTRIBUTE,
                ),
                Refused(
                    REQUIRED_MISSING,
                    "'Merchant Suggested ASIN' is required but not supplied.",
                    ASIN_ATTRIBUTE,
                ),
            ]
        )
    catalog = context.catalog
    suggested = read_asin(attributes[ASIN_ATTRIBUTE]) if ASIN_ATTRIBUTE in attributes else None
    matches = _code_matches(attributes, catalog)
    if suggested is None:
        asin = _only_match(sku, matches)
    elif catalog.get(suggested) is None:
        raise Refused(ASIN_NOT_FOUND, _no_asin_message(sku), ASIN_ATTRIBUTE)
    else:
        asin = _confirmed(suggested, matches)
    _check_brand(asin, context)
    return asin


def _code_matches(attributes: Mapping[str, Any], catalog: Catalog) -> list[str] | None:
    """The ASINs of the product id, if the message has one."""
    if EXTERNAL_ID_ATTRIBUTE not in attributes:
        return None
    kind, code = read_external_id(attributes[EXTERNAL_ID_ATTRIBUTE])
    return [item.asin for item in catalog.find(kind, code)]


def _only_match(sku: str, matches: list[str] | None) -> str:
    assert matches is not None
    if not matches:
        raise Refused(ASIN_NOT_FOUND, _no_asin_message(sku), EXTERNAL_ID_ATTRIBUTE)
    if len(matches) > 1:
        raise Refused(ASINS_SEVERAL, _several_message(matches), EXTERNAL_ID_ATTRIBUTE)
    return matches[0]


def _confirmed(suggested: str, matches: list[str] | None) -> str:
    """*suggested*, unless the product id sent with it names other ASINs (8541, 8542)."""
    if not matches or suggested in matches:
        return suggested
    if len(matches) > 1:
        raise Refused(ASINS_SEVERAL, _several_message(matches), EXTERNAL_ID_ATTRIBUTE)
    raise Refused(ASIN_CONFLICT, _conflict_message(suggested, matches[0]), ASIN_ATTRIBUTE)


def _check_brand(asin: str, context: OfferContext) -> None:
    item = context.catalog.get(asin)
    if item is not None and item.brand.casefold() in context.restricted_brands:
        raise Refused(BRAND_NOT_APPROVED, BRAND_NOT_APPROVED_MESSAGE)


def _no_asin_message(sku: str) -> str:
    """Amazon's 8560 text (the example Lengow quotes), for an offer-only message: the
    attributes a new ASIN needs are all missing."""
    return (
        f"SKU {sku}, Missing Attributes item_name,brand. SKU {sku} does not map any ASINs. "
        "Make sure that all standard product ids (such as UPC, ISBN, EAN, or JAN codes) are "
        "correct. To create a new ASIN, include the following attributes: item_name,brand. "
        "Feed ID: 0. For more troubleshooting help, see "
        "http://sellercentral.amazon.com/gp/errorcode/200692370"
    )


def _several_message(asins: list[str]) -> str:
    """Amazon's 8542 text as the "Common Feed Errors" guide quotes it."""
    return (
        "The SKU data provided conflicts with the Amazon catalog. The standard_product_id "
        f"value(s) provided correspond to the ASIN {', '.join(asins)}. If your product is "
        "this ASIN, then modify your data to reflect the Amazon catalog values. Else, check "
        "your value(s) for standard_product_id are correct."
    )


def _conflict_message(suggested: str, asin: str) -> str:
    """Amazon's 8541 text (Linnworks, "Common Feed Errors"), the conflicting attribute
    being the suggested ASIN."""
    return (
        "The SKU data provided conflicts with the Amazon catalog. The standard_product_id "
        f"value(s) provided correspond to the ASIN {asin}, but some information contradicts "
        "the Amazon catalog. The following are the attribute value(s) that are conflicting: "
        f"{ASIN_ATTRIBUTE} (Merchant: '{suggested}' / Amazon: '{asin}'). If your product is "
        "this ASIN, modify your data to reflect the Amazon catalog values. Otherwise, check "
        "your value(s) for standard_product_id are correct."
    )


def _required_condition(attributes: Mapping[str, Any]) -> str:
    if CONDITION_ATTRIBUTE not in attributes:
        raise Refused(
            REQUIRED_MISSING,
            f"'{CONDITION_ATTRIBUTE}' is required but not supplied.",
            CONDITION_ATTRIBUTE,
        )
    return read_condition(attributes[CONDITION_ATTRIBUTE])


def _required_price(attributes: Mapping[str, Any]) -> Price:
    if PRICE_ATTRIBUTE not in attributes:
        raise Refused(PRICE_MISSING, PRICE_MISSING_MESSAGE, f"{PRICE_ATTRIBUTE}.our_price")
    return read_price(attributes[PRICE_ATTRIBUTE], required=True)


def _quantity(attributes: Mapping[str, Any]) -> int:
    if QUANTITY_ATTRIBUTE not in attributes:
        return 0
    quantity = read_quantity(attributes[QUANTITY_ATTRIBUTE], required=True)
    return quantity or 0


def _partial_quantity(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {"quantity": _quantity(attributes)}


def _partial_price(attributes: Mapping[str, Any]) -> dict[str, Any]:
    price = _required_price(attributes)
    changes: dict[str, Any] = {"price": price.amount}
    if price.currency is not None:
        changes["currency"] = price.currency
    return changes


def _partial_condition(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {"condition": _required_condition(attributes)}


_PARTIAL_READERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    QUANTITY_ATTRIBUTE: _partial_quantity,
    PRICE_ATTRIBUTE: _partial_price,
    CONDITION_ATTRIBUTE: _partial_condition,
}
