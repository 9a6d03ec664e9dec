from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from .helpers import FEEDS, START, SpApi, listings_feed, quantity_message

OTHER = "POST_FLAT_FILE_FULFILLMENT_DATA"


@pytest.fixture
def feeds(sp, clock):
    """Three listings feeds and two others, a minute apart: [(feedId, feedType)], oldest first."""
    listings_document = sp.document(
        listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)])
    )
    other_document = sp.document(b"order-id\tquantity\n")
    created = []
    for feed_type in (
        "JSON_LISTINGS_FEED",
        OTHER,
        "JSON_LISTINGS_FEED",
        OTHER,
        "JSON_LISTINGS_FEED",
    ):
        document_id = listings_document if feed_type == "JSON_LISTINGS_FEED" else other_document
        response = sp.create_feed(document_id, feed_type)
        assert response.status_code == 202
        created.append((response.json()["feedId"], feed_type))
        clock.advance(60)
    return created


def get_feeds(sp: SpApi, **params: str) -> httpx.Response:
    return sp.request("GET", f"{FEEDS}/feeds", params=params)


def ids(response: httpx.Response) -> list[str]:
    return [feed["feedId"] for feed in response.json()["feeds"]]


def test_filters_by_feed_type_newest_first(sp, feeds):
    response = get_feeds(sp, feedTypes="JSON_LISTINGS_FEED")
    assert response.status_code == 200
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0222"
    assert ids(response) == [feeds[4][0], feeds[2][0], feeds[0][0]]
    assert "nextToken" not in response.json()
    both = get_feeds(sp, feedTypes=f"JSON_LISTINGS_FEED,{OTHER}")
    assert ids(both) == [feed_id for feed_id, _ in reversed(feeds)]


def test_filters_by_status_marketplace_and_time(sp, feeds, clock):
    # t=300: feed 0 ran 30-90, feed 1 90-150, feed 2 150-210, feed 3 210-270, feed 4 270-330.
    response = get_feeds(
        sp, feedTypes=f"JSON_LISTINGS_FEED,{OTHER}", processingStatuses="IN_PROGRESS"
    )
    assert ids(response) == [feeds[4][0]]
    assert ids(get_feeds(sp, feedTypes=OTHER, processingStatuses="DONE,FATAL")) == [
        feeds[3][0],
        feeds[1][0],
    ]
    assert ids(get_feeds(sp, feedTypes=OTHER, marketplaceIds="A1PA6795UKMFR9")) == []
    since = (START + timedelta(seconds=60)).isoformat()
    until = (START + timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = get_feeds(
        sp, feedTypes=f"JSON_LISTINGS_FEED,{OTHER}", createdSince=since, createdUntil=until
    )
    assert ids(window) == [feeds[2][0], feeds[1][0]]


def test_pages_with_next_token_as_the_only_parameter(sp, feeds, clock):
    first = get_feeds(sp, feedTypes=f"JSON_LISTINGS_FEED,{OTHER}", pageSize="2")
    assert ids(first) == [feeds[4][0], feeds[3][0]]
    token = first.json()["nextToken"]
    sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    second = get_feeds(sp, nextToken=token)
    assert ids(second) == [feeds[2][0], feeds[1][0]], (
        "a feed created meanwhile does not shift pages"
    )
    third = get_feeds(sp, nextToken=second.json()["nextToken"])
    assert ids(third) == [feeds[0][0]]
    assert "nextToken" not in third.json()

    mixed = get_feeds(sp, nextToken=token, feedTypes=OTHER)
    assert mixed.status_code == 400
    assert mixed.json()["errors"][0]["code"] == "InvalidInput"

    elsewhere = sp.request("GET", "/reports/2021-06-30/reports", params={"nextToken": token})
    assert elsewhere.status_code == 400, "a getFeeds token does not page getReports"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"processingStatuses": "DONE"},
        {"feedTypes": "JSON_LISTINGS_FEED", "pageSize": "0"},
        {"feedTypes": "JSON_LISTINGS_FEED", "pageSize": "101"},
        {"feedTypes": "JSON_LISTINGS_FEED", "pageSize": "ten"},
        {"feedTypes": "JSON_LISTINGS_FEED", "processingStatuses": "FINISHED"},
        {"feedTypes": ",".join(f"T{i}" for i in range(11))},
        {"feedTypes": "JSON_LISTINGS_FEED", "createdSince": "yesterday"},
        {
            "feedTypes": "JSON_LISTINGS_FEED",
            "createdSince": "2026-11-28T00:00:00Z",
            "createdUntil": "2026-11-27T00:00:00Z",
        },
        {"nextToken": "not-a-token"},
        {"nextToken": ""},
    ],
)
def test_invalid_queries_are_400(sp, params):
    response = get_feeds(sp, **params)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert error["message"]
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0222"


def test_created_since_defaults_to_90_days_ago(sp, clock):
    feed_id = sp.submit(b"x", feed_type=OTHER)
    clock.advance(89 * 86400)
    sp.token = sp.login(sp.config.refresh_token)
    assert ids(get_feeds(sp, feedTypes=OTHER)) == [feed_id]
    clock.advance(86400 + 1)
    sp.token = sp.login(sp.config.refresh_token)
    assert ids(get_feeds(sp, feedTypes=OTHER)) == []
