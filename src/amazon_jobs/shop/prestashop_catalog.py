"""PrestaShop's catalog as SKUs: what the Shop Catalog Sync reads and how it maps it.

Reads (prestashop-facts.md §2, §3.3, §3.5 to §3.8), each paged by id (keyset:
``filter[id]=>[last]``, ``sort=[id_ASC]``, ``limit=N``), so a page is the same
whoever changes the shop meanwhile:

- products with only the fields needed, and ``price[ti]`` (the shop's own
  tax-included price, §3.7); incremental reads add ``date_upd ≥ since`` (§3.5);
- the combinations and stock rows of a page's products (``filter[id_product]=[1|2|…]``);
- every stock row, cheaply (``display=[id,id_product,id_product_attribute,quantity]``),
  since stock writes leave no date anywhere (§3.3).

Mapping (pure, :func:`map_page`): each combination is a SKU, a product without
combinations is one (§3.6); a combination's empty EAN13/UPC takes its product's;
the price without tax is the product's ``price`` plus the combination's impact.
Items that cannot be a SKU (no reference, one longer than Amazon's 40
characters, a duplicate, no price) are :class:`ItemError` values, one per item.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from amazon_jobs.domain.catalog import QUANTITY_MAX, SKU_MAX, TITLE_MAX, gtin_valid
from amazon_jobs.shop.webservice import WebserviceClient

__all__ = [
    "PRODUCT_FIELDS",
    "ItemError",
    "ShopContext",
    "ShopItem",
    "combinations_of",
    "item_ref",
    "map_page",
    "product_page",
    "read_context",
    "shop_datetime",
    "shop_time_text",
    "stock_of",
    "stock_page",
    "zone_named",
]

PRODUCT_FIELDS = ("id", "reference", "ean13", "upc", "price", "active", "name", "date_upd", "ti")
COMBINATION_FIELDS = ("id", "id_product", "reference", "ean13", "upc", "price", "ti")
STOCK_FIELDS = ("id", "id_product", "id_product_attribute", "quantity")
#: The shop's own tax-included price of each row (its default country and group).
TAX_INCLUDED = {"price[ti][use_tax]": "1"}
NO_REFERENCE = "no reference (SKU) in the shop: set one"
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ShopContext:
    """What reading the shop needs from its configuration."""

    zone: tzinfo
    zone_name: str
    language_id: int


@dataclass(frozen=True, slots=True)
class ShopItem:
    """One sellable item of the shop, as the catalog stores it."""

    sku: str
    product_id: int
    combination_id: int
    ean: str | None
    title: str
    quantity: int
    price: Decimal
    price_tax_incl: Decimal | None
    active: bool


@dataclass(frozen=True, slots=True)
class ItemError:
    """An item of the shop that cannot be a SKU, and why."""

    ref: str
    product_id: int
    combination_id: int
    message: str


def item_ref(product_id: int, combination_id: int) -> str:
    """How an item without a usable reference is named: ``product 12`` / ``… combination 3``."""
    if combination_id:
        return f"product {product_id} combination {combination_id}"
    return f"product {product_id}"


# Time


def shop_datetime(text: str, zone: tzinfo) -> datetime | None:
    """A shop date (``YYYY-MM-DD HH:MM:SS``, shop-local, §3.5) as UTC; None when unset."""
    if not text or text.startswith("0000"):
        return None
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return local.replace(tzinfo=zone).astimezone(UTC)


def shop_time_text(moment: datetime, zone: tzinfo) -> str:
    """*moment* as the shop writes dates, for a ``date_upd`` filter."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def zone_named(name: str) -> tzinfo:
    """The time zone called *name* (UTC when unknown here)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# Reads


def read_context(client: WebserviceClient) -> ShopContext:
    """``PS_TIMEZONE`` and ``PS_LANG_DEFAULT`` (UTC and language 1 when unset)."""
    rows = client.list(
        "configurations",
        display=["name", "value"],
        filters={"name": "[PS_TIMEZONE|PS_LANG_DEFAULT]"},
    )
    values = {str(r.get("name")): str(r.get("value") or "") for r in rows}
    zone_name = values.get("PS_TIMEZONE") or "UTC"
    language = values.get("PS_LANG_DEFAULT", "")
    return ShopContext(zone_named(zone_name), zone_name, int(language) if language.isdigit() else 1)


def product_page(
    client: WebserviceClient,
    context: ShopContext,
    *,
    after_id: int,
    size: int,
    since: str | None = None,
    ids: Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """Products with id > *after_id* (changed since *since*, or among *ids*), by id."""
    filters = {"id": f">[{after_id}]"}
    if ids is not None:
        filters = {"id": "[" + "|".join(str(i) for i in ids) + "]"}
    if since is not None:
        filters["date_upd"] = f"[{since},9999-12-31 23:59:59]"
    return client.list(
        "products",
        display=list(PRODUCT_FIELDS),
        filters=filters,
        sort="[id_ASC]",
        limit=size if ids is None else None,
        extra={**TAX_INCLUDED, "language": str(context.language_id)},
    )


def combinations_of(client: WebserviceClient, product_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every combination of *product_ids* (none asked: none read)."""
    if not product_ids:
        return []
    return client.list(
        "combinations",
        display=list(COMBINATION_FIELDS),
        filters={"id_product": _any_of(product_ids)},
        extra=TAX_INCLUDED,
    )


