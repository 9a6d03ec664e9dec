from __future__ import annotations

import json

import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import listings_feed, quantity_message

MESSAGES = 100_000
BAD = {17, 40_000, 99_999}


@pytest.mark.parametrize("config", [SimulatorConfig.focused(max_feed_messages=MESSAGES)])
def test_a_100_000_message_feed_is_processed(sp, clock, simulator):
    simulator.seed_listings(
        {"sku": f"S-{i}", "asin": "", "quantity": 0, "price": ""} for i in range(MESSAGES)
    )
    messages = [
        quantity_message(i + 1, f"S-{i}", -1 if i in BAD else i % 100) for i in range(MESSAGES)
    ]
    feed_id = sp.submit(json.dumps(listings_feed(sp.config.seller_id, messages)).encode())
    clock.advance(90)
    assert sp.status(feed_id) == "DONE"
    report = sp.report(feed_id)
    assert report["summary"] == {
        "errors": 3,
        "warnings": 0,
        "messagesProcessed": MESSAGES,
        "messagesAccepted": MESSAGES - 3,
        "messagesInvalid": 3,
    }
    assert sorted(issue["messageId"] for issue in report["issues"]) == sorted(i + 1 for i in BAD)
    listings = simulator.listings()
    assert listings["S-12345"].quantity == 45
    assert listings["S-17"].quantity == 0
