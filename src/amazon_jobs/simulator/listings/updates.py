"""What ``UPDATE`` and ``PARTIAL_UPDATE`` messages do: offers on existing catalog items.

``UPDATE`` with ``requirements: "LISTING_OFFER_ONLY"`` creates or fully
replaces the seller's offer for the SKU on an ASIN of the catalog:

- the ASIN comes from ``merchant_suggested_asin``, else from
  ``externally_assigned_product_identifier`` (an EAN/UPC/GTIN/ISBN/JAN that
  must match exactly one ASIN); with neither, two 90220 issues (Amazon's
  texts); an unknown ASIN or code is NOT_FOUND, a code of several ASINs
  MULTIPLE_MATCHES;
- ``condition_type`` is required (90220 "'condition_type' is required but
  not supplied.");
- ``purchasable_offer`` with a price is required (99022, Amazon's text);
- ``fulfillment_availability`` is optional (quantity 0 without it).

Every problem of a message is reported, not just the first. Other
requirements (``LISTING``, ``LISTING_PRODUCT_ONLY``, or none, which means
``LISTING``) would create catalog items: UNSUPPORTED. Attributes the
simulator does not model (``item_name``, ``ships_globally``, …) are accepted
and ignored, as the offer-only requirements make Amazon ignore product facts.

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
    MULTIPLE_MATCHES,
    NOT_FOUND,
    PRICE_MISSING,
    PRICE_MISSING_MESSAGE,
    REQUIRED_MISSING,
    UNSUPPORTED,
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


def full_update(
    message: dict[str, Any], current: SimListing | None, context: OfferContext
) -> SimListing:
    """The listing a schema-valid UPDATE leaves; Refused or Rejected if it is refused."""
    requirements = message.get("requirements", "LISTING")
    if requirements != OFFER_ONLY:
        raise Refused(
            UNSUPPORTED,
            f"requirements '{requirements}' is not supported: the simulator only creates "
            f"offers on existing catalog items ({OFFER_ONLY}).",
        )
    attributes: Mapping[str, Any] = message["attributes"]
    problems: list[Refused] = []
    asin = _attempt(problems, lambda: _asin(attributes, context.catalog))
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
        changes["asin"] = _attempt(problems, lambda: _asin(attributes, context.catalog))
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


def _asin(attributes: Mapping[str, Any], catalog: Catalog) -> str:
    if ASIN_ATTRIBUTE in attributes:
        asin = read_asin(attributes[ASIN_ATTRIBUTE])
        if catalog.get(asin) is None:
            raise Refused(
                NOT_FOUND,
                f"The ASIN '{asin}' does not exist in the Amazon catalog of marketplace "
                f"{catalog.marketplace_id}.",
                ASIN_ATTRIBUTE,
            )
        return asin
    if EXTERNAL_ID_ATTRIBUTE in attributes:
        return _asin_of_code(attributes[EXTERNAL_ID_ATTRIBUTE], catalog)
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


def _asin_of_code(value: Any, catalog: Catalog) -> str:
    kind, code = read_external_id(value)
    asins = [item.asin for item in catalog.find(kind, code)]
    if not asins:
        raise Refused(
            NOT_FOUND,
            f"No ASIN of the Amazon catalog of marketplace {catalog.marketplace_id} has the "
            f"{kind} '{code}'.",
            EXTERNAL_ID_ATTRIBUTE,
        )
    if len(asins) > 1:
        raise Refused(
            MULTIPLE_MATCHES,
            f"The {kind} '{code}' matches several ASINs ({', '.join(asins)}): "
            f"name one with '{ASIN_ATTRIBUTE}'.",
            EXTERNAL_ID_ATTRIBUTE,
        )
    return asins[0]


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
