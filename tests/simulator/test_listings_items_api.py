"""The Listings Items API 2021-08-01: answers as the model says (checked against it with
every object closed), the same judgement as a feed message, and the same listings."""

from __future__ import annotations

import uuid

import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import US, listings_feed, quantity_message
from .listings_items_helpers import (
    ITEMS,
    check,
    delete_item,
    get_item,
    item_path,
    offer_body,
    patch_item,
    put_item,
    quantity_patch,
)
from .offer_helpers import PRICE_PATH, purchasable_offer

EVERY_SECTION = (
    "summaries,attributes,issues,offers,fulfillmentAvailability,procurement,relationships,"
    "productTypes"
)


@pytest.fixture(autouse=True)
def catalog(simulator):
    simulator.seed_catalog(ITEMS)


def submitted(response, status="ACCEPTED"):
    body = check(response, "ListingsItemSubmissionResponse")
    assert response.status_code == 200
    assert body["status"] == status, body
    uuid.UUID(body["submissionId"])
    return body


def refusal(response, status):
    assert response.status_code == status, response.text
    (error,) = check(response, "ErrorList")["errors"]
    return error


def test_an_accepted_put_creates_the_offer_that_get_then_shows(sp, simulator):
    response = put_item(sp, "NEW-1", offer_body("B0LISTED01", price=12.5, quantity=7))
    body = submitted(response)
    assert body["sku"] == "NEW-1" and body["issues"] == []
    assert response.headers["x-amzn-RateLimit-Limit"] == "5.0"
    item = check(get_item(sp, "NEW-1", includedData=EVERY_SECTION), "Item")
    assert item["sku"] == "NEW-1"
    (summary,) = item["summaries"]
    assert (summary["marketplaceId"], summary["asin"], summary["itemName"]) == (
        US,
        "B0LISTED01",
        "Kettle",
    )
    assert summary["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert summary["conditionType"] == "new_new" and summary["productType"] == "PRODUCT"
    (offer,) = item["offers"]
    assert offer["price"]["currencyCode"] == "USD" and float(offer["price"]["amount"]) == 12.5
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 7}]
    attributes = item["attributes"]
    assert attributes["fulfillment_availability"][0]["quantity"] == 7
    assert attributes["merchant_suggested_asin"][0]["value"] == "B0LISTED01"
    assert (
        attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 12.5
    )
    assert item["issues"] == [] and item["productTypes"] == [
        {"marketplaceId": US, "productType": "PRODUCT"}
    ]
    assert "procurement" not in item, "vendor data: a seller has none"
    assert simulator.listings()["NEW-1"].quantity == 7


def test_get_answers_the_summaries_unless_asked_for_more(sp):
    item = check(get_item(sp, "SKU-A"), "Item")
    assert set(item) == {"sku", "summaries"}
    assert item["summaries"][0]["asin"] == "B000000001"
    item = check(get_item(sp, "SKU-A", includedData="offers,fulfillmentAvailability"), "Item")
    assert set(item) == {"sku", "offers", "fulfillmentAvailability"}
    assert item["fulfillmentAvailability"][0]["quantity"] == 5


def test_a_patch_changes_the_listing_as_a_feed_message_would(sp, simulator):
    submitted(patch_item(sp, "SKU-A", quantity_patch(9)))
    price = {"productType": "PRODUCT", "patches": [
        {"op": "replace", "path": PRICE_PATH, "value": purchasable_offer(3.25)}]}  # fmt: skip
    submitted(patch_item(sp, "SKU-A", price))
    listing = simulator.listings()["SKU-A"]
    assert listing.quantity == 9 and float(listing.price or 0) == 3.25
    item = check(get_item(sp, "SKU-A", includedData="fulfillmentAvailability,offers"), "Item")
    assert item["fulfillmentAvailability"][0]["quantity"] == 9
    assert float(item["offers"][0]["price"]["amount"]) == 3.25


def test_an_invalid_put_names_each_issue_and_changes_nothing(sp, simulator):
    body = offer_body("B0LISTED01", leave_out=("condition_type", "purchasable_offer"))
    answer = submitted(put_item(sp, "NEW-2", body), "INVALID")
    by_code = {issue["code"]: issue for issue in answer["issues"]}
    assert set(by_code) == {"90220", "99022"}
    assert by_code["90220"]["attributeNames"] == ["condition_type"]
    assert by_code["90220"]["categories"] == ["MISSING_ATTRIBUTE"]
    assert by_code["99022"]["categories"] == ["MISSING_PRICE"]
    assert all(issue["severity"] == "ERROR" for issue in answer["issues"])
    assert "NEW-2" not in simulator.listings()
    assert refusal(get_item(sp, "NEW-2"), 404)["code"] == "NOT_FOUND"


