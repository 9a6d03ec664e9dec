"""Selling policies: how an account turns the shop's stock and price into what it sends.

A policy belongs to one Amazon account (an account sells on one marketplace,
so its policy is also the marketplace's). Without one, the account sends the
shop's values unchanged: the stock that is available to sell and the shop's
tax-excluded price.

Quantity, in this order (integers throughout):

1. ``available = max(0, shop stock - held back)``: *held back* is the units of
   the account's Amazon orders not yet in the shop (see
   :mod:`amazon_jobs.store.available`); Amazon already took them off its
   quantity, the shop has not yet.
2. base: ``available`` (``qty_source=shop``), ``floor(available x qty_percent
   / 100)`` (``percent``), or ``qty_fixed`` whatever the stock (``fixed``, for
   goods made to order).
3. minus the reserve: ``max(0, base - qty_reserve)`` ("keep 2 back").
4. the cap: ``min(…, qty_cap)`` ("not more than 10").
5. the threshold: 0 when ``available < qty_min_stock`` ("stop below 3 left").

Price, in whole cents of integers, each step rounded half up to the cent:

1. the shop's price, tax excluded or included (``price_source``);
2. ``x (1 + price_markup_pct / 100)``, then ``+ price_markup_fixed`` (shop
   currency), at least one cent;
3. ``x price_rate`` (shop currency → the marketplace's), at least one cent;
4. the ending: the smallest price ≥ the result whose cents are
   ``price_ending`` (0.99: 12.40 → 12.99, 13.00 → 13.99; 0.00: whole units up);
5. the floor, then the ceiling (both in the marketplace's currency) win over
   the ending; the result is at least 0.01.

The integer forms (:attr:`SellingPolicy.percent_bp`, :attr:`rate_micro`, …)
are what both :func:`apply_quantity`/:func:`apply_price` and the SQL that
finds listings due for sync (:mod:`amazon_jobs.store.available`) compute
with, so the two never disagree by a cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from amazon_jobs.errors import PolicyError

__all__ = [
    "NEUTRAL",
    "TRACE_KEYS",
    "PriceSource",
    "QuantitySource",
    "SellingPolicy",
    "apply_price",
    "apply_quantity",
    "cents",
    "describe",
    "trace",
]

#: The largest quantity, reserve, cap or threshold a policy accepts.
MAX_UNITS = 1_000_000
#: The largest amount (price, markup, floor, ceiling) a policy accepts.
MAX_AMOUNT = Decimal("1000000")
MAX_RATE = Decimal("1000")
MAX_MARKUP_PCT = Decimal("1000")
CENT = Decimal("0.01")
E = TypeVar("E", bound=StrEnum)
#: Keys of an item's ``sent`` values that say where a value came from (the shop's
#: value, the units held back, whether a policy applied), not what Amazon shows.
TRACE_KEYS = frozenset({"shop_quantity", "held_back", "shop_price", "policy"})


class QuantitySource(StrEnum):
    """What the quantity starts from."""

    #: The stock available to sell.
    SHOP = "shop"
    #: A percentage of the stock available to sell, rounded down.
    PERCENT = "percent"
    #: A fixed number, whatever the stock.
    FIXED = "fixed"


class PriceSource(StrEnum):
    """Which of the shop's prices the price starts from."""

    TAX_EXCL = "tax_excl"
    TAX_INCL = "tax_incl"


@dataclass(frozen=True, slots=True)
class SellingPolicy:
    """An account's quantity and price rules; validated when made (:class:`PolicyError`)."""

    qty_source: QuantitySource = QuantitySource.SHOP
    qty_fixed: int | None = None
    qty_percent: Decimal | None = None
    qty_reserve: int = 0
    qty_cap: int | None = None
    qty_min_stock: int | None = None
    price_source: PriceSource = PriceSource.TAX_EXCL
    price_markup_pct: Decimal = Decimal(0)
    price_markup_fixed: Decimal = Decimal(0)
    price_rate: Decimal = Decimal(1)
    price_ending: Decimal | None = None
    price_floor: Decimal | None = None
    price_ceiling: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "qty_source", _enum(QuantitySource, "qty_source", self.qty_source))
        object.__setattr__(
            self, "price_source", _enum(PriceSource, "price_source", self.price_source)
        )
        _validate(self)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> SellingPolicy:
        """A policy from loose values (strings, numbers, None); unknown names refused."""
        known = {f.name for f in fields(cls)}
        for name in values:
            if name not in known:
                raise PolicyError(name, "is not a selling policy setting")
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                continue
            converted[name] = _convert(name, value)
        return cls(**converted)

    def as_values(self) -> dict[str, Any]:
        """JSON-safe values (Decimals as strings), the inverse of :meth:`from_values`."""
        return {
            name: (str(value) if isinstance(value, Decimal) else value)
            for name, value in asdict(self).items()
        }

    # Integer forms, shared with the SQL of listings due for sync

    @property
    def percent_bp(self) -> int:
        """qty_percent in hundredths of a percent (50.5 % → 5050)."""
        return int((self.qty_percent or Decimal(100)) * 100)

    @property
    def markup_bp(self) -> int:
        return int(self.price_markup_pct * 100)

    @property
    def markup_cents(self) -> int:
        return cents(self.price_markup_fixed)

    @property
    def rate_micro(self) -> int:
        return int(self.price_rate * 1_000_000)

    @property
    def ending_cents(self) -> int | None:
        return None if self.price_ending is None else cents(self.price_ending)

    @property
    def floor_cents(self) -> int | None:
        return None if self.price_floor is None else cents(self.price_floor)

    @property
    def ceiling_cents(self) -> int | None:
        return None if self.price_ceiling is None else cents(self.price_ceiling)


