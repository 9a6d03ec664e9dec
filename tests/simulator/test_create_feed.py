from __future__ import annotations

import re
import uuid

import httpx
import pytest

from .helpers import FEEDS, listings_feed, quantity_message

MARKET = "ATVPDKIKX0DER"


def assert_invalid_input(response: httpx.Response, pattern: str) -> None:
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert re.search(pattern, error["message"] + error.get("details", "")), error
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0083"
    uuid.UUID(response.headers["x-amzn-RequestId"])


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ({"marketplaceIds": [MARKET], "inputFeedDocumentId": "d"}, "feedType"),
        ({"feedType": "", "marketplaceIds": [MARKET], "inputFeedDocumentId": "d"}, "feedType"),
        ({"feedType": "JSON_LISTINGS_FEED", "inputFeedDocumentId": "d"}, "marketplaceIds"),
        (
            {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [], "inputFeedDocumentId": "d"},
            "marketplaceIds",
        ),
        (
            {
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [MARKET] * 26,
                "inputFeedDocumentId": "d",
            },
            "marketplaceIds",
        ),
        (
            {
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": MARKET,
                "inputFeedDocumentId": "d",
            },
            "marketplaceIds",
        ),
        (
            {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [7], "inputFeedDocumentId": "d"},
            "marketplaceIds",
        ),
        ({"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [MARKET]}, "inputFeedDocumentId"),
        (
            {
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [MARKET],
                "inputFeedDocumentId": "amzn1.tortuga.4.na.unknown",
            },
            "does not exist",
        ),
        ([], "JSON object"),
    ],
)
def test_invalid_specifications_are_400(sp, body, pattern):
    assert_invalid_input(sp.request("POST", f"{FEEDS}/feeds", json=body), pattern)


def test_a_body_that_is_not_json_is_400(sp):
    response = sp.request(
        "POST", f"{FEEDS}/feeds", content=b"feedType=x", headers={"content-type": "text/plain"}
    )
    assert_invalid_input(response, "cannot be parsed")


def test_feed_options_must_be_strings(sp):
    document_id = sp.document(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    body = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [MARKET],
        "inputFeedDocumentId": document_id,
        "feedOptions": {"x": 1},
    }
    assert_invalid_input(sp.request("POST", f"{FEEDS}/feeds", json=body), "feedOptions")
    body["feedOptions"] = {"x": "1"}
    assert sp.request("POST", f"{FEEDS}/feeds", json=body).status_code == 202


def test_the_document_must_be_uploaded_first(sp, simulator):
    document = sp.create_document()
    assert_invalid_input(sp.create_feed(document["feedDocumentId"]), "upload")
    assert simulator.stats()["feeds_created"] == 0


def test_a_result_document_is_no_input(sp, clock):
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    clock.advance(90)
    result_id = sp.feed(feed_id)["resultFeedDocumentId"]
    assert_invalid_input(sp.create_feed(result_id), "does not exist")


def test_documents_expire_after_two_days(sp, clock):
    document_id = sp.document(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    clock.advance(2 * 86400 + 1)
    sp.token = sp.login(sp.config.refresh_token)
    assert_invalid_input(sp.create_feed(document_id), "expired")


def test_another_sellers_document_is_unknown(sp, simulator):
    document_id = sp.document(b"{}")
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    sp.token = sp.login("Atzr|other")
    assert_invalid_input(sp.create_feed(document_id), "does not exist")
    response = sp.request("GET", f"{FEEDS}/documents/{document_id}")
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{}, {"contentType": ""}, {"contentType": 3}])
def test_create_feed_document_needs_a_content_type(sp, body):
    response = sp.request("POST", f"{FEEDS}/documents", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.5"


def test_unknown_feeds_and_documents_are_404_with_rate_header(sp):
    for path, rate in (
        (f"{FEEDS}/feeds/123", "2.0"),
        (f"{FEEDS}/documents/amzn1.tortuga.4.na.nothing", "0.0222"),
    ):
        response = sp.request("GET", path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "NotFound"
        assert response.headers["x-amzn-RateLimit-Limit"] == rate
        uuid.UUID(response.headers["x-amzn-RequestId"])


def test_success_answers_carry_both_headers(sp, clock):
    document = sp.create_document()
    sp.upload(document["url"], b"{}")
    created = sp.create_feed(document["feedDocumentId"])
    responses = [
        created,
        sp.request("GET", f"{FEEDS}/feeds/{created.json()['feedId']}"),
        sp.request("GET", f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"}),
        sp.request("GET", f"{FEEDS}/documents/{document['feedDocumentId']}"),
    ]
    request_ids = set()
    for response, rate in zip(responses, ("0.0083", "2.0", "0.0222", "0.0222"), strict=True):
        assert response.status_code in (200, 202)
        assert response.headers["x-amzn-RateLimit-Limit"] == rate
        request_ids.add(response.headers["x-amzn-RequestId"])
    assert len(request_ids) == len(responses)
