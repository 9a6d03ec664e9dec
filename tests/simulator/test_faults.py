"""Faults on demand: queued 5xx answers and feeds aborted FATAL."""

from __future__ import annotations

import pytest

from .helpers import FEEDS, listings_feed, quantity_message


def test_queued_server_errors_are_answered_then_used_up(sp, simulator):
    simulator.faults.fail_next("getFeeds", 503, times=2)
    for _ in range(2):
        response = sp.request("GET", f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"})
        assert response.status_code == 503
        assert response.json()["errors"][0]["code"] == "ServiceUnavailable"
        assert "x-amzn-RequestId" in response.headers
        assert "x-amzn-RateLimit-Limit" not in response.headers
    response = sp.request("GET", f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"})
    assert response.status_code == 200


def test_only_500_and_503_can_be_queued(simulator):
    with pytest.raises(ValueError, match="status must be one of"):
        simulator.faults.fail_next("getFeed", 404)


def test_aborted_feed_ends_fatal_and_changes_nothing(sp, simulator, clock):
    simulator.seed_listings([{"sku": "SKU-A", "asin": "B000000001", "quantity": 1, "price": "1"}])
    simulator.faults.abort_next_feeds(1)
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 9)]))
    clock.advance(600)
    feed = sp.request("GET", f"{FEEDS}/feeds/{feed_id}").json()
    assert feed["processingStatus"] == "FATAL"
    report = sp.report(feed_id)
    assert report["issues"][0]["code"] == "4002003"
    assert "messageId" not in report["issues"][0]
    assert simulator.listings()["SKU-A"].quantity == 1
