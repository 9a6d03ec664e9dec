"""Warnings and item-level issues with Amazon's numeric codes: warnings are counted and never
refuse a message, ``items[].issues`` hold what the listing shows after acceptance, and each
refusal carries Amazon's code for its case."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.catalog.items import Catalog, CatalogItem
from amazon_jobs.simulator.feeds.processing import FeedContext, FeedOutcome, process_feed
from amazon_jobs.simulator.models import SimListing

from .helpers import US, listings_feed, model_validator, quantity_message
from .offer_helpers import offer_message, report_schema

SELLER = "A1SIMULATORSELLER"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MUG = CatalogItem("B0MUG00001", "Acme Mug, Blue", "Acme", "KITCHEN", ean="4006381333931")
JUG = CatalogItem("B0JUG00001", "Acme Jug", "Acme", "KITCHEN", ean="4000000000013")
CAP = CatalogItem("B0CAP00001", "Gated Cap", "Gatekeeper", "HAT", ean="4000000000020")
ISSUES = {"includedData": ["issues"], "apiVersion": "2021-08-01"}
ITEM_ISSUE = model_validator("listingsItems_2021-08-01.json", "Issue", closed=True)
WARNING_18448 = {
    "code": "18448",
    "message": (
        "Attributes tagged as relevant_attributes are incomplete. Provide values for the "
        "following attribute(s): item_weight, theme, item_dimensions, item_diameter"
    ),
    "severity": "WARNING",
    "attributeNames": ["item_diameter", "item_dimensions", "item_weight", "theme"],
    "categories": ["MISSING_ATTRIBUTE"],
}


def run(
    *messages: Any,
    warnings: bool = True,
    restricted: frozenset[str] = frozenset(),
    **header: Any,
) -> FeedOutcome:
    catalog = Catalog(US)
    catalog.add([MUG, JUG, CAP])
    content = json.dumps(listings_feed(SELLER, list(messages), **header)).encode()
    context = FeedContext(
        SELLER, "88", "JSON_LISTINGS_FEED", 25_000, US, NOW, warnings, False, restricted
    )
    listings = {"OLD": SimListing(MUG.asin, 4, Decimal("9.99"))}
    outcome = process_feed(context, content, listings, catalog)
    jsonschema.validate(outcome.report, report_schema())
    return outcome


def codes(outcome: FeedOutcome) -> list[tuple[str, str]]:
    return [(issue["code"], issue["severity"]) for issue in outcome.report["issues"]]


def test_an_update_is_accepted_with_amazons_18448_warning_counted():
    outcome = run(offer_message(1, "NEW", MUG.asin), quantity_message(2, "OLD", 3))
    assert codes(outcome) == [("18448", "WARNING")]
    assert outcome.report["issues"][0]["messageId"] == 1
    summary = outcome.report["summary"]
    assert (summary["errors"], summary["warnings"]) == (0, 1)
    assert (summary["messagesAccepted"], summary["messagesInvalid"]) == (2, 0)
    assert outcome.changes["NEW"] is not None
    assert outcome.warnings["NEW"][0].code == "18448"


def test_without_warnings_the_same_update_has_none():
    outcome = run(offer_message(1, "NEW", MUG.asin), warnings=False)
    assert outcome.report["issues"] == []
    assert outcome.report["summary"]["warnings"] == 0


def test_items_carry_their_warnings_as_listings_item_issues():
    outcome = run(offer_message(1, "NEW", MUG.asin), quantity_message(2, "OLD", 3), report=ISSUES)
    items = {item["sku"]: item["issues"] for item in outcome.report["items"]}
    assert items == {"NEW": [WARNING_18448], "OLD": []}
    ITEM_ISSUE.validate(items["NEW"][0])
    assert outcome.report["summary"]["itemSummary"] == {"items": 2, "errors": 0, "warnings": 1}


def test_a_product_id_naming_another_asin_than_the_suggested_one_is_8541():
    message = offer_message(1, "X", MUG.asin, ean=JUG.ean)
    [issue] = run(message, warnings=False).report["issues"]
    assert (issue["code"], issue["attributeName"]) == ("8541", "merchant_suggested_asin")
    assert issue["message"].startswith("The SKU data provided conflicts with the Amazon catalog.")
    assert f"(Merchant: '{MUG.asin}' / Amazon: '{JUG.asin}')" in issue["message"]


def test_a_product_id_agreeing_with_the_suggested_asin_is_accepted():
    outcome = run(offer_message(1, "X", MUG.asin, ean=MUG.ean), warnings=False)
    assert outcome.report["issues"] == []
    assert outcome.changes["X"].asin == MUG.asin


def test_an_offer_on_a_brand_the_seller_is_not_approved_for_is_6024():
    outcome = run(
        offer_message(1, "X", CAP.asin),
        offer_message(2, "Y", ean=CAP.ean),
        offer_message(3, "Z", MUG.asin),
        warnings=False,
        restricted=frozenset({"gatekeeper"}),
    )
    assert codes(outcome) == [("6024", "ERROR"), ("6024", "ERROR")]
    assert outcome.report["issues"][0]["message"] == (
        "Seller is not authorized to list products by this brand name in this product line "
        "or category. For more details, see https://sellercentral.amazon.com/gp/errorcode/6024"
    )
    assert list(outcome.changes) == ["Z"]


@pytest.mark.parametrize("config", [SimulatorConfig.focused()])
def test_a_restricted_brand_is_refused_over_http(sp, clock, simulator):
    simulator.seed_catalog([CAP])
    simulator.restrict_brand("GATEKEEPER")
    feed_id = sp.submit(listings_feed(SELLER, [offer_message(1, "CAP-1", CAP.asin)]))
    clock.advance(90)
    assert [issue["code"] for issue in sp.report(feed_id)["issues"]] == ["6024"]
    assert "CAP-1" not in simulator.listings()


@pytest.mark.parametrize("config", [SimulatorConfig.focused(downstream_failure_rate=1.0)])
def test_items_show_the_5002_a_failed_change_left_on_the_listing(sp, clock, simulator):
    sp.submit(listings_feed(SELLER, [quantity_message(1, "SKU-A", 9)]))
    clock.advance(90)
    feed_id = sp.submit(listings_feed(SELLER, [quantity_message(1, "SKU-A", 8)], report=ISSUES))
    clock.advance(90)
    report = sp.report(feed_id)
    jsonschema.validate(report, report_schema())
    [item] = report["items"]
    assert item["issues"] == [
        {
            "code": "5002",
            "message": "An internal error occurred. Please resubmit your data.",
            "severity": "ERROR",
            "categories": [],
        }
    ]
    ITEM_ISSUE.validate(item["issues"][0])
    assert report["summary"]["itemSummary"] == {"items": 1, "errors": 1, "warnings": 0}
    assert report["summary"]["errors"] == 0, "the message itself was accepted"


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(warnings=True, visibility_delay_s=600.0)]
)
def test_a_listing_shows_its_change_warnings_once_the_change_is_visible(sp, clock, simulator):
    simulator.seed_catalog([MUG])
    feed_id = sp.submit(listings_feed(SELLER, [offer_message(1, "MUG-1", MUG.asin)]))
    clock.advance(90)
    report = sp.report(feed_id)
    assert (report["summary"]["warnings"], report["summary"]["messagesAccepted"]) == (1, 1)
    assert simulator.listing_issues(SELLER, "MUG-1") == []
    clock.advance(1800)
    [issue] = simulator.listing_issues(SELLER, "MUG-1")
    assert issue.to_item_json() == WARNING_18448
