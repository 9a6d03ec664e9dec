"""getListingsItem over httpx.MockTransport, against the model's own example; the
processing report's post-acceptance issues; the feed header that asks for them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import httpx
import jsonschema
import pytest

from amazon_jobs.amazon.listings_api import ListingsItem
from amazon_jobs.errors import AmazonClientError, AmazonServerError
from amazon_jobs.feeds.listings_feed import build_feed, patch_message, quantity_patch
from amazon_jobs.feeds.processing_report import parse_processing_report
from tests.unit.test_client import Amazon, make_client, ok

MODELS = Path(__file__).resolve().parents[2] / "spec" / "sp-api-models"
PATH = "/listings/2021-08-01/items/A1SELLER/SKU-1"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


def model_example() -> dict[str, object]:
    model = json.loads((MODELS / "listingsItems_2021-08-01.json").read_text())
    get = model["paths"]["/listings/2021-08-01/items/{sellerId}/{sku}"]["get"]
    example: dict[str, object] = get["responses"]["200"]["examples"]["application/json"]
    return example


def test_the_models_example_reads_as_the_marketplaces_listing():
    body = model_example()
    us, ca = ListingsItem.from_api(body, US), ListingsItem.from_api(body, CA)
    assert (us.asin, us.quantity, us.price, us.currency) == (
        "B071VG5N9D",
        100,
        Decimal("100.00"),
        "USD",
    )
    assert (ca.price, ca.currency) == (Decimal("130.00"), "CAD")
    # the issue of the US store alone is not the Canadian listing's
    assert "90220" in {i.code for i in us.issues} and "90220" not in {i.code for i in ca.issues}
    assert us.issues[0].tagged() == "ERROR 90220: 'size' is required but not supplied."


def test_get_listings_item_asks_for_what_verification_needs(clock):
    amazon = Amazon({PATH: [ok(model_example(), rate="5.0")]})
    client, records = make_client(amazon, clock)
    item = client.get_listings_item("A1SELLER", "SKU-1", US)
    assert item is not None and item.quantity == 100
    sent = amazon.requests[-1]
    assert sent.url.params["marketplaceIds"] == US
    assert sent.url.params["includedData"] == "summaries,offers,fulfillmentAvailability,issues"
    assert records[-1].operation == "getListingsItem" and records[-1].rate_limit == "5.0"


def test_a_sku_amazon_has_no_listing_for_is_none(clock):
    missing = httpx.Response(
        404, json={"errors": [{"code": "NOT_FOUND", "message": "SKU 'SKU-1' not found"}]}
    )
    client, _ = make_client(Amazon({PATH: [missing]}), clock)
    assert client.get_listings_item("A1SELLER", "SKU-1", US) is None


def test_failures_are_not_retried_without_a_new_token(clock):
    """Each attempt must take its own token: a 5xx goes back to the caller at once."""
    amazon = Amazon({PATH: [httpx.Response(503), ok(model_example())]})
    client, _ = make_client(amazon, clock)
    with pytest.raises(AmazonServerError):
        client.get_listings_item("A1SELLER", "SKU-1", US)
    assert len([r for r in amazon.requests if r.url.path == PATH]) == 1
    refused = httpx.Response(403, json={"errors": [{"code": "Unauthorized", "message": "no"}]})
    client, _ = make_client(Amazon({PATH: [refused]}), clock)
    with pytest.raises(AmazonClientError):
        client.get_listings_item("A1SELLER", "SKU-1", US)


def test_the_report_keeps_each_items_post_acceptance_issues_by_sku():
    content = (MODELS / "listings-feed-processing-report-schema-v2.example.json").read_bytes()
    report = parse_processing_report(content)
    issues = report.item_issues["My-SKU-B"]
    assert [i.code for i in issues][:2] == ["18448", "18027"]
    assert issues[0].severity == "WARNING" and issues[0].attribute == "item_diameter"


def test_the_feed_asks_for_the_items_issues():
    document = json.loads(build_feed("A1SELLER", [patch_message(1, "A", [quantity_patch(3)])]))
    schema = json.loads((MODELS / "listings-feed-schema-v2.json").read_text())
    jsonschema.validate(document, schema)
    assert document["header"]["report"] == {"includedData": ["issues"], "apiVersion": "2021-08-01"}
