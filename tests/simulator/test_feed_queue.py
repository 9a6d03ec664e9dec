from __future__ import annotations

from typing import Any

from .helpers import FEEDS, SpApi, listings_feed, quantity_message


def quantity_feed(sp: SpApi, sku: str, quantity: int) -> dict[str, Any]:
    return listings_feed(sp.config.seller_id, [quantity_message(1, sku, quantity)])


def test_feeds_of_a_seller_run_one_at_a_time_in_creation_order(sp, clock, simulator):
    first = sp.submit(quantity_feed(sp, "SKU-A", 1))
    clock.advance(10)
    second = sp.submit(quantity_feed(sp, "SKU-A", 2))
    clock.advance(20)  # t=30: first starts; second waits for it
    assert (sp.status(first), sp.status(second)) == ("IN_PROGRESS", "IN_QUEUE")
    clock.advance(60)  # t=90: first done, second starts
    assert (sp.status(first), sp.status(second)) == ("DONE", "IN_PROGRESS")
    assert sp.feed(second)["processingStartTime"] == "2026-11-27T10:01:30.000Z"
    assert simulator.listings()["SKU-A"].quantity == 1
    clock.advance(60)
    assert sp.feed(second)["processingEndTime"] == "2026-11-27T10:02:30.000Z"
    assert simulator.listings()["SKU-A"].quantity == 2


def test_a_long_jump_applies_every_feed_in_order_exactly_once(sp, clock, simulator):
    feed_ids = [sp.submit(quantity_feed(sp, "SKU-B", quantity)) for quantity in (3, 4, 5)]
    clock.advance(10 * 3600)
    sp.token = sp.login(sp.config.refresh_token)
    assert simulator.listings()["SKU-B"].quantity == 5
    simulator.seed_listings([{"sku": "SKU-B", "asin": "", "quantity": 0, "price": ""}])
    clock.advance(60)
    assert [sp.status(feed_id) for feed_id in feed_ids] == ["DONE"] * 3
    assert simulator.listings()["SKU-B"].quantity == 0, "no feed is applied twice"
    assert [feed["messages"] for feed in simulator.stats()["feeds"]] == [1, 1, 1]


def test_a_feed_created_after_an_idle_time_only_waits_its_own_queue_time(sp, clock):
    sp.submit(quantity_feed(sp, "SKU-A", 1))
    clock.advance(1000)
    later = sp.submit(quantity_feed(sp, "SKU-A", 2))
    clock.advance(30)
    assert sp.status(later) == "IN_PROGRESS"


def test_cancel_works_only_while_in_queue(sp, clock):
    running = sp.submit(quantity_feed(sp, "SKU-A", 1))
    queued = sp.submit(quantity_feed(sp, "SKU-A", 2))
    clock.advance(30)

    refused = sp.request("DELETE", f"{FEEDS}/feeds/{running}")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "InvalidInput"
    assert "IN_PROGRESS" in refused.json()["errors"][0]["message"]
    assert refused.headers["x-amzn-RateLimit-Limit"] == "2.0"

    cancelled = sp.request("DELETE", f"{FEEDS}/feeds/{queued}")
    assert cancelled.status_code == 200
    assert cancelled.content == b""
    assert cancelled.headers["x-amzn-RateLimit-Limit"] == "2.0"
    assert sp.feed(queued) == {
        "feedId": queued,
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": ["ATVPDKIKX0DER"],
        "createdTime": "2026-11-27T10:00:00.000Z",
        "processingStatus": "CANCELLED",
    }
    assert sp.request("DELETE", f"{FEEDS}/feeds/{queued}").status_code == 400

    clock.advance(60)
    assert sp.request("DELETE", f"{FEEDS}/feeds/{running}").status_code == 400
    assert sp.request("DELETE", f"{FEEDS}/feeds/404").status_code == 404


def test_a_cancelled_feed_is_never_applied_and_frees_its_slot(sp, clock, simulator):
    first = sp.submit(quantity_feed(sp, "SKU-A", 1))
    second = sp.submit(quantity_feed(sp, "SKU-A", 2))
    third = sp.submit(quantity_feed(sp, "SKU-A", 3))
    clock.advance(31)
    assert sp.request("DELETE", f"{FEEDS}/feeds/{second}").status_code == 200
    clock.advance(60)  # t=91: first done; third takes second's place
    assert sp.status(third) == "IN_PROGRESS"
    assert sp.feed(third)["processingStartTime"] == "2026-11-27T10:01:30.000Z"
    clock.advance(60)
    assert [sp.status(f) for f in (first, second, third)] == ["DONE", "CANCELLED", "DONE"]
    assert simulator.listings()["SKU-A"].quantity == 3
    assert "resultFeedDocumentId" not in sp.feed(second)


def test_sellers_have_separate_queues_and_cannot_see_each_other(sp, clock, simulator):
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    simulator.seed_listings(
        [{"sku": "SKU-A", "asin": "", "quantity": 100, "price": ""}], seller_id="A2OTHERSELLER"
    )
    mine = sp.submit(quantity_feed(sp, "SKU-A", 1))
    my_token = sp.token
    sp.token = sp.login("Atzr|other")
    theirs = sp.submit(listings_feed("A2OTHERSELLER", [quantity_message(1, "SKU-A", 50)]))
    assert sp.request("GET", f"{FEEDS}/feeds/{mine}").status_code == 404
    clock.advance(30)
    assert sp.status(theirs) == "IN_PROGRESS", "not queued behind the other seller's feed"
    clock.advance(60)
    assert simulator.listings("A2OTHERSELLER")["SKU-A"].quantity == 50
    assert simulator.listings()["SKU-A"].quantity == 1
    sp.token = my_token
    assert sp.request("GET", f"{FEEDS}/feeds/{theirs}").status_code == 404
