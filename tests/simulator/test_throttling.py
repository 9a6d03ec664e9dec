from __future__ import annotations

import pytest

from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.common.throttling import format_rate

from .helpers import FEEDS, QUOTA_EXCEEDED, listings_feed, quantity_message

OTHER_FEED = "POST_FLAT_FILE_FULFILLMENT_DATA"


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (1 / 120, "0.0083"),
        (2.0, "2.0"),
        (0.5, "0.5"),
        (0.0222, "0.0222"),
        (1 / 60, "0.0167"),
        (5.0, "5.0"),
        (1 / 180, "0.0056"),
    ],
)
def test_rates_are_written_like_amazon(rate, text):
    assert format_rate(rate) == text


def test_create_feed_allows_a_burst_of_15_then_429_until_a_token_returns(sp, clock, simulator):
    document_id = sp.document(b"order data")
    for _ in range(15):
        response = sp.create_feed(document_id, OTHER_FEED)
        assert response.status_code == 202
        assert response.headers["x-amzn-RateLimit-Limit"] == "0.0083"
        assert response.headers["x-amzn-RequestId"]

    throttled = sp.create_feed(document_id, OTHER_FEED)
    assert throttled.status_code == 429
    assert throttled.json() == QUOTA_EXCEEDED
    assert throttled.headers["x-amzn-RequestId"]
    assert "x-amzn-RateLimit-Limit" not in throttled.headers

    clock.advance(119)
    assert sp.create_feed(document_id, OTHER_FEED).status_code == 429
    clock.advance(1)
    assert sp.create_feed(document_id, OTHER_FEED).status_code == 202
    assert sp.create_feed(document_id, OTHER_FEED).status_code == 429

    stats = simulator.stats()
    assert stats["requests"]["createFeed"] == 19
    assert stats["throttled"] == {"createFeed": 3}
    assert stats["feeds_created"] == 16, "a throttled request creates nothing"


def test_json_listings_feeds_are_capped_at_5_in_any_5_minutes(sp, clock, simulator):
    document_id = sp.document(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    for _ in range(5):
        assert sp.create_feed(document_id).status_code == 202
    capped = sp.create_feed(document_id)
    assert capped.status_code == 429
    assert capped.json() == QUOTA_EXCEEDED
    assert sp.create_feed(document_id, OTHER_FEED).status_code == 202, "other types still go"

    clock.advance(299)
    assert sp.create_feed(document_id).status_code == 429, "the window still holds 5"
    clock.advance(1)
    for _ in range(5):
        assert sp.create_feed(document_id).status_code == 202
    assert sp.create_feed(document_id).status_code == 429
    stats = simulator.stats()
    assert stats["feeds_created"] == 11
    assert stats["throttled"] == {"createFeed": 3}


def test_a_json_listings_feed_429_takes_no_create_feed_token(sp, simulator):
    document_id = sp.document(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    for _ in range(5):
        assert sp.create_feed(document_id).status_code == 202
    for _ in range(20):
        assert sp.create_feed(document_id).status_code == 429
    for _ in range(10):
        assert sp.create_feed(document_id, OTHER_FEED).status_code == 202
    assert sp.create_feed(document_id, OTHER_FEED).status_code == 429


@pytest.mark.parametrize("config", [SimulatorConfig.focused(profile="seed")])
def test_the_seed_profile_caps_create_feed_at_30_an_hour(sp, clock):
    document_id = sp.document(b"order data")
    accepted = 0
    for _ in range(40):
        if sp.create_feed(document_id, OTHER_FEED).status_code == 202:
            accepted += 1
        clock.advance(60)
    # Burst 15 plus one token per 2 minutes: more than 30 in the first hour is never allowed.
    assert accepted == 30
    assert sp.create_feed(document_id, OTHER_FEED).status_code == 429


def test_get_feed_refills_at_two_per_second(sp, clock):
    for _ in range(15):
        assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 429
    clock.advance(0.5)
    response = sp.request("GET", f"{FEEDS}/feeds/1")
    assert response.status_code == 404
    assert response.headers["x-amzn-RateLimit-Limit"] == "2.0"


def test_buckets_are_per_seller(sp, simulator):
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    mine = sp.token
    for _ in range(15):
        sp.request("GET", f"{FEEDS}/feeds/1")
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 429
    sp.token = sp.login("Atzr|other")
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    sp.token = mine
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 429


def test_uploads_downloads_and_logins_are_not_throttled(sp, http, config):
    document = sp.create_document()
    for _ in range(30):
        sp.upload(document["url"], b"{}")
    for _ in range(30):
        sp.login(config.refresh_token)
