"""JSON_LISTINGS_FEED beyond quantity: offers on catalog ASINs, prices, DELETE, PARTIAL_UPDATE.

Processed as a focused simulator processes them (no warnings, unknown SKUs refused).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from amazon_jobs.simulator.catalog.items import Catalog, CatalogItem
from amazon_jobs.simulator.feeds.processing import FeedContext, FeedOutcome, process_feed
from amazon_jobs.simulator.listings.issues import PRICE_MISSING_MESSAGE
from amazon_jobs.simulator.models import SimListing

from .helpers import US, listings_feed, patch_message, quantity_message
from .offer_helpers import (
    offer_message,
    price_patch,
    purchasable_offer,
    report_schema,
)

SELLER = "A1SIMULATORSELLER"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OPENED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
MUG = CatalogItem("B0MUG00001", "Acme Mug, Blue", "Acme", "KITCHEN", ean="4006381333931")
TWIN_A = CatalogItem("B0TWIN0001", "Globex Kettle", "Globex", ean="4000000000013")
TWIN_B = CatalogItem("B0TWIN0002", "Globex Kettle (2 pack)", "Globex", ean="4000000000013")
LISTINGS = {
    "OLD": SimListing("B0MUG00001", 4, Decimal("9.99"), "USD", "new_new", OPENED, "KITCHEN"),
    "SEEDED": SimListing("B0MUG00001", 1, None),
}
FULL_REPORT = {
    "includedData": ["summaries", "issues", "offers", "fulfillmentAvailability"],
    "apiVersion": "2021-08-01",
}


def catalog() -> Catalog:
    result = Catalog(US)
    result.add([MUG, TWIN_A, TWIN_B])
    return result


def run(*messages: Any, **header: Any) -> FeedOutcome:
    content = json.dumps(listings_feed(SELLER, list(messages), **header)).encode()
    context = FeedContext(SELLER, "88", "JSON_LISTINGS_FEED", 25_000, US, NOW, False, False)
    outcome = process_feed(context, content, LISTINGS, catalog())
    jsonschema.validate(outcome.report, report_schema())
    return outcome


def issues(outcome: FeedOutcome) -> list[tuple[str, str | None]]:
    return [(issue["code"], issue.get("attributeName")) for issue in outcome.report["issues"]]


def test_an_offer_only_update_creates_the_listing_on_the_asin():
    outcome = run(offer_message(1, "NEW", MUG.asin, price=12.5, quantity=7))
    assert outcome.changes == {
        "NEW": SimListing(MUG.asin, 7, Decimal("12.5"), "USD", "new_new", NOW, "PRODUCT")
    }
    assert outcome.report["issues"] == []
    assert outcome.report["summary"]["messagesAccepted"] == 1


def test_an_update_replaces_an_existing_listing_but_keeps_its_open_date():
    message = offer_message(1, "OLD", MUG.asin, price=3, quantity=None)
    message["attributes"]["condition_type"] = [{"value": "used_good"}]
    listing = run(message).changes["OLD"]
    assert (listing.quantity, listing.price, listing.condition) == (0, Decimal("3"), "used_good")
    assert listing.opened_at == OPENED


def test_an_ean_finds_the_asin_unless_it_is_unknown_or_ambiguous():
    outcome = run(
        offer_message(1, "BY-EAN", ean=MUG.ean),
        offer_message(2, "TWIN", ean=TWIN_A.ean),
        offer_message(3, "NONE", ean="4000000000020"),
    )
    assert outcome.changes["BY-EAN"].asin == MUG.asin
    assert issues(outcome) == [
        ("8542", "externally_assigned_product_identifier"),
        ("8560", "externally_assigned_product_identifier"),
    ]
    assert "B0TWIN0001, B0TWIN0002" in outcome.report["issues"][0]["message"]
    assert "SKU NONE does not map any ASINs" in outcome.report["issues"][1]["message"]


def test_an_asin_missing_from_the_catalog_is_an_error():
    outcome = run(offer_message(1, "X", "B0NOTHERE0"), offer_message(2, "Y", "not-an-asin"))
    assert issues(outcome) == [
        ("8560", "merchant_suggested_asin"),
        ("90000900", "merchant_suggested_asin"),
    ]
    assert outcome.changes == {}


def test_a_missing_condition_is_amazons_90220():
    outcome = run(offer_message(1, "X", MUG.asin, leave_out=("condition_type",)))
    assert outcome.report["issues"] == [
        {
            "messageId": 1,
            "sku": "X",
            "code": "90220",
            "severity": "ERROR",
            "message": "'condition_type' is required but not supplied.",
            "attributeName": "condition_type",
        }
    ]


def test_a_missing_price_is_the_99022_of_amazons_example_report():
    outcome = run(offer_message(1, "X", MUG.asin, leave_out=("purchasable_offer",)))
    [issue] = outcome.report["issues"]
    assert issue["code"] == "99022"
    assert issue["message"] == PRICE_MISSING_MESSAGE
    assert issue["attributeName"] == "purchasable_offer.our_price"


def test_every_problem_of_one_message_is_reported_and_counted_once():
    outcome = run(
        offer_message(1, "X", leave_out=("condition_type", "purchasable_offer")),
        offer_message(2, "Y", MUG.asin),
    )
    assert issues(outcome) == [
        ("90220", "externally_assigned_product_identifier"),
        ("90220", "merchant_suggested_asin"),
        ("90220", "condition_type"),
        ("99022", "purchasable_offer.our_price"),
    ]
    summary = outcome.report["summary"]
    assert (summary["errors"], summary["messagesAccepted"], summary["messagesInvalid"]) == (4, 1, 1)


@pytest.mark.parametrize(
    ("change", "code", "attribute"),
    [
        ({"condition_type": [{"value": "brand_new"}]}, "90000900", "condition_type"),
        ({"purchasable_offer": purchasable_offer(-0.01)}, "90004114", "purchasable_offer"),
        ({"purchasable_offer": purchasable_offer(0)}, "90004114", "purchasable_offer"),
        ({"purchasable_offer": purchasable_offer("19.99")}, "90000900", "purchasable_offer"),
        ({"purchasable_offer": purchasable_offer(True)}, "90000900", "purchasable_offer"),
        (
            {"purchasable_offer": purchasable_offer(1, currency="euro")},
            "90000900",
            "purchasable_offer",
        ),
        (
            {"purchasable_offer": [{"audience": "B2B", "our_price": []}]},
            "99022",
            "purchasable_offer.our_price",
        ),
        (
            {"fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT"}]},
            "90000900",
            "fulfillment_availability",
        ),
    ],
)
def test_bad_offer_values_are_errors_naming_the_attribute(change, code, attribute):
    message = offer_message(1, "X", MUG.asin)
    message["attributes"].update(change)
    assert issues(run(message)) == [(code, attribute)]


def test_requirements_other_than_offer_only_are_unsupported():
    message = offer_message(1, "X", MUG.asin)
    message["requirements"] = "LISTING_PRODUCT_ONLY"
    assert issues(run(message)) == [("SIMULATOR_UNSUPPORTED", None)]


def test_a_price_patch_sets_the_price_and_currency():
    outcome = run(patch_message(1, "SEEDED", price_patch(24.95, currency="EUR")))
    assert outcome.changes["SEEDED"] == SimListing(MUG.asin, 1, Decimal("24.95"), "EUR")


@pytest.mark.parametrize("price", ["cheap", None, float("nan"), float("inf"), [5]])
def test_a_price_that_is_not_a_number_is_90000900(price):
    outcome = run(patch_message(1, "OLD", price_patch(price)))
    [issue] = outcome.report["issues"]
    assert (issue["code"], issue["attributeName"]) == ("90000900", "purchasable_offer")
    assert outcome.changes == {}


@pytest.mark.parametrize("price", [-1, 0, 0.009])
def test_a_price_below_a_cent_is_below_amazons_minimum(price):
    outcome = run(patch_message(1, "OLD", price_patch(price)))
    [issue] = outcome.report["issues"]
    assert (issue["code"], issue["attributeName"]) == ("90004114", "purchasable_offer")
    assert issue["message"] == (
        f"Value for '{price}' is lesser than the required minimum '[purchasable_offer]'."
    )
    assert outcome.changes == {}


def test_replace_needs_a_price_but_merge_may_leave_it_out():
    without = {
        "op": "replace",
        "path": "/attributes/purchasable_offer",
        "value": [{"currency": "GBP"}],
    }
    merge = dict(without, op="merge")
    outcome = run(patch_message(1, "OLD", without), patch_message(2, "SEEDED", merge))
    assert issues(outcome) == [("99022", "purchasable_offer.our_price")]
    assert outcome.changes["SEEDED"].currency == "GBP"
    assert outcome.changes["SEEDED"].price is None


def test_one_patch_message_may_carry_quantity_and_price():
    quantity = quantity_message(1, "OLD", 0)["patches"][0]
    outcome = run(patch_message(1, "OLD", quantity, price_patch(5)))
    assert (outcome.changes["OLD"].quantity, outcome.changes["OLD"].price) == (0, Decimal("5"))


def test_delete_removes_the_listing_and_needs_one():
    outcome = run(
        {"messageId": 1, "sku": "OLD", "operationType": "DELETE"},
        {"messageId": 2, "sku": "GONE", "operationType": "DELETE"},
    )
    assert outcome.changes == {"OLD": None}
    assert issues(outcome) == [("13013", None)]


def test_a_partial_update_changes_only_what_it_carries():
    message = {
        "messageId": 1,
        "sku": "OLD",
        "operationType": "PARTIAL_UPDATE",
        "productType": "KITCHEN",
        "attributes": {"purchasable_offer": purchasable_offer(8), "item_name": [{"value": "x"}]},
    }
    listing = run(message).changes["OLD"]
    assert listing == SimListing(MUG.asin, 4, Decimal("8"), "USD", "new_new", OPENED, "KITCHEN")
    unknown = dict(message, sku="NOPE")
    bad = dict(message, attributes={"fulfillment_availability": [{"quantity": 1}]})
    assert issues(run(unknown, dict(bad, messageId=2))) == [
        ("13013", None),
        ("SIMULATOR_UNSUPPORTED", "fulfillment_availability"),
    ]


def test_later_messages_see_what_earlier_ones_did():
    outcome = run(
        offer_message(1, "NEW", MUG.asin, price=10, quantity=1),
        patch_message(2, "NEW", price_patch(11)),
        {"messageId": 3, "sku": "SEEDED", "operationType": "DELETE"},
        quantity_message(4, "SEEDED", 3),
    )
    assert outcome.changes["NEW"].price == Decimal("11")
    assert outcome.changes["SEEDED"] is None
    assert issues(outcome) == [("13013", None)]


def test_report_items_carry_summaries_offers_and_quantities():
    outcome = run(
        offer_message(1, "NEW", MUG.asin, price=12.5, quantity=7),
        {"messageId": 2, "sku": "SEEDED", "operationType": "DELETE"},
        report=FULL_REPORT,
    )
    assert outcome.report["items"] == [
        {
            "sku": "NEW",
            "summaries": [
                {
                    "marketplaceId": US,
                    "asin": MUG.asin,
                    "productType": "PRODUCT",
                    "conditionType": "new_new",
                    "status": ["BUYABLE", "DISCOVERABLE"],
                    "itemName": "Acme Mug, Blue",
                    "createdDate": "2026-11-27T12:00:00.000Z",
                    "lastUpdatedDate": "2026-11-27T12:00:00.000Z",
                }
            ],
            "offers": [
                {
                    "marketplaceId": US,
                    "offerType": "B2C",
                    "price": {"currencyCode": "USD", "amount": "12.5"},
                    "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
                }
            ],
            "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 7}],
            "issues": [],
        }
    ]
    assert outcome.report["summary"]["itemSummary"]["items"] == 1


def test_a_full_feed_of_25000_offers_and_patches_is_processed_whole():
    messages: list[dict[str, Any]] = []
    for i in range(1, 25_001):
        if i % 2:
            messages.append(offer_message(i, f"S-{i}", MUG.asin, price=i / 100, quantity=i % 9))
        else:
            messages.append(
                patch_message(
                    i, f"S-{i - 1}", price_patch(1), *quantity_message(i, "x", 2)["patches"]
                )
            )
    content = json.dumps(listings_feed(SELLER, messages)).encode()
    context = FeedContext(SELLER, "99", "JSON_LISTINGS_FEED", 25_000, US, NOW, False, False)
    outcome = process_feed(context, content, {}, catalog())
    assert outcome.report["summary"]["messagesAccepted"] == 25_000
    assert len(outcome.changes) == 12_500


def test_offers_flow_over_http_into_the_listings(sp, clock, simulator):
    simulator.seed_catalog([MUG, TWIN_A, TWIN_B])
    feed = listings_feed(
        sp.config.seller_id,
        [
            offer_message(1, "MUG-1", MUG.asin, price=12.5, quantity=3),
            offer_message(2, "TWIN", ean=TWIN_A.ean),
            patch_message(3, "SKU-A", price_patch(7.25)),
            {"messageId": 4, "sku": "SKU-B", "operationType": "DELETE"},
        ],
        report=FULL_REPORT,
    )
    feed_id = sp.submit(feed)
    clock.advance(90)
    report = sp.report(feed_id)
    jsonschema.validate(report, report_schema())
    assert [issue["messageId"] for issue in report["issues"]] == [2]
    listings = simulator.listings()
    assert "SKU-B" not in listings
    assert listings["SKU-A"].price == Decimal("7.25")
    created = listings["MUG-1"]
    assert (created.asin, created.quantity, created.currency) == (MUG.asin, 3, "USD")
    assert created.opened_at == clock.now()
    assert [item["sku"] for item in report["items"]] == ["MUG-1", "SKU-A"]
