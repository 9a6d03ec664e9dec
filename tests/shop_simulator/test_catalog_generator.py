"""The seeded catalog: same seed same shop, valid codes, inactive products, and big
catalogs served fast (indexes, no quadratic scans)."""

from __future__ import annotations

from amazon_jobs.clock import VirtualClock
from amazon_jobs.shop_simulator import ShopSimulator, ShopSimulatorConfig
from amazon_jobs.shop_simulator.dispatch import WsRequest, handle
from amazon_jobs.simulator.catalog.gtin import check_digit

from .conftest import START


def _shop(products: int, seed: int) -> ShopSimulator:
    return ShopSimulator(ShopSimulatorConfig(products=products, seed=seed), VirtualClock(START))


def _get(sim: ShopSimulator, url: str, params: list[tuple[str, str]]) -> str:
    request = WsRequest(
        "GET", url, params, {"authorization": "Basic " + _basic()}, b"", "http://shop"
    )
    answer = handle(sim, request)
    assert answer.status == 200, answer.body
    return answer.body


def _basic() -> str:
    import base64

    from amazon_jobs.shop_simulator import DEFAULT_KEY

    return base64.b64encode(f"{DEFAULT_KEY}:".encode()).decode()


def test_same_seed_same_catalog_other_seed_other_catalog() -> None:
    first, again, other = _shop(50, 4), _shop(50, 4), _shop(50, 5)
    assert first.store["products"].rows == again.store["products"].rows
    assert first.store["combinations"].rows == again.store["combinations"].rows
    assert first.store["products"].rows != other.store["products"].rows


def test_codes_are_valid_and_some_products_are_inactive_or_combined() -> None:
    sim = _shop(300, 1)
    products, combinations = sim.store["products"], sim.store["combinations"]
    codes = [products.value(r, "ean13") for r in products] + [
        combinations.value(r, "ean13") for r in combinations
    ]
    assert all(len(c) == 13 and check_digit(c[:-1]) == c[-1] for c in codes)
    assert len(set(codes)) == len(codes)
    upcs = [t.value(r, "upc") for t in (products, combinations) for r in t if t.value(r, "upc")]
    assert upcs and all(len(u) == 12 and check_digit(u[:-1]) == u[-1] for u in upcs)
    assert 0 < sum(products.value(r, "active") == "0" for r in products) < 50
    assert len(combinations) > 100
    assert sim.skus == len(combinations) + sum(
        products.value(r, "product_type") == "standard" for r in products
    )


def test_a_100k_combination_catalog_pages_and_filters_by_index() -> None:
    """The filters the connector uses are index lookups, not scans (how fast a whole
    catalog is served is measured by ``bench.shop_catalog``, not asserted here)."""
    sim = ShopSimulator(
        ShopSimulatorConfig(products=26_000, seed=2, combination_share=1.0, max_combinations=6),
        VirtualClock(START),
    )
    assert len(sim.store["combinations"]) >= 100_000
    assert sim.store["combinations"].indexed("reference")
    assert sim.store["stock_availables"].indexed("id_product")
    for offset in range(0, 100_000, 10_000):
        page = _get(
            sim,
            "combinations",
            [
                ("display", "[id,id_product,reference,ean13,upc,price]"),
                ("limit", f"{offset},1000"),
                ("sort", "[id_ASC]"),
            ],
        )
        assert page.count("<combination>") == 1000
    for reference in ("PS000100-1", "PS020000-2", "PS025999-2"):
        found = _get(
            sim, "combinations", [("filter[reference]", f"[{reference}]"), ("display", "[id]")]
        )
        assert found.count("<combination>") == 1
    stock = _get(sim, "stock_availables", [("filter[id_product]", "[12345]"), ("display", "full")])
    assert stock.count("<stock_available>") >= 3
