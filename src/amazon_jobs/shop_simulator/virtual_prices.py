"""``price[name][param]=value``: computed price fields on products and combinations.

``WebserviceRequest::specificPriceCalculation`` (prestashop-facts §3.7) adds a field
*name* to every product or combination shown, priced by ``Product::getPriceStatic``:
the base ``price`` (tax excluded) plus the combination's impact, with tax when
``use_tax`` is 1 (the default, ``PS_TAX``), rounded to ``decimals`` (default 2, the
value of ``PS_PRICE_ROUND_MODE``: a quirk the facts note), written ``%f``. A product
asked without ``product_attribute`` is priced with its default combination. This
shop has no specific prices, so reductions never apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from amazon_jobs.shop_simulator.errors import WsError
from amazon_jobs.shop_simulator.schema import Field, Resource
from amazon_jobs.shop_simulator.store import Row, Store

__all__ = ["PRICED_RESOURCES", "price_fields"]

PRICED_RESOURCES = ("products", "combinations")
_PARAM = re.compile(r"^price\[([^\]]*)\](?:\[([^\]]*)\])?$")

#: A computed field's name, its Field and how it reads a row.
Virtual = tuple[Field, Callable[[Row], str]]


def price_fields(
    store: Store, resource: Resource, params: Sequence[tuple[str, str]], tax_rate: float
) -> list[Virtual]:
    """The ``price[…]`` fields asked for (none on resources other than products and
    combinations, where PrestaShop ignores them); a bad name is 400 code 128."""
    asked: dict[str, dict[str, str]] = {}
    for key, value in params:
        match = _PARAM.match(key)
        if match is None:
            continue
        name, param = match.group(1), match.group(2) or ""
        if not re.fullmatch(r"[a-zA-Z0-9_]+", name) or name in resource.by_name:
            raise WsError(400, (128, f'The field "{name}" cannot be a price field name'))
        asked.setdefault(name, {})[param] = value
    if resource.name not in PRICED_RESOURCES:
        return []
    return [
        (Field(name, "float", computed=True), _reader(store, resource, options, tax_rate))
        for name, options in asked.items()
    ]


def _reader(
    store: Store, resource: Resource, options: Mapping[str, str], tax_rate: float
) -> Callable[[Row], str]:
    def read(row: Row) -> str:
        if resource.name == "combinations":
            product = store["products"].rows.get(int(row.get("id_product", "0") or 0))
            combination: Row | None = row
        else:
            product = row
            default = store["products"].value(row, "cache_default_attribute")
            wanted = options.get("product_attribute") or default
            combination = store["combinations"].rows.get(int(wanted)) if wanted.isdigit() else None
        if product is None:
            return f"{0:f}"
        taxed = store["products"].value(product, "id_tax_rules_group") != "0"
        return f"{_price(product, combination, options, tax_rate if taxed else 0.0):f}"

    return read


def _price(
    product: Row, combination: Row | None, options: Mapping[str, str], tax_rate: float
) -> float:
    price = float(product.get("price") or 0)
    if combination is not None and str(combination.get("id_product")) == str(product["id"]):
        price += float(combination.get("price") or 0)
    if options.get("use_tax", "1") != "0":
        price *= 1 + tax_rate / 100
    decimals = int(options["decimals"]) if options.get("decimals", "").isdigit() else 2
    return round(price, decimals)
