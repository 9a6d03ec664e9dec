"""Selling policy arithmetic and validation: worked examples, one per rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_jobs.domain.policy import (
    NEUTRAL,
    SellingPolicy,
    apply_price,
    apply_quantity,
    describe,
)
from amazon_jobs.errors import PolicyError

D = Decimal


def test_no_policy_sends_the_stock_available_to_sell() -> None:
    assert apply_quantity(12, 0, NEUTRAL) == 12
    assert apply_quantity(12, 2, NEUTRAL) == 10
    assert apply_quantity(3, 5, NEUTRAL) == 0


def test_no_policy_sends_the_tax_excluded_shop_price() -> None:
    assert apply_price(D("19.99"), D("23.99"), NEUTRAL) == D("19.99")


@pytest.mark.parametrize(
    ("values", "shop", "held", "expected"),
    [
        ({"qty_reserve": 2}, 12, 2, 8),
        ({"qty_cap": 10}, 50, 0, 10),
        ({"qty_reserve": 2, "qty_cap": 10}, 50, 5, 10),
        ({"qty_source": "percent", "qty_percent": "50"}, 7, 0, 3),
        ({"qty_source": "percent", "qty_percent": "33.33"}, 100, 1, 32),
        ({"qty_source": "fixed", "qty_fixed": 5}, 0, 0, 5),
        ({"qty_min_stock": 3}, 4, 2, 0),
        ({"qty_min_stock": 3}, 5, 2, 3),
        ({"qty_reserve": 20}, 12, 0, 0),
    ],
)
def test_quantity_rules(values: dict[str, object], shop: int, held: int, expected: int) -> None:
    assert apply_quantity(shop, held, SellingPolicy.from_values(values)) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"price_markup_pct": "12"}, D("11.20")),
        ({"price_markup_fixed": "1.50"}, D("11.50")),
        ({"price_markup_pct": "10", "price_markup_fixed": "1"}, D("12.00")),
        ({"price_rate": "1.17"}, D("11.70")),
        ({"price_ending": "0.99"}, D("10.99")),
        ({"price_markup_pct": "25", "price_ending": "0.99"}, D("12.99")),
        ({"price_ending": "0.00", "price_markup_fixed": "0.01"}, D("11.00")),
        ({"price_floor": "15"}, D("15.00")),
        ({"price_ceiling": "9.50"}, D("9.50")),
        ({"price_ending": "0.99", "price_ceiling": "10.50"}, D("10.50")),
        ({"price_source": "tax_incl"}, D("12.00")),
        ({"price_markup_fixed": "-20"}, D("0.01")),
    ],
)
def test_price_rules(values: dict[str, object], expected: Decimal) -> None:
    policy = SellingPolicy.from_values(values)
    assert apply_price(D("10.00"), D("12.00"), policy) == expected


def test_markup_rounds_half_up_to_the_cent() -> None:
    policy = SellingPolicy.from_values({"price_markup_pct": "5"})
    assert apply_price(D("0.10"), None, policy) == D("0.11")  # 0.105 -> 0.11


def test_tax_included_source_falls_back_to_the_one_price_of_a_manual_product() -> None:
    policy = SellingPolicy.from_values({"price_source": "tax_incl"})
    assert apply_price(D("10.00"), None, policy) == D("10.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"qty_source": "percent", "qty_percent": "0"}, "qty_percent"),
        ({"qty_source": "percent", "qty_percent": "150"}, "qty_percent"),
        ({"qty_source": "percent"}, "qty_percent"),
        ({"qty_percent": "50"}, "qty_percent"),
        ({"qty_source": "fixed"}, "qty_fixed"),
        ({"qty_reserve": -1}, "qty_reserve"),
        ({"qty_cap": "ten"}, "qty_cap"),
        ({"price_rate": "0"}, "price_rate"),
        ({"price_rate": "1.0000001"}, "price_rate"),
        ({"price_floor": "20", "price_ceiling": "10"}, "price_floor"),
        ({"price_ending": "1.5"}, "price_ending"),
        ({"price_markup_pct": "-100"}, "price_markup_pct"),
        ({"price_markup_fixed": "1.005"}, "price_markup_fixed"),
        ({"price_source": "gross"}, "price_source"),
        ({"price_floor": "abc"}, "price_floor"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_policies_name_the_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        SellingPolicy.from_values(values)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_values_round_trip_and_describe() -> None:
    policy = SellingPolicy.from_values(
        {"qty_reserve": 2, "qty_cap": 10, "price_markup_pct": "12", "price_ending": "0.99"}
    )
    assert SellingPolicy.from_values(policy.as_values()) == policy
    assert describe(policy) == "reserve 2, cap 10; +12 %, ends .99"
    assert describe(NEUTRAL) == "none"
