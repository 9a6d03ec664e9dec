"""What a ``PATCH`` message does to an existing listing.

Supported, with op ``replace`` or ``merge``:

- ``/attributes/fulfillment_availability``: ``[{"fulfillment_channel_code":
  "DEFAULT", "quantity": N}]`` sets the quantity;
- ``/attributes/purchasable_offer``: sets the price (``value_with_tax`` of
  ``our_price[0].schedule[0]`` of the audience-ALL offer) and its currency;
- ``/attributes/condition_type``: sets the condition.

``merge`` may leave the quantity or the price out (it then stays); ``replace``
may not. Patches apply in order, so one message may carry a quantity and a
price. Any other path or op is refused with SIMULATOR_UNSUPPORTED (the
simulator does not model it; Amazon would apply it), never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from amazon_jobs.simulator.listings.issues import SIMULATOR_UNSUPPORTED
from amazon_jobs.simulator.listings.offer_values import (
    CONDITION_ATTRIBUTE,
    PRICE_ATTRIBUTE,
    QUANTITY_ATTRIBUTE,
    Refused,
    read_condition,
    read_price,
    read_quantity,
)
from amazon_jobs.simulator.models import SimListing

__all__ = ["PRICE_PATH", "QUANTITY_ATTRIBUTE", "QUANTITY_PATH", "patched"]

QUANTITY_PATH = f"/attributes/{QUANTITY_ATTRIBUTE}"
PRICE_PATH = f"/attributes/{PRICE_ATTRIBUTE}"
_ATTRIBUTES_PREFIX = "/attributes/"
_SUPPORTED_OPS = ("replace", "merge")

Patcher = Callable[[SimListing, Any, bool], SimListing]


def patched(message: dict[str, Any], listing: SimListing) -> SimListing:
    """*listing* after the schema-valid PATCH *message*; Refused if a patch is refused."""
    for patch in message["patches"]:
        listing = _apply(patch, listing)
    return listing


def _apply(patch: dict[str, Any], listing: SimListing) -> SimListing:
    path: str = patch["path"]
    attribute = path.removeprefix(_ATTRIBUTES_PREFIX)
    patcher = _PATCHERS.get(path)
    if patcher is None:
        message = f"The simulator does not model the path '{path}'."
        raise Refused(SIMULATOR_UNSUPPORTED, message, attribute)
    op = patch["op"]
    if op not in _SUPPORTED_OPS:
        message = f"The simulator does not model the op '{op}' on '{path}'."
        raise Refused(SIMULATOR_UNSUPPORTED, message, attribute)
    return patcher(listing, patch.get("value"), op == "replace")


def _quantity(listing: SimListing, value: Any, required: bool) -> SimListing:
    quantity = read_quantity(value, required=required)
    if quantity is None:
        return listing
    return replace(listing, quantity=quantity, sent_quantity=quantity)


def _price(listing: SimListing, value: Any, required: bool) -> SimListing:
    price = read_price(value, required=required)
    if price.amount is not None:
        listing = replace(listing, price=price.amount)
    if price.currency is not None:
        listing = replace(listing, currency=price.currency)
    return listing


def _condition(listing: SimListing, value: Any, _required: bool) -> SimListing:
    return replace(listing, condition=read_condition(value))


_PATCHERS: dict[str, Patcher] = {
    QUANTITY_PATH: _quantity,
    PRICE_PATH: _price,
    f"/attributes/{CONDITION_ATTRIBUTE}": _condition,
}
