"""GTIN check digits, the generated catalog and seeding it into a simulator."""

from __future__ import annotations

import pytest

from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator.catalog.generator import (
    catalog_ean,
    catalog_upc,
    generate_catalog,
)
from amazon_jobs.simulator.catalog.gtin import ean13, gtin14, gtin_valid, upc_a
from amazon_jobs.simulator.catalog.items import CatalogItem


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (ean13(400638133393), "4006381333931"),
        (ean13(0), "0000000000000"),
        (ean13(400_000_000_001), "4000000000013"),
        (upc_a(88727630219), "887276302195"),
        (gtin14("887276302195"), "00887276302195"),
    ],
)
def test_codes_carry_the_right_check_digit(code, expected):
    assert code == expected
    assert gtin_valid(code)


def test_a_wrong_check_digit_or_size_is_not_valid():
    assert not gtin_valid("4006381333932")
    assert not gtin_valid("123")
    assert not gtin_valid("40063813339x1")
    with pytest.raises(ValueError):
        ean13(10**12)


def test_the_generated_catalog_has_the_asked_ambiguous_unknown_and_upc_codes():
    generated = generate_catalog(50, seed=3, ambiguous=4, unknown=5, upcs=10)
    assert len(generated.codes) == 50
    assert generated.codes[0] == catalog_ean(1)
    assert generated.codes[-1] == catalog_upc(50)
    assert len(generated.items) == 50 - 5 + 4
    assert len({item.asin for item in generated.items}) == len(generated.items)
    by_code: dict[str, list[CatalogItem]] = {}
    for item in generated.items:
        by_code.setdefault(item.upc or item.ean or "", []).append(item)
    assert sorted(code for code, items in by_code.items() if len(items) == 2) == sorted(
        generated.ambiguous
    )
    assert not set(generated.unknown) & set(by_code)
    assert all(gtin_valid(code) for code in generated.codes)


def test_generation_is_deterministic_and_seeded():
    first = generate_catalog(30, seed=1, ambiguous=2, unknown=2)
    assert first == generate_catalog(30, seed=1, ambiguous=2, unknown=2)
    assert first != generate_catalog(30, seed=2, ambiguous=2, unknown=2)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        generate_catalog(3, ambiguous=2, unknown=2)


def test_the_config_seeds_a_generated_catalog(clock):
    config = SimulatorConfig.focused(
        catalog_size=20, catalog_seed=5, catalog_ambiguous=2, catalog_unknown=3
    )
    simulator = Simulator(config, clock)
    generated = generate_catalog(20, seed=5, ambiguous=2, unknown=3)
    catalog = simulator.catalog()
    assert len(catalog) == 19
    assert len(catalog.find("EAN", generated.ambiguous[0])) == 2
    assert catalog.find("EAN", generated.unknown[0]) == []
    assert len(Simulator(SimulatorConfig.focused(), clock).catalog()) == 0


def test_seed_catalog_takes_items_or_mappings_per_marketplace(simulator):
    count = simulator.seed_catalog(
        [
            CatalogItem("B000000001", "Mug", "Acme", ean="4006381333931"),
            {"asin": "B000000002", "item_name": "Cup", "brand": "Acme", "upc": "887276302195"},
        ]
    )
    assert count == 2
    simulator.seed_catalog([{"asin": "B0DE000001", "item_name": "Tasse"}], "A1PA6795UKMFR9")
    assert simulator.catalog().get("B000000002").upc == "887276302195"
    assert simulator.catalog().get("B0DE000001") is None
    assert simulator.catalog("A1PA6795UKMFR9").get("B0DE000001").item_name == "Tasse"
    with pytest.raises(ValueError, match="asin"):
        simulator.seed_catalog([{"item_name": "no asin"}])


def test_a_reseeded_asin_replaces_its_old_codes(simulator):
    simulator.seed_catalog([CatalogItem("B000000001", "Mug", "Acme", ean="4006381333931")])
    simulator.seed_catalog([CatalogItem("B000000001", "Mug", "Acme", ean="4000000000013")])
    assert simulator.catalog().find("EAN", "4006381333931") == []
    assert [i.asin for i in simulator.catalog().find("EAN", "4000000000013")] == ["B000000001"]
