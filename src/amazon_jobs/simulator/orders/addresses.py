"""Where an order goes: the part of the delivery address an application without PII roles sees.

Amazon shows the city, state or region, postal code and country of an order's
delivery address without a Restricted Data Token (v0 ``ShippingAddress``; name,
address lines and phone are restricted: ordersV0.json, ``Order.ShippingAddress``),
and city, state or region and country without the Direct-to-Consumer Delivery
role in 2026-01-01 (``recipient.deliveryAddress``; the postal code is PII there:
developer-docs.amazon.com/sp-api/docs/access-orders-pii). The simulated
application holds neither, so an address is these four parts.

Each order gets an address of its marketplace's country, chosen from the order
id, so the same order always goes to the same place. A few places per country
are enough for the buyer to move an order to another one (``orders.updates``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from amazon_jobs.simulator.orders.markets import Marketplace

__all__ = ["Address", "address_for", "moved_address"]


@dataclass(frozen=True, slots=True)
class Address:
    """The delivery address as an application without PII roles sees it."""

    city: str
    state: str
    postal_code: str
    #: ISO 3166-1 alpha-2.
    country_code: str


#: (city, state or region, postal code) by country.
_PLACES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "US": (
        ("Seattle", "WA", "98101"),
        ("Austin", "TX", "78701"),
        ("Columbus", "OH", "43215"),
        ("Denver", "CO", "80202"),
        ("Brooklyn", "NY", "11201"),
    ),
    "CA": (
        ("Toronto", "ON", "M5V 2T6"),
        ("Vancouver", "BC", "V6B 1A1"),
        ("Montréal", "QC", "H2X 1Y4"),
    ),
    "MX": (("Ciudad de México", "CDMX", "06600"), ("Guadalajara", "JAL", "44100")),
    "GB": (
        ("Manchester", "Greater Manchester", "M1 1AE"),
        ("Leeds", "West Yorkshire", "LS1 4AP"),
        ("Bristol", "Bristol", "BS1 4DJ"),
    ),
    "DE": (
        ("Berlin", "Berlin", "10115"),
        ("München", "Bayern", "80331"),
        ("Hamburg", "Hamburg", "20095"),
    ),
    "FR": (
        ("Paris", "Île-de-France", "75011"),
        ("Lyon", "Auvergne-Rhône-Alpes", "69002"),
        ("Lille", "Hauts-de-France", "59000"),
    ),
    "IT": (("Milano", "MI", "20121"), ("Roma", "RM", "00184"), ("Torino", "TO", "10121")),
    "ES": (
        ("Madrid", "Madrid", "28013"),
        ("Barcelona", "Barcelona", "08001"),
        ("Valencia", "Valencia", "46002"),
    ),
    "JP": (("Shibuya-ku", "Tokyo", "150-0002"), ("Osaka-shi", "Osaka", "530-0001")),
}


def address_for(market: Marketplace, order_id: str) -> Address:
    """The delivery address of order *order_id*, placed in *market*."""
    country = market.country if market.country in _PLACES else "US"
    city, state, postal_code = random.Random(order_id).choice(_PLACES[country])
    return Address(city, state, postal_code, country)


def moved_address(current: Address, rng: random.Random) -> Address:
    """Another address in *current*'s country: where the buyer wants the order now."""
    places = [p for p in _PLACES.get(current.country_code, ()) if p[0] != current.city]
    if not places:
        return current
    city, state, postal_code = rng.choice(places)
    return Address(city, state, postal_code, current.country_code)
