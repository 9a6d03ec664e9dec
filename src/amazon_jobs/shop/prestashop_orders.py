"""The Webservice calls of Orders to Shop and Shipments from Shop.

:func:`read_context` resolves the shop's settings once per step: state ids from
``configurations`` (``PS_OS_*``) and ``order_states`` (``shipped=1``), the
default carrier, currency, language and customer group, and ``PS_TIMEZONE``
(dates are shop-local, without offset: ``prestashop-facts.md`` §3.5).
:class:`ShopOrders` holds the look-ups and writes, one PrestaShop request each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from amazon_jobs.shop.order_mapping import CartLine
from amazon_jobs.shop.settings import ConnectorSettings
from amazon_jobs.shop.webservice import ShopError, WebserviceClient

__all__ = [
    "OrderRefusal",
    "ShopContext",
    "ShopOrders",
    "read_context",
    "shop_time",
    "to_shop_time",
]

_CONFIG_KEYS = (
    "PS_OS_ERROR",
    "PS_OS_WS_PAYMENT",
    "PS_CARRIER_DEFAULT",
    "PS_CURRENCY_DEFAULT",
    "PS_LANG_DEFAULT",
    "PS_CUSTOMER_GROUP",
    "PS_TIMEZONE",
)


class OrderRefusal(ShopError):
    """The shop cannot take this order as it is (unknown SKU, disabled product, an
    inactive country...): an error of the order's item, fixed in the shop, then retried."""


@dataclass(frozen=True, slots=True)
class ShopContext:
    """The shop's ids the connector works with, resolved from settings and the shop."""

    new_state: int
    shipped_states: frozenset[int]
    canceled_state: int
    error_state: int
    #: Where an order created over the Webservice starts (§3.1 step 5).
    ws_payment_state: int
    carrier_id: int
    currency_id: int
    language_id: int
    customer_group: int
    timezone: ZoneInfo
    settings: ConnectorSettings


def read_context(client: WebserviceClient, settings: ConnectorSettings) -> ShopContext:
    named = [settings.new_order_state, settings.canceled_state, *(settings.shipped_states or ())]
    keys = sorted({*_CONFIG_KEYS, *(s for s in named if s.startswith("PS_OS_"))})
    rows = client.list(
        "configurations", display=["name", "value"], filters={"name": f"[{'|'.join(keys)}]"}
    )
    config = {str(r.get("name")): str(r.get("value") or "") for r in rows}

    def state(value: str) -> int:
        if value.isdigit():
            return int(value)
        if not config.get(value, "").isdigit():
            raise ShopError(f"the shop has no configuration {value}: set the state id instead")
        return int(config[value])

    def number(setting: int | None, key: str) -> int:
        if setting is not None:
            return setting
        if not config.get(key, "").isdigit():
            raise ShopError(f"the shop has no configuration {key}")
        return int(config[key])

    if settings.shipped_states is not None:
        shipped = frozenset(state(s) for s in settings.shipped_states)
    else:
        found = client.list("order_states", display=["id"], filters={"shipped": "[1]"})
        shipped = frozenset(int(r["id"]) for r in found)
    return ShopContext(
        new_state=state(settings.new_order_state),
        shipped_states=shipped,
        canceled_state=state(settings.canceled_state),
        error_state=state("PS_OS_ERROR"),
        ws_payment_state=state("PS_OS_WS_PAYMENT"),
        carrier_id=number(settings.carrier_id, "PS_CARRIER_DEFAULT"),
        currency_id=number(settings.currency_id, "PS_CURRENCY_DEFAULT"),
        language_id=number(settings.language_id, "PS_LANG_DEFAULT"),
        customer_group=number(None, "PS_CUSTOMER_GROUP"),
        timezone=ZoneInfo(config.get("PS_TIMEZONE") or "UTC"),
        settings=settings,
    )


def shop_time(value: str, zone: ZoneInfo) -> datetime | None:
    """A shop date (``2026-03-02 10:00:00``, local) in UTC; None for the unset date."""
    if not value or value.startswith("0000"):
        return None
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).astimezone(UTC)


