from __future__ import annotations

import gzip
import json

import httpx
import jsonschema
import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import FEEDS, MODELS, listings_feed, quantity_message


def test_a_quantity_feed_goes_from_queue_to_done_and_changes_the_listings(sp, clock, simulator):
    document = sp.create_document()
    assert document["feedDocumentId"].startswith("amzn1.tortuga.")
    feed = listings_feed(
        sp.config.seller_id,
        [quantity_message(1, "SKU-A", 42), quantity_message(2, "SKU-B", 7, op="merge")],
    )
    sp.upload(document["url"], json.dumps(feed).encode())
    created = sp.create_feed(document["feedDocumentId"])
    assert created.status_code == 202
    feed_id = created.json()["feedId"]

    queued = sp.feed(feed_id)
    assert queued == {
        "feedId": feed_id,
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": ["ATVPDKIKX0DER"],
        "createdTime": "2026-11-27T10:00:00.000Z",
        "processingStatus": "IN_QUEUE",
    }
    clock.advance(29.999)
    assert sp.status(feed_id) == "IN_QUEUE"
    clock.advance(0.001)
    running = sp.feed(feed_id)
    assert running["processingStatus"] == "IN_PROGRESS"
    assert running["processingStartTime"] == "2026-11-27T10:00:30.000Z"
    assert "processingEndTime" not in running
    assert simulator.listings()["SKU-A"].quantity == 5, "applied only at the end"

    clock.advance(60)
    done = sp.feed(feed_id)
    assert done["processingStatus"] == "DONE"
    assert done["processingEndTime"] == "2026-11-27T10:01:30.000Z"
    assert done["resultFeedDocumentId"].startswith("amzn1.tortuga.")

    report = sp.report(feed_id)
    assert report == {
        "header": {"sellerId": sp.config.seller_id, "version": "2.0", "feedId": feed_id},
        "issues": [],
        "summary": {
            "errors": 0,
            "warnings": 0,
            "messagesProcessed": 2,
            "messagesAccepted": 2,
            "messagesInvalid": 0,
        },
    }
    listings = simulator.listings()
    assert (listings["SKU-A"].quantity, listings["SKU-B"].quantity) == (42, 7)
    assert listings["SKU-A"].asin == "B000000001"


def test_the_result_document_is_gzip_unless_content_encoding_is_asked(sp, clock):
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    clock.advance(90)
    document_id = sp.feed(feed_id)["resultFeedDocumentId"]

    plain = sp.request("GET", f"{FEEDS}/documents/{document_id}").json()
    assert plain["compressionAlgorithm"] == "GZIP"
    raw = httpx.get(plain["url"])
    assert "content-encoding" not in raw.headers
    assert json.loads(gzip.decompress(raw.content))["header"]["feedId"] == feed_id

    params = {"enableContentEncodingUrlHeader": "true"}
    encoded = sp.request("GET", f"{FEEDS}/documents/{document_id}", params=params).json()
    decoded = httpx.get(encoded["url"])
    assert decoded.headers["content-encoding"] == "gzip"
    assert decoded.json()["header"]["feedId"] == feed_id


@pytest.mark.parametrize("config", [SimulatorConfig.focused(gzip_results=False)])
def test_uncompressed_results_have_no_compression_algorithm(sp, clock):
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    clock.advance(90)
    document_id = sp.feed(feed_id)["resultFeedDocumentId"]
    body = sp.request("GET", f"{FEEDS}/documents/{document_id}").json()
    assert "compressionAlgorithm" not in body
    assert httpx.get(body["url"]).json()["summary"]["messagesAccepted"] == 1


def test_requested_included_data_adds_items_and_echoes_the_report_header(sp, clock):
    report_header = {
        "includedData": ["issues", "fulfillmentAvailability"],
        "apiVersion": "2021-08-01",
    }
    feed = listings_feed(
        sp.config.seller_id,
        [quantity_message(1, "SKU-A", 3), quantity_message(2, "SKU-NONE", 3)],
        report=report_header,
    )
    feed_id = sp.submit(feed)
    clock.advance(90)
    report = sp.report(feed_id)
    assert report["header"]["report"] == report_header
    assert report["summary"]["itemSummary"] == {"items": 1, "errors": 0, "warnings": 0}
    assert report["items"] == [
        {
            "sku": "SKU-A",
            "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 3}],
            "issues": [],
        }
    ]


def test_reports_match_amazons_schema(sp, clock):
    schema_path = MODELS / "listings-feed-processing-report-schema-v2.json"
    schema = json.loads(schema_path.read_text())
    seller = sp.config.seller_id
    feeds = [
        listings_feed(seller, [quantity_message(1, "SKU-A", 1)]),
        listings_feed(
            seller,
            [quantity_message(1, "SKU-A", -1), {"messageId": 2}, quantity_message(3, "NOPE", 1)],
            report={"includedData": ["fulfillmentAvailability"], "apiVersion": "2021-08-01"},
        ),
        listings_feed("A9SOMEONEELSE", [quantity_message(1, "SKU-A", 1)]),
        b"{not json",
    ]
    feed_ids = [sp.submit(feed) for feed in feeds]
    feed_ids.append(sp.submit(b"<xml/>", feed_type="POST_PRODUCT_DATA"))
    clock.advance(600)
    for feed_id in feed_ids:
        jsonschema.validate(sp.report(feed_id), schema)


def test_the_simulator_accepts_the_example_feed_of_the_models(sp, clock, simulator):
    example_path = MODELS / "listings-feed-schema-v2.example.json"
    example = json.loads(example_path.read_text())
    example["header"]["sellerId"] = sp.config.seller_id
    simulator.seed_listings([{"sku": "My-SKU-D", "asin": "", "quantity": 0, "price": ""}])
    feed_id = sp.submit(example)
    clock.advance(90)
    report = sp.report(feed_id)
    accepted = {i["messageId"] for i in report["issues"]} ^ {1, 2, 3, 4, 5}
    assert accepted == {4}, "SKUs A, B and E are unknown; an UPDATE with LISTING is unsupported"
    assert simulator.listings()["My-SKU-D"].quantity == 10
