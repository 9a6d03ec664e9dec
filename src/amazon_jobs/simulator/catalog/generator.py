"""A deterministic fake Amazon catalog, for tests and demos.

``generate_catalog(size=100, seed=7, ambiguous=3, unknown=5, upcs=10)`` makes
100 product codes numbered 1..100 and the catalog items behind them:

- code *n* is the EAN ``catalog_ean(n)`` = ``ean13(400_000_000_000 + n)``
  (the numbering the demo gives its products), except the last ``upcs``
  codes, which are UPC-A codes ``catalog_upc(n)`` (their items' EAN is
  ``"0" + upc``, as on Amazon);
- ``unknown`` codes, picked with ``random.Random(seed)``, have no item: a
  search for them finds nothing;
- ``ambiguous`` other codes have two items (two ASINs): a search finds both;
- every other code has exactly one item.

The result lists the codes of each kind, so a test asks for "an ambiguous
EAN" with ``generated.ambiguous[0]`` and for "an unknown EAN" with
``generated.unknown[0]`` (or ``catalog_ean(size + 1)``, never generated).
The same arguments always give the same items, ASINs and names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from amazon_jobs.simulator.catalog.gtin import ean13, upc_a
from amazon_jobs.simulator.catalog.items import CatalogItem
from amazon_jobs.simulator.config import SimulatorConfig

__all__ = [
    "EAN_BASE",
    "UPC_BASE",
    "GeneratedCatalog",
    "catalog_asin",
    "catalog_ean",
    "catalog_upc",
    "configured_catalog",
    "generate_catalog",
]

#: Body of the EAN of code 0; code *n* is ``ean13(EAN_BASE + n)``.
EAN_BASE = 400_000_000_000
#: Body of the UPC of code 0; code *n* is ``upc_a(UPC_BASE + n)``.
UPC_BASE = 84_000_000_000
_ASIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASIN_SPACE = 36**8
#: Odd and not a multiple of 3, so coprime with 36**8: a bijection on ASIN numbers.
_ASIN_STRIDE = 2_654_435_761
_BRANDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay")
_ADJECTIVES = ("Classic", "Compact", "Deluxe", "Eco", "Pro", "Smart", "Ultra", "Vintage")
_NOUNS = ("Backpack", "Blender", "Desk Lamp", "Headphones", "Kettle", "Mug", "Scarf", "Tent")
_COLOURS = ("Black", "Blue", "Green", "Grey", "Red", "White")
_PRODUCT_TYPES = ("PRODUCT", "HOME", "KITCHEN", "LUGGAGE", "HEADPHONES", "OUTDOOR_TENT")


@dataclass(frozen=True, slots=True)
class GeneratedCatalog:
    """The items of a generated catalog and the codes behind them."""

    items: tuple[CatalogItem, ...]
    #: Every code, by number (index 0 is code 1): EANs, then the UPCs.
    codes: tuple[str, ...]
    #: Codes that match two ASINs.
    ambiguous: tuple[str, ...]
    #: Valid codes with no item.
    unknown: tuple[str, ...]


def catalog_ean(number: int) -> str:
    """The EAN-13 of generated code *number*."""
    return ean13(EAN_BASE + number)


def catalog_upc(number: int) -> str:
    """The UPC-A of generated code *number* (when it is a UPC code)."""
    return upc_a(UPC_BASE + number)


def catalog_asin(seed: int, number: int, twin: int = 0) -> str:
    """The ASIN of the item of code *number* (*twin* 1 for the second of an ambiguous pair)."""
    value = ((seed * 1_000_003 + number * 2 + twin) * _ASIN_STRIDE) % _ASIN_SPACE
    digits = []
    for _ in range(8):
        value, rest = divmod(value, 36)
        digits.append(_ASIN_ALPHABET[rest])
    return "B0" + "".join(reversed(digits))


def generate_catalog(
    size: int, *, seed: int = 0, ambiguous: int = 0, unknown: int = 0, upcs: int = 0
) -> GeneratedCatalog:
    """The catalog described in the module docstring; ValueError if the counts do not fit."""
    if min(size, ambiguous, unknown, upcs) < 0 or ambiguous + unknown > size or upcs > size:
        raise ValueError("need 0 <= ambiguous + unknown <= size and 0 <= upcs <= size")
    rng = random.Random(seed)
    numbers = list(range(1, size + 1))
    picked = rng.sample(numbers, ambiguous + unknown)
    missing, doubled = set(picked[:unknown]), set(picked[unknown:])
    codes = tuple(_code(n, size, upcs) for n in numbers)
    items: list[CatalogItem] = []
    for number in numbers:
        if number in missing:
            continue
        items.append(_item(rng, seed, number, codes[number - 1], twin=0))
        if number in doubled:
            items.append(_item(rng, seed, number, codes[number - 1], twin=1))
    return GeneratedCatalog(
        items=tuple(items),
        codes=codes,
        ambiguous=tuple(codes[n - 1] for n in sorted(doubled)),
        unknown=tuple(codes[n - 1] for n in sorted(missing)),
    )


def _code(number: int, size: int, upcs: int) -> str:
    return catalog_upc(number) if number > size - upcs else catalog_ean(number)


def _item(rng: random.Random, seed: int, number: int, code: str, twin: int) -> CatalogItem:
    brand = rng.choice(_BRANDS)
    name = f"{brand} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}, {rng.choice(_COLOURS)}"
    is_upc = len(code) == 12
    return CatalogItem(
        asin=catalog_asin(seed, number, twin),
        item_name=name if not twin else f"{name} (2 pack)",
        brand=brand,
        product_type=rng.choice(_PRODUCT_TYPES),
        ean=None if is_upc else code,
        upc=code if is_upc else None,
    )


def configured_catalog(config: SimulatorConfig) -> GeneratedCatalog:
    """The catalog the ``catalog_*`` fields of *config* ask for (empty by default)."""
    return generate_catalog(
        config.catalog_size,
        seed=config.catalog_seed,
        ambiguous=config.catalog_ambiguous,
        unknown=config.catalog_unknown,
        upcs=config.catalog_upcs,
    )