def cents(amount: Decimal) -> int:
    """An amount of at most two decimals as whole cents."""
    return int(amount.quantize(CENT) * 100)


def apply_quantity(shop_qty: int, held_back: int, policy: SellingPolicy) -> int:
    """The quantity to send for *shop_qty* in stock of which *held_back* are sold on
    Amazon but not yet in the shop (steps in the module docstring); never negative."""
    available = max(0, shop_qty - held_back)
    if policy.qty_min_stock is not None and available < policy.qty_min_stock:
        return 0
    if policy.qty_source is QuantitySource.FIXED:
        base = policy.qty_fixed or 0
    elif policy.qty_source is QuantitySource.PERCENT:
        base = available * policy.percent_bp // 10_000
    else:
        base = available
    quantity = max(0, base - policy.qty_reserve)
    if policy.qty_cap is not None:
        quantity = min(quantity, policy.qty_cap)
    return quantity


def apply_price(
    shop_price_excl: Decimal, shop_price_incl: Decimal | None, policy: SellingPolicy
) -> Decimal:
    """The price to send (steps in the module docstring); at least 0.01.

    A product whose tax-included price is not known (entered by hand: the
    manual shop has one price) starts from its one price for either source.
    """
    source = shop_price_excl
    if policy.price_source is PriceSource.TAX_INCL and shop_price_incl is not None:
        source = shop_price_incl
    amount = _half_up(cents(source) * (10_000 + policy.markup_bp), 10_000)
    amount = max(1, amount + policy.markup_cents)
    amount = max(1, _half_up(amount * policy.rate_micro, 1_000_000))
    ending = policy.ending_cents
    if ending is not None:
        rounded = amount // 100 * 100 + ending
        amount = rounded if rounded >= amount else rounded + 100
    if policy.floor_cents is not None:
        amount = max(amount, policy.floor_cents)
    if policy.ceiling_cents is not None:
        amount = min(amount, policy.ceiling_cents)
    return (Decimal(max(1, amount)) / 100).quantize(CENT)


def describe(policy: SellingPolicy) -> str:
    """The policy in a few words ("reserve 2, cap 10; +12 %, ends .99"); "none" if neutral."""
    qty: list[str] = []
    if policy.qty_source is QuantitySource.FIXED:
        qty.append(f"fixed {policy.qty_fixed}")
    elif policy.qty_source is QuantitySource.PERCENT:
        qty.append(f"{policy.qty_percent} % of stock")
    if policy.qty_reserve:
        qty.append(f"reserve {policy.qty_reserve}")
    if policy.qty_cap is not None:
        qty.append(f"cap {policy.qty_cap}")
    if policy.qty_min_stock is not None:
        qty.append(f"0 below {policy.qty_min_stock}")
    price: list[str] = []
    if policy.price_source is PriceSource.TAX_INCL:
        price.append("tax incl.")
    if policy.price_markup_pct:
        price.append(f"{policy.price_markup_pct:+} %")
    if policy.price_markup_fixed:
        price.append(f"{policy.price_markup_fixed:+}")
    if policy.price_rate != 1:
        price.append(f"x {policy.price_rate}")
    if policy.price_ending is not None:
        price.append(f"ends .{policy.ending_cents:02d}")
    if policy.price_floor is not None:
        price.append(f"floor {policy.price_floor}")
    if policy.price_ceiling is not None:
        price.append(f"ceiling {policy.price_ceiling}")
    parts = [", ".join(p) for p in (qty, price) if p]
    return "; ".join(parts) or "none"


