from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_jobs.errors import CsvError, CsvRowError
from amazon_jobs.simulator import SimListing, Simulator, SimulatorConfig

from .helpers import listings_feed, quantity_message


def test_the_configured_seller_exists_from_the_start(clock):
    simulator = Simulator(SimulatorConfig.focused(seller_id="A3SELLER"), clock)
    assert simulator.listings() == {}
    assert simulator.listings("A3SELLER") == {}
    with pytest.raises(KeyError):
        simulator.listings("A9UNKNOWN")


def test_seed_listings_keeps_sellers_apart(clock):
    simulator = Simulator(SimulatorConfig.focused(), clock)
    simulator.add_seller("A2OTHER", "Atzr|other")
    simulator.seed_listings([{"sku": "X", "asin": "B01", "quantity": 3, "price": 9.5}])
    simulator.seed_listings([{"sku": "Y", "asin": "", "quantity": "4", "price": None}], "A2OTHER")
    assert simulator.listings() == {"X": SimListing("B01", 3, Decimal("9.5"))}
    assert simulator.listings("A2OTHER") == {"Y": SimListing(None, 4, None)}


def test_listings_load_from_csv(tmp_path, clock):
    path = tmp_path / "listings.csv"
    path.write_text("sku,asin,quantity,price\nA-1,B0000000A1,12,19.99\nA-2,,0,\n")
    simulator = Simulator(SimulatorConfig.focused(), clock)
    assert simulator.load_listings_csv(path) == 2
    assert simulator.listings() == {
        "A-1": SimListing("B0000000A1", 12, Decimal("19.99")),
        "A-2": SimListing(None, 0, None),
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("sku,quantity\nA,1\n", CsvError),
        ("sku,asin,quantity,price\nA,B,-1,1\n", CsvRowError),
        ("sku,asin,quantity,price\nA,B,1,abc\n", CsvRowError),
        ("sku,asin,quantity,price\n,B,1,1\n", CsvRowError),
    ],
)
def test_bad_csv_is_refused(tmp_path, clock, text, error):
    path = tmp_path / "listings.csv"
    path.write_text(text)
    with pytest.raises(error):
        Simulator(SimulatorConfig.focused(), clock).load_listings_csv(path)


def test_stats_count_requests_429s_and_feeds(sp, clock, simulator, http):
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 8)]))
    clock.advance(90)
    sp.feed(feed_id)
    stats = http.get("/_sim/stats").json()
    assert stats == simulator.stats()
    assert stats["requests"] == {"createFeedDocument": 1, "createFeed": 1, "getFeed": 1}
    assert stats["throttled"] == {}
    assert stats["tokens_issued"] == 1
    assert stats["feeds_created"] == 1
    assert stats["feeds"] == [
        {
            "sequence": int(feed_id),
            "feed_id": feed_id,
            "seller_id": sp.config.seller_id,
            "feed_type": "JSON_LISTINGS_FEED",
            "status": "DONE",
            "messages": 1,
        }
    ]


def test_listings_are_inspectable_without_a_token(http, clock, simulator):
    response = http.get("/_sim/listings")
    assert response.status_code == 200
    assert response.json() == {
        "sellerId": "A1SIMULATORSELLER",
        "listings": [
            {"sku": "SKU-A", "asin": "B000000001", "quantity": 5, "price": "10.00"},
            {"sku": "SKU-B", "asin": "B000000002", "quantity": 0, "price": "20.50"},
        ],
    }
    simulator.add_seller("A2OTHER", "Atzr|other")
    assert http.get("/_sim/listings", params={"sellerId": "A2OTHER"}).json()["listings"] == []
    assert http.get("/_sim/listings", params={"sellerId": "A9NONE"}).status_code == 404


def test_inspection_brings_the_state_up_to_now(sp, clock, simulator):
    sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-B", 9)]))
    clock.advance(90)
    assert simulator.stats()["feeds"][0]["status"] == "DONE"
    assert simulator.listings()["SKU-B"].quantity == 9