def stock_of(client: WebserviceClient, product_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The stock rows of *product_ids*."""
    if not product_ids:
        return []
    return client.list(
        "stock_availables", display=list(STOCK_FIELDS), filters={"id_product": _any_of(product_ids)}
    )


def stock_page(client: WebserviceClient, *, after_id: int, size: int) -> list[dict[str, Any]]:
    """Stock rows with id > *after_id*, by id."""
    return client.list(
        "stock_availables",
        display=list(STOCK_FIELDS),
        filters={"id": f">[{after_id}]"},
        sort="[id_ASC]",
        limit=size,
    )


def _any_of(ids: Iterable[int]) -> str:
    return "[" + "|".join(str(i) for i in ids) + "]"


# Mapping


def map_page(
    products: Sequence[Mapping[str, Any]],
    combinations: Sequence[Mapping[str, Any]],
    stock: Sequence[Mapping[str, Any]],
) -> tuple[list[ShopItem], list[ItemError]]:
    """The SKUs of a page of products, and the items that cannot be SKUs."""
    quantities = {
        (_int(s.get("id_product")), _int(s.get("id_product_attribute"))): _int(s.get("quantity"))
        for s in stock
    }
    by_product: dict[int, list[Mapping[str, Any]]] = {}
    for combination in combinations:
        by_product.setdefault(_int(combination.get("id_product")), []).append(combination)
    items: list[ShopItem | ItemError] = []
    for product in products:
        product_id = _int(product.get("id"))
        rows = sorted(by_product.get(product_id, []), key=lambda c: _int(c.get("id")))
        if not rows:
            items.append(_item(product, None, quantities.get((product_id, 0), 0)))
        for combination in rows:
            key = (product_id, _int(combination.get("id")))
            items.append(_item(product, combination, quantities.get(key, 0)))
    return _without_duplicates(items)


def _item(
    product: Mapping[str, Any], combination: Mapping[str, Any] | None, quantity: int
) -> ShopItem | ItemError:
    product_id = _int(product.get("id"))
    combination_id = _int(combination.get("id")) if combination is not None else 0
    ref = item_ref(product_id, combination_id)
    own = combination if combination is not None else product
    sku = str(own.get("reference") or "").strip()
    problem = _sku_problem(sku)
    if problem:
        return ItemError(ref if not sku else sku[:60], product_id, combination_id, problem)
    price = _decimal(product.get("price"))
    if combination is not None and price is not None:
        impact = _decimal(combination.get("price"))
        price = None if impact is None else price + impact
    price = None if price is None else price.quantize(CENT, rounding=ROUND_HALF_UP)
    if price is None or price <= 0:
        shown = "none" if price is None else f"{price}"
        return ItemError(
            sku, product_id, combination_id, f"price {shown} in the shop: it must be above 0"
        )
    active = str(product.get("active") or "0") == "1"
    return ShopItem(
        sku=sku,
        product_id=product_id,
        combination_id=combination_id,
        ean=_ean(product, combination),
        title=_title(product, sku),
        quantity=min(max(quantity, 0), QUANTITY_MAX) if active else 0,
        price=price,
        price_tax_incl=_money(own.get("ti")),
        active=active,
    )


def _sku_problem(sku: str) -> str | None:
    if not sku:
        return NO_REFERENCE
    if len(sku) > SKU_MAX:
        return f"reference {sku!r} is longer than {SKU_MAX} characters, Amazon's SKU limit"
    if any(unicodedata.category(c) == "Cc" for c in sku):
        return f"reference {sku!r} contains a control character"
    return None


def _without_duplicates(
    items: Sequence[ShopItem | ItemError],
) -> tuple[list[ShopItem], list[ItemError]]:
    counts: dict[str, int] = {}
    for item in items:
        if isinstance(item, ShopItem):
            counts[item.sku] = counts.get(item.sku, 0) + 1
    good: list[ShopItem] = []
    bad: list[ItemError] = []
    for item in items:
        if isinstance(item, ItemError):
            bad.append(item)
        elif counts[item.sku] > 1:
            message = f"reference {item.sku!r} is used by {counts[item.sku]} items of the shop"
            bad.append(ItemError(item.sku, item.product_id, item.combination_id, message))
        else:
            good.append(item)
    return good, bad


def _ean(product: Mapping[str, Any], combination: Mapping[str, Any] | None) -> str | None:
    """The first valid code of: the combination's EAN13, the product's, then the UPCs."""
    for field in ("ean13", "upc"):
        for row in (combination, product):
            code = str((row or {}).get(field) or "").strip()
            if code and gtin_valid(code):
                return code
    return None


def _title(product: Mapping[str, Any], sku: str) -> str:
    name = product.get("name")
    if isinstance(name, list):  # several languages: [{"id": "1", "value": "Mug"}, ...]
        name = next((n.get("value") for n in name if isinstance(n, dict)), "")
    text = " ".join(str(name or "").split())
    return (text or sku)[:TITLE_MAX]


def _decimal(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) >= Decimal("10000000000"):
        return None
    return value


def _money(raw: Any) -> Decimal | None:
    value = _decimal(raw)
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def _int(raw: Any) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return 0
