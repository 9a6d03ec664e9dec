"""Properties of the JSON_LISTINGS_FEED builder: whatever the SKUs and values, the
document is valid JSON matching Amazon's schema, message ids are 1..n and every SKU is
sent once, with the values given."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_jobs.domain.catalog import QUANTITY_MAX
from amazon_jobs.feeds.listings_feed import (
    build_feed,
    offer_message,
    patch_message,
    price_patch,
    quantity_patch,
)

MODELS = Path(__file__).resolve().parents[2] / "spec" / "sp-api-models"
FEED_SCHEMA = json.loads((MODELS / "listings-feed-schema-v2.json").read_text())
MESSAGE_SCHEMA = json.loads((MODELS / "listings-feed-message-schema-v2.json").read_text())
FEED_VALIDATOR = jsonschema.Draft7Validator(FEED_SCHEMA)
MESSAGE_VALIDATOR = jsonschema.Draft7Validator(MESSAGE_SCHEMA)

KINDS = ("offer", "quantity", "price", "quantity_price", "stop")
items = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=40),
        st.integers(0, QUANTITY_MAX),
        st.integers(1, 10**12 - 1).map(lambda cents: Decimal(cents) / 100),
        st.from_regex(r"\A[A-Z0-9]{10}\Z"),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda item: item[0],
)


def message(kind: str, number: int, item: tuple[str, int, Decimal, str]) -> dict[str, Any]:
    sku, quantity, price, asin = item
    if kind == "offer":
        return offer_message(
            number,
            sku,
            asin=asin,
            quantity=quantity,
            price=price,
            currency="EUR",
            marketplace_id="A1PA6795UKMFR9",
        )
    patches = {
        "quantity": [quantity_patch(quantity)],
        "price": [price_patch(price, "EUR", "A1PA6795UKMFR9")],
        "quantity_price": [quantity_patch(quantity), price_patch(price, "EUR", "A1PA6795UKMFR9")],
        "stop": [quantity_patch(0)],
    }[kind]
    return patch_message(number, sku, patches)


@settings(max_examples=60, deadline=None, database=None)
@given(items=items, kind=st.sampled_from(KINDS), seller=st.text(min_size=1, max_size=20))
def test_feed_is_valid_json_of_the_schema_with_ids_1_to_n_and_every_sku_once(
    items: list[tuple[str, int, Decimal, str]], kind: str, seller: str
) -> None:
    document = build_feed(seller, (message(kind, n, item) for n, item in enumerate(items, 1)))
    feed = json.loads(document.decode("utf-8"))
    FEED_VALIDATOR.validate(feed)
    for sent in feed["messages"]:
        MESSAGE_VALIDATOR.validate(sent)
    assert feed["header"]["sellerId"] == seller
    assert [m["messageId"] for m in feed["messages"]] == list(range(1, len(items) + 1))
    assert [m["sku"] for m in feed["messages"]] == [item[0] for item in items]
    for sent, (_, quantity, price, asin) in zip(feed["messages"], items, strict=True):
        attributes = sent.get("attributes") or {
            p["path"].rsplit("/", 1)[1]: p["value"] for p in sent["patches"]
        }
        if "fulfillment_availability" in attributes:
            expected = 0 if kind == "stop" else quantity
            assert attributes["fulfillment_availability"][0]["quantity"] == expected
        if "purchasable_offer" in attributes:
            schedule = attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]
            assert Decimal(str(schedule["value_with_tax"])) == price
        if kind == "offer":
            assert attributes["merchant_suggested_asin"][0]["value"] == asin