def trace(values: Mapping[str, Any]) -> tuple[list[str], frozenset[str]]:
    """An item's sent values as shop value -> policy -> sent value, e.g.
    ``qty 12 \u2212 2 held back → policy → 8`` and ``price 9.99 → policy → 11.99``;
    returns those parts and the keys they used (empty when nothing was traced)."""
    parts: list[str] = []
    used: set[str] = set()
    policy = " → policy" if values.get("policy") else ""
    if "shop_quantity" in values and "quantity" in values:
        held = values.get("held_back")
        minus = f" \u2212 {held} held back" if held else ""
        parts.append(f"qty {values['shop_quantity']}{minus}{policy} → {values['quantity']}")
        used |= {"shop_quantity", "held_back", "quantity"}
    if "shop_price" in values and "price" in values:
        parts.append(f"price {values['shop_price']}{policy} → {values['price']}")
        used |= {"shop_price", "price"}
    if used:
        used.add("policy")
    return parts, frozenset(used)


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for numerator ≥ 0."""
    return (numerator + denominator // 2) // denominator


# Validation: each message says what a merchant should enter instead.

_INTS = ("qty_fixed", "qty_reserve", "qty_cap", "qty_min_stock")
_DECIMALS = {
    "qty_percent": 2,
    "price_markup_pct": 2,
    "price_markup_fixed": 2,
    "price_rate": 6,
    "price_ending": 2,
    "price_floor": 2,
    "price_ceiling": 2,
}


def _convert(name: str, value: Any) -> Any:
    if name == "qty_source":
        return _enum(QuantitySource, name, value)
    if name == "price_source":
        return _enum(PriceSource, name, value)
    if name in _INTS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise PolicyError(name, "must be a whole number")
        try:
            return int(value)
        except ValueError:
            raise PolicyError(name, "must be a whole number") from None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise PolicyError(name, "must be a number") from None


def _enum(kind: type[E], name: str, value: Any) -> E:
    try:
        return kind(str(value))
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise PolicyError(name, f"must be one of {choices}") from None


def _validate(p: SellingPolicy) -> None:
    _check_quantity(p)
    _check_price(p)


def _check_quantity(p: SellingPolicy) -> None:
    for name in _INTS:
        value = getattr(p, name)
        if value is not None and not 0 <= value <= MAX_UNITS:
            raise PolicyError(name, f"must be between 0 and {MAX_UNITS}")
    if (p.qty_source is QuantitySource.FIXED) != (p.qty_fixed is not None):
        raise PolicyError("qty_fixed", "is given with the fixed quantity source, and only then")
    if (p.qty_source is QuantitySource.PERCENT) != (p.qty_percent is not None):
        raise PolicyError("qty_percent", "is given with the percent quantity source, and only then")
    if p.qty_percent is not None:
        _check_places("qty_percent", p.qty_percent)
        if not 0 < p.qty_percent <= 100:
            raise PolicyError("qty_percent", "must be more than 0 and at most 100")


def _check_price(p: SellingPolicy) -> None:
    for name in _DECIMALS:
        value = getattr(p, name)
        if value is not None:
            _check_places(name, value)
    if not -100 < p.price_markup_pct <= MAX_MARKUP_PCT:
        raise PolicyError(
            "price_markup_pct", f"must be more than -100 and at most {MAX_MARKUP_PCT}"
        )
    if abs(p.price_markup_fixed) > MAX_AMOUNT:
        raise PolicyError("price_markup_fixed", f"must be between -{MAX_AMOUNT} and {MAX_AMOUNT}")
    if not 0 < p.price_rate <= MAX_RATE:
        raise PolicyError("price_rate", f"must be more than 0 and at most {MAX_RATE}")
    if p.price_ending is not None and not 0 <= p.price_ending <= Decimal("0.99"):
        raise PolicyError("price_ending", "must be between 0.00 and 0.99 (the cents to end on)")
    for name in ("price_floor", "price_ceiling"):
        value = getattr(p, name)
        if value is not None and not 0 < value <= MAX_AMOUNT:
            raise PolicyError(name, f"must be more than 0 and at most {MAX_AMOUNT}")
    floor, ceiling = p.price_floor, p.price_ceiling
    if floor is not None and ceiling is not None and floor > ceiling:
        raise PolicyError("price_floor", "must not be above the ceiling")


def _check_places(name: str, value: Decimal) -> None:
    if not value.is_finite():
        raise PolicyError(name, "must be a number")
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > _DECIMALS[name]:
        raise PolicyError(name, f"must have at most {_DECIMALS[name]} decimals")


#: No policy: the shop's values unchanged.
NEUTRAL = SellingPolicy()