def to_shop_time(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _ids(values: Iterable[int]) -> str:
    return "[" + "|".join(str(v) for v in sorted(set(values))) + "]"


class ShopOrders:
    """Look-ups and writes for Amazon orders in one shop."""

    def __init__(self, client: WebserviceClient, context: ShopContext) -> None:
        self.client, self.context = client, context
        self._countries: dict[str, int] = {}

    # Customer and address

    def find_customer(self, email: str) -> int | None:
        rows = self.client.list(
            "customers", display=["id"], filters={"email": f"[{email}]", "deleted": "[0]"}
        )
        return int(rows[0]["id"]) if rows else None

    def find_address(self, customer_id: int, alias: str, marker: str) -> int | None:
        """The customer's not-deleted address whose ``other`` names *marker* (the order)."""
        rows = self.client.list(
            "addresses",
            display=["id", "other"],
            filters={"id_customer": f"[{customer_id}]", "alias": f"[{alias}]", "deleted": "[0]"},
        )
        for row in rows:
            if marker in str(row.get("other") or ""):
                return int(row["id"])
        return None

    def country_id(self, iso: str) -> int:
        known = self.context.settings.countries.get(iso) or self._countries.get(iso)
        if known:
            return known
        rows = self.client.list(
            "countries", display=["id", "iso_code", "active"], filters={"iso_code": f"[{iso}]"}
        )
        if not iso or not rows:
            raise OrderRefusal(f"the shop has no country {iso or '(none given)'}")
        if str(rows[0].get("active")) != "1":
            raise OrderRefusal(f"the shop's country {iso} is not active")
        self._countries[iso] = int(rows[0]["id"])
        return self._countries[iso]

    def create(self, resource: str, entity: str, fields: Mapping[str, Any]) -> int:
        return int(self.client.create(resource, entity, fields)["id"])

    # Products

    def cart_lines(
        self,
        wanted: Sequence[tuple[str, int]],
        known: Mapping[str, tuple[int, int]],
        country_id: int,
    ) -> list[CartLine]:
        """Each (SKU, quantity) as a cart line; *known* holds the catalog sync's ids.

        Each line carries the shop's own tax-included unit price for the delivery
        country *country_id* (``price[ti]``, facts §3.7): the shop computes the order's
        total from the same prices, taxes and rounding, so ``total_paid`` matches it.
        Refused (:class:`OrderRefusal`) when a SKU is not in the shop or its product is
        disabled: the shop would take the order anyway (cart rows are not checked, §2).
        """
        ids = {sku: known.get(sku) or self._find_sku(sku) for sku, _ in wanted}
        priced = {"price[ti][use_tax]": "1", "price[ti][country]": str(country_id)}
        products = {
            int(r["id"]): r
            for r in self.client.list(
                "products",
                display=["id", "reference", "active", "price", "ti"],
                filters={"id": _ids(p for p, _ in ids.values())},
                extra=priced,
            )
        }
        combination_ids = [c for _, c in ids.values() if c]
        combinations = (
            {
                int(r["id"]): r
                for r in self.client.list(
                    "combinations",
                    display=["id", "id_product", "price", "ti"],
                    filters={"id": _ids(combination_ids)},
                    extra=priced,
                )
            }
            if combination_ids
            else {}
        )
        return [
            self._line(sku, quantity, ids[sku], products, combinations) for sku, quantity in wanted
        ]

    def _find_sku(self, sku: str) -> tuple[int, int]:
        for row in self.client.list(
            "combinations", display=["id", "id_product", "reference"],
            filters={"reference": f"[{sku}]"},
        ):  # fmt: skip
            if str(row.get("reference")) == sku:
                return int(row["id_product"]), int(row["id"])
        for row in self.client.list(
            "products", display=["id", "reference"], filters={"reference": f"[{sku}]"}
        ):
            if str(row.get("reference")) == sku:
                return int(row["id"]), 0
        raise OrderRefusal(f"the shop has no product with SKU {sku}")

    @staticmethod
    def _line(
        sku: str,
        quantity: int,
        ids: tuple[int, int],
        products: Mapping[int, Mapping[str, Any]],
        combinations: Mapping[int, Mapping[str, Any]],
    ) -> CartLine:
        product_id, combination_id = ids
        product = products.get(product_id)
        if product is None or (combination_id and combination_id not in combinations):
            raise OrderRefusal(f"the shop has no product with SKU {sku} any more")
        if str(product.get("active")) != "1":
            raise OrderRefusal(f"SKU {sku}: product {product_id} is disabled in the shop")
        price = Decimal(str(product.get("price") or 0))
        priced = product
        if combination_id:
            priced = combinations[combination_id]
            price += Decimal(str(priced.get("price") or 0))
        return CartLine(
            sku=sku,
            product_id=product_id,
            combination_id=combination_id,
            quantity=quantity,
            unit_price=price,
            unit_price_tax_incl=Decimal(str(priced.get("ti") or 0)),
        )

    # Orders

    def order_of_cart(self, cart_id: int) -> dict[str, Any] | None:
        """The order made from *cart_id*, if any: one cart carries at most one order."""
        rows = self.client.list("orders", display="full", filters={"id_cart": f"[{cart_id}]"})
        return rows[0] if rows else None

    def order(self, order_id: int) -> dict[str, Any] | None:
        return self.client.get("orders", order_id)

    def set_state(self, order_id: int, state_id: int) -> None:
        self.client.create(
            "order_histories", "order_history", {"id_order": order_id, "id_order_state": state_id}
        )

    def set_note(self, order_id: int, note: str) -> None:
        self.client.patch("orders", "order", order_id, {"note": note})

    def changed_orders(self, since: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """Orders changed at or after *since* (shop time), oldest change first."""
        return self.client.list(
            "orders",
            display=["id", "current_state", "date_upd"],
            filters={"date_upd": f"[{since},2999-12-31 23:59:59]"},
            sort="[date_upd_ASC,id_ASC]",
            limit=(offset, limit),
        )

    def orders_by_id(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return self.client.list(
            "orders", display=["id", "current_state", "date_upd"], filters={"id": _ids(ids)}
        )

    def order_carriers(self, order_id: int) -> list[dict[str, Any]]:
        return self.client.list(
            "order_carriers", display="full", filters={"id_order": f"[{order_id}]"}
        )

    def carrier(self, carrier_id: int) -> dict[str, Any] | None:
        return self.client.get("carriers", carrier_id)