def test_an_invalid_patch_changes_nothing(sp, simulator):
    answer = submitted(patch_item(sp, "SKU-A", quantity_patch(-1)), "INVALID")
    (issue,) = answer["issues"]
    assert issue["severity"] == "ERROR"
    assert issue["attributeNames"] == ["fulfillment_availability"]
    assert simulator.listings()["SKU-A"].quantity == 5


def test_a_validation_preview_judges_without_changing_anything(sp, simulator):
    preview = {"mode": "VALIDATION_PREVIEW", "includedData": "identifiers,issues"}
    valid = submitted(put_item(sp, "NEW-3", offer_body("B0LISTED02"), **preview), "VALID")
    assert valid["identifiers"] == [{"marketplaceId": US, "asin": "B0LISTED02"}]
    assert valid["issues"] == []
    body = offer_body("B0LISTED02", leave_out=("condition_type",))
    invalid = submitted(put_item(sp, "NEW-3", body, **preview), "INVALID")
    assert invalid["identifiers"] == [] and invalid["issues"][0]["code"] == "90220"
    submitted(patch_item(sp, "SKU-A", quantity_patch(1), mode="VALIDATION_PREVIEW"), "VALID")
    assert "NEW-3" not in simulator.listings() and simulator.listings()["SKU-A"].quantity == 5
    assert get_item(sp, "NEW-3").status_code == 404


def test_included_data_chooses_identifiers_and_issues(sp):
    plain = submitted(put_item(sp, "NEW-4", offer_body("B0LISTED01"), includedData="identifiers"))
    assert "identifiers" not in plain, "identifiers come with a validation preview only"
    assert "issues" not in plain, "issues were not asked for"


def test_a_delete_removes_the_listing(sp, simulator):
    assert submitted(delete_item(sp, "SKU-B"))["issues"] == []
    assert "SKU-B" not in simulator.listings()
    assert get_item(sp, "SKU-B").status_code == 404


def test_an_unknown_sku_is_not_found(sp):
    response = get_item(sp, "NO-SUCH-SKU")
    error = refusal(response, 404)
    assert error["code"] == "NOT_FOUND"
    assert error["message"] == f"SKU 'NO-SUCH-SKU' not found in marketplace {US}"
    assert response.headers["x-amzn-RateLimit-Limit"] == "5.0"


def test_the_seller_in_the_path_must_be_the_caller(sp, simulator):
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    expected = "Invalid 'sellerId' and 'marketplaceId' combination provided."
    path = item_path(sp, "SKU-A", "A2OTHERSELLER")
    for response in (
        sp.request("GET", path, params={"marketplaceIds": US}),
        sp.request("PATCH", path, params={"marketplaceIds": US}, json=quantity_patch(1)),
        sp.request("DELETE", path, params={"marketplaceIds": US}),
    ):
        error = refusal(response, 400)
        assert (error["code"], error["message"]) == ("InvalidInput", expected)
    assert simulator.listings()["SKU-A"].quantity == 5


@pytest.mark.parametrize(
    ("method", "params", "body"),
    [
        ("GET", {}, None),
        ("GET", {"marketplaceIds": US, "includedData": "everything"}, None),
        ("PUT", {"marketplaceIds": f"{US},A2EUQ1WTGCTBG2"}, offer_body("B0LISTED01")),
        ("DELETE", {"marketplaceIds": f"{US},A2EUQ1WTGCTBG2"}, None),
        ("PATCH", {"marketplaceIds": US, "mode": "LIVE"}, quantity_patch(1)),
        ("PATCH", {"marketplaceIds": US}, {"productType": "PRODUCT"}),
        ("PATCH", {"marketplaceIds": US}, {"productType": "PRODUCT", "patches": []}),
        ("PUT", {"marketplaceIds": US}, {"productType": "PRODUCT"}),
        ("PATCH", {"marketplaceIds": US}, ["not", "an", "object"]),
    ],
)
def test_requests_the_model_does_not_allow_are_400(sp, simulator, method, params, body):
    kwargs = {"params": params} if body is None else {"params": params, "json": body}
    error = refusal(sp.request(method, item_path(sp, "SKU-A"), **kwargs), 400)
    assert error["code"] == "InvalidInput" and error["message"]
    assert simulator.listings()["SKU-A"].quantity == 5


