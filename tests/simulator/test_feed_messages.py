"""Processing of JSON_LISTINGS_FEED documents, straight through process_feed (no HTTP).

Run as a focused simulator runs them (no warnings, unknown SKUs refused); the
harsh defaults have their own tests (test_silent_acceptance, test_listing_issues).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from amazon_jobs.simulator.feeds.processing import FeedContext, FeedOutcome, process_feed
from amazon_jobs.simulator.listings.issues import SCHEMA_MESSAGE, SKU_UNKNOWN_MESSAGE
from amazon_jobs.simulator.models import FeedStatus, SimListing

from .helpers import MODELS, QUANTITY_PATH, listings_feed, quantity_message

SELLER = "A1SIMULATORSELLER"
LISTINGS = {"SKU-A": SimListing("B000000001", 5, None), "SKU-B": SimListing(None, 0, None)}


def run(
    document: Any, max_messages: int = 25_000, feed_type: str = "JSON_LISTINGS_FEED"
) -> FeedOutcome:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    context = FeedContext(
        SELLER, "77", feed_type, max_messages, warnings=False, silent_unknown_skus=False
    )
    return process_feed(context, content, LISTINGS)


def run_messages(*messages: Any) -> FeedOutcome:
    return run(listings_feed(SELLER, list(messages)))


def only_issue(outcome: FeedOutcome) -> dict[str, Any]:
    [issue] = outcome.report["issues"]
    return dict(issue)


def test_valid_patches_are_accepted_and_last_one_wins():
    outcome = run_messages(
        quantity_message(1, "SKU-A", 9),
        quantity_message(2, "SKU-B", 4, op="merge"),
        quantity_message(3, "SKU-A", 0),
    )
    assert outcome.status == FeedStatus.DONE
    assert outcome.quantities == {"SKU-A": 0, "SKU-B": 4}
    assert outcome.report["summary"] == {
        "errors": 0,
        "warnings": 0,
        "messagesProcessed": 3,
        "messagesAccepted": 3,
        "messagesInvalid": 0,
    }
    assert LISTINGS["SKU-A"].quantity == 5, "process_feed never changes its input"


def test_unknown_sku_is_13013_when_unknown_skus_are_refused():
    outcome = run_messages(quantity_message(1, "SKU-A", 2), quantity_message(2, "SKU-Z", 2))
    assert only_issue(outcome) == {
        "messageId": 2,
        "sku": "SKU-Z",
        "code": "13013",
        "severity": "ERROR",
        "message": SKU_UNKNOWN_MESSAGE,
    }
    assert outcome.quantities == {"SKU-A": 2}
    summary = outcome.report["summary"]
    assert (summary["messagesAccepted"], summary["messagesInvalid"], summary["errors"]) == (1, 1, 1)


@pytest.mark.parametrize("quantity", [2.5, 3.0, "4", True, None])
def test_a_quantity_that_is_not_an_integer_is_90000900(quantity):
    issue = only_issue(run_messages(quantity_message(1, "SKU-A", quantity)))
    assert (issue["code"], issue["message"]) == ("90000900", "The attributes are invalid.")
    assert issue["attributeName"] == "fulfillment_availability"
    assert (issue["messageId"], issue["sku"], issue["severity"]) == (1, "SKU-A", "ERROR")


def test_a_negative_quantity_is_below_the_minimum():
    issue = only_issue(run_messages(quantity_message(1, "SKU-A", -1)))
    assert issue["code"] == "90004114"
    assert issue["message"] == (
        "Value for '-1' is lesser than the required minimum '[fulfillment_availability]'."
    )
    assert issue["attributeName"] == "fulfillment_availability"


def test_merge_without_quantity_changes_nothing_but_replace_needs_one():
    merge = quantity_message(1, "SKU-A", 0, op="merge")
    del merge["patches"][0]["value"][0]["quantity"]
    replace = quantity_message(2, "SKU-B", 0)
    del replace["patches"][0]["value"][0]["quantity"]
    outcome = run_messages(merge, replace)
    assert outcome.quantities == {}
    assert only_issue(outcome)["messageId"] == 2


def test_unsupported_path_names_the_attribute():
    message = quantity_message(1, "SKU-A", 1)
    message["patches"][0]["path"] = "/attributes/item_name"
    issue = only_issue(run_messages(message))
    assert (issue["code"], issue["attributeName"]) == ("SIMULATOR_UNSUPPORTED", "item_name")


@pytest.mark.parametrize(
    "change",
    [
        {"op": "delete"},
        {"op": "add"},
        {"value": [{"fulfillment_channel_code": "AMAZON_NA"}]},
    ],
)
def test_unsupported_ops_and_channels(change):
    message = quantity_message(1, "SKU-A", 1)
    message["patches"][0].update(change)
    assert only_issue(run_messages(message))["code"] == "SIMULATOR_UNSUPPORTED"


def test_an_update_that_would_create_a_catalog_item_is_unsupported():
    message = {
        "messageId": 1,
        "sku": "SKU-A",
        "operationType": "UPDATE",
        "productType": "PRODUCT",
        "attributes": {"item_name": [{"value": "New product"}]},
    }
    issue = only_issue(run_messages(message))
    assert (issue["code"], issue["messageId"]) == ("SIMULATOR_UNSUPPORTED", 1)


def schema_breakers() -> list[Any]:
    good = quantity_message(1, "SKU-A", 1)

    def changed(**fields: Any) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(json.dumps(good))
        for name, value in fields.items():
            if value is ...:
                del message[name]
            else:
                message[name] = value
        return message

    return [
        "not an object",
        changed(messageId=...),
        changed(messageId=0),
        changed(messageId=2_147_483_648),
        changed(messageId="1"),
        changed(messageId=True),
        changed(sku=""),
        changed(sku=...),
        changed(operationType="UPSERT"),
        changed(operationType=["PATCH"]),
        changed(productType=...),
        changed(productType=""),
        changed(patches=[]),
        changed(patches={"op": "replace"}),
        changed(patches=[{"op": "replace"}]),
        changed(patches=[{"op": "move", "path": QUANTITY_PATH}]),
        changed(patches=[{"op": ["replace"], "path": QUANTITY_PATH}]),
        changed(patches=[{"op": "replace", "path": QUANTITY_PATH, "value": {"quantity": 1}}]),
        changed(patches=[{"op": "replace", "path": QUANTITY_PATH, "value": [1]}]),
        changed(attributes={"x": [{}]}),
        changed(requirements="LISTING"),
        changed(operationType="UPDATE"),
        changed(operationType="PARTIAL_UPDATE", attributes={"x": [{}]}),
        changed(operationType="DELETE"),
        {
            "messageId": 1,
            "sku": "SKU-A",
            "operationType": "UPDATE",
            "productType": "P",
            "attributes": {},
        },
        {
            "messageId": 1,
            "sku": "SKU-A",
            "operationType": "UPDATE",
            "productType": "P",
            "attributes": {"a": 1},
            "requirements": {"x": 1},
        },
    ]


@pytest.mark.parametrize("message", schema_breakers())
def test_schema_violations_are_4002008(message):
    issue = only_issue(run_messages(message))
    assert issue["code"] == "4002008"
    assert issue["message"] == SCHEMA_MESSAGE
    assert issue["severity"] == "ERROR"


def test_schema_agrees_with_jsonschema_on_the_breakers():
    path = MODELS / "listings-feed-message-schema-v2.json"
    validator = jsonschema.Draft7Validator(json.loads(path.read_text()))
    for message in schema_breakers():
        if isinstance(message, dict) and message.get("messageId") == 2_147_483_648:
            continue  # the maximum is in the feed schema, not the message schema
        assert not validator.is_valid(message), message
    assert validator.is_valid(quantity_message(1, "SKU-A", 1))


def test_a_repeated_message_id_is_a_schema_violation():
    outcome = run_messages(quantity_message(7, "SKU-A", 1), quantity_message(7, "SKU-B", 1))
    issue = only_issue(outcome)
    assert (issue["code"], issue["messageId"], issue["sku"]) == ("4002008", 7, "SKU-B")
    assert outcome.quantities == {"SKU-A": 1}


def test_invalid_message_issue_omits_what_it_cannot_name():
    issue = only_issue(run_messages({"operationType": "PATCH"}))
    assert "messageId" not in issue
    assert "sku" not in issue


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ({"sellerId": SELLER, "version": "1.0"}, "4002006"),
        ({"version": "2.0"}, "4002005"),
        ({"sellerId": 7, "version": "2.0"}, "4002006"),
        ({"sellerId": SELLER, "version": "2.0", "report": {"includedData": ["issues"]}}, "4002006"),
        ({"sellerId": "A9SOMEONEELSE", "version": "2.0"}, "4002004"),
        ("header", "4002005"),
    ],
)
def test_a_bad_header_processes_no_message(header, code):
    outcome = run({"header": header, "messages": [quantity_message(1, "SKU-A", 1)]})
    assert outcome.status == FeedStatus.DONE
    issue = only_issue(outcome)
    assert "messageId" not in issue
    assert (issue["code"], issue["severity"]) == (code, "ERROR")
    assert outcome.report["summary"] == {
        "errors": 1,
        "warnings": 0,
        "messagesProcessed": 0,
        "messagesAccepted": 0,
        "messagesInvalid": 0,
    }
    assert outcome.quantities == {}
    assert outcome.message_count == 1


def test_a_header_without_seller_is_amazons_missing_merchant():
    outcome = run({"header": {"version": "2.0"}, "messages": [quantity_message(1, "SKU-A", 1)]})
    assert only_issue(outcome)["message"] == "Attribute 'Merchant' is required, but not present."


@pytest.mark.parametrize("messages", [None, [], {"1": {}}])
def test_messages_must_be_a_non_empty_array(messages):
    document: dict[str, Any] = {"header": {"sellerId": SELLER, "version": "2.0"}}
    if messages is not None:
        document["messages"] = messages
    outcome = run(document)
    assert outcome.status == FeedStatus.DONE
    assert only_issue(outcome)["code"] == "4002005"
    if messages is None:
        assert only_issue(outcome)["message"] == (
            "Attribute 'messages' is required, but not present."
        )


def test_more_messages_than_allowed_are_refused_as_a_whole():
    messages = [quantity_message(i, "SKU-A", i) for i in range(1, 5)]
    outcome = run(listings_feed(SELLER, messages), max_messages=3)
    assert only_issue(outcome)["message"] == "The feed has 4 messages; at most 3 are allowed."
    assert outcome.quantities == {}


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00", b""])
def test_unreadable_documents_end_fatal(content):
    outcome = run(content)
    assert outcome.status == FeedStatus.FATAL
    issue = only_issue(outcome)
    assert (issue["code"], issue["severity"]) == ("4002001", "ERROR")
    assert issue["message"] == "Item 'Feed' cannot be parsed."
    assert outcome.report["header"] == {"sellerId": SELLER, "version": "2.0", "feedId": "77"}
    assert outcome.report["summary"]["messagesProcessed"] == 0


def test_a_utf8_bom_is_tolerated():
    content = (
        b"\xef\xbb\xbf"
        + json.dumps(listings_feed(SELLER, [quantity_message(1, "SKU-A", 1)])).encode()
    )
    assert run(content).status == FeedStatus.DONE


def test_other_feed_types_end_fatal():
    outcome = run(b"<AmazonEnvelope/>", feed_type="POST_INVENTORY_AVAILABILITY_DATA")
    assert outcome.status == FeedStatus.FATAL
    assert only_issue(outcome)["code"] == "4002002"


def test_processing_is_deterministic():
    messages = [quantity_message(i, "SKU-A" if i % 2 else "SKU-Q", i) for i in range(1, 50)]
    first, second = run_messages(*messages), run_messages(*messages)
    assert first == second
