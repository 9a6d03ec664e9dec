"""Properties of selling policies: whatever the rules and the shop's values, the
quantity is never negative and respects the cap, and the price respects the floor and
the ceiling, ends on the chosen cents when they do not interfere, and is never below
0.01."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from amazon_jobs.domain.policy import SellingPolicy, apply_price, apply_quantity

units = st.integers(0, 100_000)
money = st.integers(1, 10**8).map(lambda c: Decimal(c) / 100)


@st.composite
def quantity_policies(draw: st.DrawFn) -> SellingPolicy:
    source = draw(st.sampled_from(["shop", "percent", "fixed"]))
    values: dict[str, object] = {"qty_source": source}
    if source == "percent":
        values["qty_percent"] = str(Decimal(draw(st.integers(1, 10_000))) / 100)
    if source == "fixed":
        values["qty_fixed"] = draw(st.integers(0, 1000))
    values["qty_reserve"] = draw(st.integers(0, 50))
    values["qty_cap"] = draw(st.none() | st.integers(0, 1000))
    values["qty_min_stock"] = draw(st.none() | st.integers(0, 50))
    return SellingPolicy.from_values(values)


@st.composite
def price_policies(draw: st.DrawFn) -> SellingPolicy:
    bounds = sorted(draw(st.lists(money, min_size=2, max_size=2)))
    return SellingPolicy.from_values(
        {
            "price_source": draw(st.sampled_from(["tax_excl", "tax_incl"])),
            "price_markup_pct": str(Decimal(draw(st.integers(-9999, 50_000))) / 100),
            "price_markup_fixed": str(Decimal(draw(st.integers(-10_000, 10_000))) / 100),
            "price_rate": str(Decimal(draw(st.integers(1, 10**8))) / 10**6),
            "price_ending": draw(st.none() | st.integers(0, 99).map(lambda c: str(c / 100))),
            "price_floor": draw(st.none() | st.just(str(bounds[0]))),
            "price_ceiling": draw(st.none() | st.just(str(bounds[1]))),
        }
    )


@given(units, units, quantity_policies())
def test_quantity_is_never_negative_and_respects_the_cap(
    shop: int, held: int, policy: SellingPolicy
) -> None:
    quantity = apply_quantity(shop, held, policy)
    assert quantity >= 0
    if policy.qty_cap is not None:
        assert quantity <= policy.qty_cap
    if policy.qty_source != "fixed":
        assert quantity <= max(0, shop - held)  # never more than is left to sell
    if policy.qty_min_stock is not None and max(0, shop - held) < policy.qty_min_stock:
        assert quantity == 0


@given(money, st.none() | money, price_policies())
def test_price_respects_floor_ceiling_and_ending(
    excl: Decimal, incl: Decimal | None, policy: SellingPolicy
) -> None:
    price = apply_price(excl, incl, policy)
    assert price >= Decimal("0.01")
    assert price == price.quantize(Decimal("0.01"))
    if policy.price_floor is not None:
        assert price >= policy.price_floor
    if policy.price_ceiling is not None:
        assert price <= policy.price_ceiling
    bounded = price in (policy.price_floor, policy.price_ceiling)
    if policy.price_ending is not None and not bounded:
        assert price % 1 == policy.price_ending


@given(money, st.integers(0, 99))
def test_ending_is_the_smallest_price_at_or_above(price: Decimal, ending_cents: int) -> None:
    ending = Decimal(ending_cents) / 100
    policy = SellingPolicy.from_values({"price_ending": str(ending)})
    rounded = apply_price(price, None, policy)
    assert rounded >= price
    assert rounded - price < 1
    assert rounded % 1 == ending