def test_a_missing_token_is_403_without_a_rate(http):
    response = http.get(f"/listings/2021-08-01/items/A1SIMULATORSELLER/SKU-A?marketplaceIds={US}")
    assert refusal(response, 403)["code"] == "Unauthorized"


def test_feeds_and_the_api_change_the_same_listings(sp, clock, simulator):
    sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 3)]))
    clock.advance(600)  # the feed is processed; the access token still lives
    item = check(get_item(sp, "SKU-A", includedData="fulfillmentAvailability"), "Item")
    assert item["fulfillmentAvailability"][0]["quantity"] == 3
    submitted(patch_item(sp, "SKU-A", quantity_patch(11)))
    sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-B", 2)]))
    clock.advance(600)  # the feed is processed; the access token still lives
    listings = simulator.listings()
    assert (listings["SKU-A"].quantity, listings["SKU-B"].quantity) == (11, 2)


def test_skus_are_path_encoded(sp, simulator):
    submitted(put_item(sp, "MY SKU ü+1", offer_body("B0LISTED01", quantity=2)))
    assert simulator.listings()["MY SKU ü+1"].quantity == 2
    assert check(get_item(sp, "MY SKU ü+1"), "Item")["sku"] == "MY SKU ü+1"


@pytest.mark.parametrize("config", [SimulatorConfig.focused(silent_unknown_skus=True)])
def test_a_patch_or_delete_of_an_unknown_sku_is_accepted_silently(sp, simulator):
    submitted(patch_item(sp, "GHOST", quantity_patch(4)))
    submitted(delete_item(sp, "GHOST"))
    assert "GHOST" not in simulator.listings()


def test_a_focused_simulator_refuses_a_patch_of_an_unknown_sku(sp):
    answer = submitted(patch_item(sp, "GHOST", quantity_patch(4)), "INVALID")
    assert answer["issues"][0]["severity"] == "ERROR"


HARSH = {"error_rate": 0.0, "warnings": False}


@pytest.mark.parametrize("config", [SimulatorConfig(downstream_failure_rate=0.0, **HARSH)])
def test_an_accepted_change_is_not_live_at_once(sp, clock, simulator):
    submitted(patch_item(sp, "SKU-A", quantity_patch(9)))
    item = check(get_item(sp, "SKU-A", includedData="fulfillmentAvailability"), "Item")
    assert item["fulfillmentAvailability"][0]["quantity"] == 5, "accepted is not live"
    clock.advance(simulator.config.visibility_delay_max_s)
    item = check(get_item(sp, "SKU-A", includedData="fulfillmentAvailability"), "Item")
    assert item["fulfillmentAvailability"][0]["quantity"] == 9


@pytest.mark.parametrize("config", [SimulatorConfig(downstream_failure_rate=1.0, **HARSH)])
def test_a_change_that_fails_downstream_shows_as_an_issue_of_the_listing(sp, clock, simulator):
    submitted(patch_item(sp, "SKU-A", quantity_patch(9)))
    clock.advance(simulator.config.visibility_delay_max_s)
    item = check(get_item(sp, "SKU-A", includedData="fulfillmentAvailability,issues"), "Item")
    assert item["fulfillmentAvailability"][0]["quantity"] == 5, "never applied"
    assert item["issues"] and all(issue["code"] for issue in item["issues"])


@pytest.mark.parametrize(
    "config", [SimulatorConfig(error_rate=0.0, downstream_failure_rate=0.0, warnings=True)]
)
def test_an_accepted_put_carries_amazons_warnings_and_the_listing_shows_them(sp, clock, simulator):
    answer = submitted(put_item(sp, "NEW-5", offer_body("B0LISTED01")))
    assert answer["issues"] and {i["severity"] for i in answer["issues"]} == {"WARNING"}
    assert get_item(sp, "NEW-5").status_code == 404, "accepted, not visible yet"
    clock.advance(simulator.config.visibility_delay_max_s)
    item = check(get_item(sp, "NEW-5", includedData="issues"), "Item")
    assert [i["code"] for i in item["issues"]] == [i["code"] for i in answer["issues"]]
