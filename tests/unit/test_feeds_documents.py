"""Builders and parsers of documents exchanged with Amazon, against the official schemas."""

from __future__ import annotations

import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from amazon_jobs.errors import AmazonDocumentError
from amazon_jobs.feeds.inventory_report import InventoryRecord, RowProblem, read_inventory
from amazon_jobs.feeds.listings_feed import (
    build_feed,
    offer_message,
    patch_message,
    price_patch,
    quantity_patch,
)
from amazon_jobs.feeds.processing_report import parse_processing_report

MODELS = Path(__file__).resolve().parents[2] / "spec" / "sp-api-models"
HEADER = (
    "item-name\titem-description\tlisting-id\tseller-sku\tprice\tquantity\topen-date\t"
    "image-url\titem-is-marketplace\tproduct-id-type\tzshop-shipping-fee\titem-note\t"
    "item-condition\tzshop-category1\tzshop-browse-path\tzshop-storefront-feature\tasin1\t"
    "asin2\tasin3\twill-ship-internationally\texpedited-shipping\tzshop-boldface\tproduct-id\t"
    "bid-for-featured-placement\tadd-delete\tpending-quantity\tfulfillment-channel\t"
    "merchant-shipping-group\tstatus"
)


def schema(name: str) -> dict:
    return json.loads((MODELS / name).read_text())


def report_row(sku: str, title: str, price: str, quantity: str, asin: str = "B000000001") -> str:
    cells = [""] * 29
    cells[0], cells[3], cells[4], cells[5], cells[16], cells[28] = (
        title, sku, price, quantity, asin, "Active",
    )  # fmt: skip
    return "\t".join(cells)


def test_feed_messages_follow_the_listings_feed_schemas():
    messages = [
        patch_message(1, "A", [quantity_patch(5)]),
        patch_message(2, "B", [price_patch(Decimal("19.99"), "EUR", "A1PA6795UKMFR9")]),
        patch_message(
            3, "C", [quantity_patch(0), price_patch(Decimal("1"), "USD", "ATVPDKIKX0DER")]
        ),
        offer_message(
            4,
            "D",
            asin="B07N4M94X4",
            quantity=3,
            price=Decimal("9.5"),
            currency="USD",
            marketplace_id="ATVPDKIKX0DER",
        ),
    ]
    document = json.loads(build_feed("A1SELLER", messages))
    jsonschema.validate(document, schema("listings-feed-schema-v2.json"))
    message_schema = schema("listings-feed-message-schema-v2.json")
    for message in document["messages"]:
        jsonschema.validate(message, message_schema)
    offer = document["messages"][3]["attributes"]
    assert offer["merchant_suggested_asin"][0]["value"] == "B07N4M94X4"
    assert offer["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 9.5
    assert document["messages"][3]["requirements"] == "LISTING_OFFER_ONLY"


def test_processing_report_example_parses():
    content = (MODELS / "listings-feed-processing-report-schema-v2.example.json").read_bytes()
    report = parse_processing_report(content)
    assert report.feed_id == "1234567890" and report.messages_accepted == 2
    assert [i.code for i in report.errors_for(4)] == ["90220", "90220"]
    assert report.errors_for(5)[0].attribute == "purchasable_offer.our_price"
    assert report.errors_for(1) == []


@pytest.mark.parametrize("content", [b"{not json", b'{"header": {}}', b"[]", b"\xff\xfe"])
def test_malformed_processing_report_is_a_document_error(content):
    with pytest.raises(AmazonDocumentError, match="processing report"):
        parse_processing_report(content)


def test_inventory_report_streams_rows_in_cp1252():
    text = "\n".join(
        [
            HEADER,
            report_row("SKU-1", "Kaffeebecher €5 - grün", "5.99", "3"),
            report_row("SKU-2", "?", "", ""),
        ]
    )
    raw = io.BytesIO(gzip.compress(text.encode("cp1252")))
    rows = list(read_inventory(raw, "Cp1252"))
    assert rows == [
        InventoryRecord(
            "SKU-1", "B000000001", "Kaffeebecher €5 - grün", Decimal("5.99"), 3, "Active"
        ),
        InventoryRecord("SKU-2", "B000000001", "?", None, None, "Active"),
    ]


def test_inventory_report_bad_rows_are_reported_not_fatal():
    text = "\n".join([HEADER, report_row("", "no sku", "1", "1"), report_row("S", "t", "abc", "1")])
    rows = list(read_inventory(io.BytesIO(text.encode()), "UTF-8"))
    assert [type(r) for r in rows] == [RowProblem, RowProblem]
    assert rows[0].line == 2 and "no seller-sku" in rows[0].message
    assert "price 'abc'" in rows[1].message


def test_truncated_or_headerless_reports_are_document_errors():
    body = gzip.compress(
        ("\n".join([HEADER] + [report_row(f"S{i}", "t", "1", "1") for i in range(500)])).encode()
    )
    with pytest.raises(AmazonDocumentError, match="cannot be read to its end"):
        list(read_inventory(io.BytesIO(body[: len(body) // 2]), "UTF-8"))
    with pytest.raises(AmazonDocumentError, match="no seller-sku column"):
        list(read_inventory(io.BytesIO(b"sku\tqty\nA\t1\n"), None))
    assert list(read_inventory(io.BytesIO(b""), None)) == []
