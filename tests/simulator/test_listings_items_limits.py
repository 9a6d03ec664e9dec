"""The Listings Items API's limits at both of Amazon's levels: each seller-application
pair (patch 5/s, burst 5; get 5/s, burst 10) and the application as a whole, whatever
seller asks (get 100/s, patch 500/s: docs listings-items-api-rate-limits)."""

from __future__ import annotations

import dataclasses

import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import QUOTA_EXCEEDED, SpApi
from .listings_items_helpers import ITEMS, check, get_item, patch_item, quantity_patch

APPLICATION_QUOTA = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "The frequency of requests was greater than what is allowed for the "
            "application.",
            "details": "",
        }
    ]
}


@pytest.fixture(autouse=True)
def catalog(simulator):
    simulator.seed_catalog(ITEMS)


def throttled(response, body=QUOTA_EXCEEDED):
    assert response.status_code == 429, response.text
    assert check(response, "ErrorList") == body
    return True


def seller_sp(sp: SpApi, simulator, n: int) -> SpApi:
    """A client acting for a new seller of the same application, with SKU-A listed."""
    seller_id, refresh = f"A{n:03d}SELLER", f"Atzr|seller-{n}"
    simulator.add_seller(seller_id, refresh)
    listing = {"sku": "SKU-A", "asin": "B0LISTED01", "quantity": 1, "price": "5"}
    simulator.seed_listings([listing], seller_id)
    config = dataclasses.replace(sp.config, seller_id=seller_id, refresh_token=refresh)
    return SpApi(sp.http, config, sp.clock)


def test_patch_allows_a_burst_of_five_per_seller_then_429(sp, clock, simulator):
    for quantity in range(5):
        response = patch_item(sp, "SKU-A", quantity_patch(quantity))
        assert response.status_code == 200 and response.headers["x-amzn-RateLimit-Limit"] == "5.0"
    assert throttled(patch_item(sp, "SKU-A", quantity_patch(9)))
    assert simulator.listings()["SKU-A"].quantity == 4, "the throttled patch did nothing"
    clock.advance(0.2)
    assert patch_item(sp, "SKU-A", quantity_patch(9)).status_code == 200
    assert throttled(patch_item(sp, "SKU-A", quantity_patch(10)))
    stats = simulator.stats()
    assert stats["throttled"] == {"patchListingsItem": 2} and stats["throttled_application"] == {}


def test_get_allows_a_burst_of_ten_and_404s_count(sp, clock):
    statuses = [get_item(sp, "SKU-A" if n % 2 else "NOPE").status_code for n in range(10)]
    assert statuses == [404, 200] * 5
    assert throttled(get_item(sp, "SKU-A"))
    clock.advance(0.2)
    assert get_item(sp, "SKU-A").status_code == 200


def test_many_sellers_together_meet_the_applications_get_limit(sp, clock, simulator):
    sellers = [sp] + [seller_sp(sp, simulator, n) for n in range(1, 11)]
    for client in sellers[:10]:
        assert [get_item(client, "SKU-A").status_code for _ in range(10)] == [200] * 10
    late = sellers[10]
    assert throttled(get_item(late, "SKU-A")), "100 a second for the application, whoever asks"
    assert throttled(get_item(sp, "SKU-A")), "and the first seller's own bucket is empty too"
    clock.advance(0.01)  # one application token back; the late seller's pair is full
    assert get_item(late, "SKU-A").status_code == 200
    assert throttled(get_item(late, "SKU-A"))
    stats = simulator.stats()
    assert stats["throttled_application"] == {"getListingsItem": 2}
    assert stats["throttled"] == {"getListingsItem": 3}


SHARED_PATCH = {"patchListingsItem": {"burst": 7, "rate": 7.0}}


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(application_limit_overrides=SHARED_PATCH)]
)
def test_the_application_limit_of_patch_names_the_application(sp, clock, simulator):
    other = seller_sp(sp, simulator, 1)
    assert [patch_item(sp, "SKU-A", quantity_patch(n)).status_code for n in range(5)] == [200] * 5
    assert [patch_item(other, "SKU-A", quantity_patch(n)).status_code for n in range(2)] == [
        200
    ] * 2
    assert throttled(patch_item(other, "SKU-A", quantity_patch(8)), APPLICATION_QUOTA)
    assert simulator.listings(other.config.seller_id)["SKU-A"].quantity == 1, "patch 8 did nothing"
    clock.advance(0.15)  # one token of 7 a second back
    assert patch_item(other, "SKU-A", quantity_patch(8)).status_code == 200
    assert simulator.stats()["throttled_application"] == {"patchListingsItem": 1}
