"""Silent acceptance: Amazon accepts a PATCH, PARTIAL_UPDATE or DELETE of a SKU the seller
does not have, with no issue, and changes nothing; a focused simulator refuses it (13013)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.feeds.processing import FeedContext, FeedOutcome, process_feed
from amazon_jobs.simulator.models import SimListing

from .helpers import listings_feed, quantity_message
from .offer_helpers import purchasable_offer

SELLER = "A1SIMULATORSELLER"
LISTINGS = {"SKU-A": SimListing("B000000001", 5, None)}
PARTIAL = {
    "messageId": 2,
    "sku": "GHOST",
    "operationType": "PARTIAL_UPDATE",
    "productType": "PRODUCT",
    "attributes": {"purchasable_offer": purchasable_offer(8)},
}
DELETE = {"messageId": 3, "sku": "GHOST", "operationType": "DELETE"}


def run(*messages: Any, silent: bool = True) -> FeedOutcome:
    content = json.dumps(listings_feed(SELLER, list(messages))).encode()
    context = FeedContext(SELLER, "5", "JSON_LISTINGS_FEED", silent_unknown_skus=silent)
    return process_feed(context, content, LISTINGS)


def test_unknown_skus_are_accepted_with_no_issue_and_change_nothing():
    outcome = run(quantity_message(1, "GHOST", 4), PARTIAL, DELETE)
    assert outcome.report["issues"] == []
    summary = outcome.report["summary"]
    assert (summary["messagesAccepted"], summary["messagesInvalid"]) == (3, 0)
    assert outcome.changes == {}


def test_a_focused_simulator_refuses_them_with_13013():
    outcome = run(quantity_message(1, "GHOST", 4), PARTIAL, DELETE, silent=False)
    assert [issue["code"] for issue in outcome.report["issues"]] == ["13013"] * 3
    assert outcome.report["summary"]["messagesInvalid"] == 3


def test_a_bad_value_for_an_unknown_sku_is_still_refused():
    outcome = run(quantity_message(1, "GHOST", "many"))
    [issue] = outcome.report["issues"]
    assert (issue["code"], issue["sku"]) == ("90000900", "GHOST")


@pytest.mark.parametrize("config", [SimulatorConfig.focused(silent_unknown_skus=True)])
def test_over_http_an_unknown_patch_and_delete_leave_the_listings_as_they_were(
    sp, clock, simulator
):
    before = simulator.listings()
    feed_id = sp.submit(
        listings_feed(SELLER, [quantity_message(1, "GHOST", 4), dict(DELETE, messageId=2)])
    )
    clock.advance(600)
    report = sp.report(feed_id)
    assert report["issues"] == []
    assert report["summary"]["messagesAccepted"] == 2
    assert simulator.listings() == before
    assert simulator.accepted_listing(SELLER, "GHOST") is None
