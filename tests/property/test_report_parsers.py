"""Properties of the parsers of what Amazon sends back: on any bytes they answer or raise
AmazonDocumentError (the documented error), never anything else; and they read back
exactly what a writer of the format wrote."""

from __future__ import annotations

import gzip
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from amazon_jobs.errors import AmazonDocumentError
from amazon_jobs.feeds.inventory_report import (
    GZIP_MAGIC,
    InventoryRecord,
    RowProblem,
    read_inventory,
)
from amazon_jobs.feeds.processing_report import ProcessingReport, parse_processing_report

SETTINGS = settings(max_examples=100, deadline=None, database=None)

# Any JSON values, Infinity and NaN included (Python's json reads and writes them).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def report_like(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Documents shaped like a processing report, with any values in its fields."""
    issue = st.fixed_dictionaries(
        {},
        optional={
            "messageId": values,
            "severity": values,
            "message": values,
            "code": values,
            "sku": values,
            "attributeName": values,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "header": st.fixed_dictionaries({}, optional={"feedId": values}) | values,
            "summary": st.fixed_dictionaries(
                {},
                optional={
                    "messagesProcessed": values,
                    "messagesAccepted": values,
                    "messagesInvalid": values,
                },
            )
            | values,
            "issues": st.lists(issue | values, max_size=4) | values,
        },
    )


def parse_or_document_error(content: bytes, charset: str | None = None) -> None:
    try:
        report = parse_processing_report(content, charset)
    except AmazonDocumentError as error:
        assert str(error).startswith("the processing report ")
        return
    assert isinstance(report, ProcessingReport)


@SETTINGS
@given(content=st.binary(max_size=300))
def test_processing_report_any_bytes_parse_or_raise_the_document_error(content: bytes) -> None:
    parse_or_document_error(content)


@SETTINGS
@given(document=report_like(json_values) | json_values)
def test_processing_report_any_json_parses_or_raises_the_document_error(document: Any) -> None:
    parse_or_document_error(json.dumps(document).encode())


ISSUE = st.fixed_dictionaries(
    {
        "messageId": st.none() | st.integers(1, 25_000),
        "severity": st.sampled_from(["ERROR", "WARNING", "INFO"]),
        "message": st.text(max_size=50),
        "code": st.none() | st.from_regex(r"\A[0-9]{1,6}\Z"),
        "sku": st.none() | st.text(min_size=1, max_size=40),
        "attributeName": st.none() | st.text(min_size=1, max_size=30),
    }
)


@SETTINGS
@given(
    feed_id=st.from_regex(r"\A[0-9]{1,15}\Z"),
    counts=st.tuples(*[st.integers(0, 25_000)] * 3),
    issues=st.lists(ISSUE, max_size=10),
)
def test_processing_report_round_trip(
    feed_id: str, counts: tuple[int, int, int], issues: list[dict[str, Any]]
) -> None:
    document = {
        "header": {"sellerId": "A1", "version": "2.0", "feedId": feed_id},
        "issues": [{k: v for k, v in i.items() if v is not None} for i in issues],
        "summary": dict(
            zip(("messagesProcessed", "messagesAccepted", "messagesInvalid"), counts, strict=True)
        ),
    }
    report = parse_processing_report(json.dumps(document).encode())
    assert report.feed_id == feed_id
    assert (report.messages_processed, report.messages_accepted, report.messages_invalid) == counts
    read = [
        (issue.severity, issue.message, issue.code, issue.sku, issue.attribute, message_id)
        for message_id, found in sorted(report.by_message.items())
        for issue in found
    ] + [(i.severity, i.message, i.code, i.sku, i.attribute, None) for i in report.feed_issues]
    written = [
        (i["severity"], i["message"], i["code"], i["sku"], i["attributeName"], i["messageId"])
        for i in issues
    ]
    key = repr
    assert sorted(read, key=key) == sorted(written, key=key)


def test_processing_report_deeply_nested_json_raises_the_document_error() -> None:
    with pytest.raises(AmazonDocumentError):
        parse_processing_report(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize("where", ["messageId", "messagesProcessed"])
def test_processing_report_infinity_raises_the_document_error(where: str) -> None:
    summary: dict[str, float] = {
        "messagesProcessed": 1,
        "messagesAccepted": 0,
        "messagesInvalid": 1,
    }
    issue: dict[str, Any] = {"messageId": 1, "severity": "ERROR", "message": "bad"}
    (issue if where == "messageId" else summary)[where] = float("inf")
    document = {"header": {"feedId": "1"}, "summary": summary, "issues": [issue]}
    with pytest.raises(AmazonDocumentError):
        parse_processing_report(json.dumps(document).encode())  # writes Infinity


# The inventory report.

CHARSETS = [None, "utf-8", "UTF-8", "Cp1252", "windows-1252", "iso-8859-1", "utf-16", "no-such"]


def read_all(content: bytes, charset: str | None) -> list[InventoryRecord | RowProblem]:
    return list(read_inventory(io.BytesIO(content), charset))


def read_or_document_error(content: bytes, charset: str | None) -> None:
    try:
        rows = read_all(content, charset)
    except AmazonDocumentError as error:
        assert str(error).startswith("the listings report ")
        return
    assert all(isinstance(r, InventoryRecord | RowProblem) for r in rows)
    for row in rows:
        if isinstance(row, InventoryRecord):
            assert row.sku and row.sku == row.sku.strip()


@SETTINGS
@given(content=st.binary(max_size=400), charset=st.sampled_from(CHARSETS))
def test_inventory_report_any_bytes_are_read_or_raise_the_document_error(
    content: bytes, charset: str | None
) -> None:
    read_or_document_error(content, charset)


@SETTINGS
@given(content=st.binary(max_size=400), charset=st.sampled_from(CHARSETS))
def test_inventory_report_any_gzip_bytes_are_read_or_raise_the_document_error(
    content: bytes, charset: str | None
) -> None:
    read_or_document_error(GZIP_MAGIC + content, charset)


@SETTINGS
@given(
    text=st.text(st.sampled_from("ab\t\n\r \"'1.5-x\x00é"), max_size=200),
    header=st.sampled_from(
        ["seller-sku\tprice\tquantity", "SELLER-SKU", "price\tseller-sku", "sku"]
    ),
    charset=st.sampled_from(CHARSETS),
)
def test_inventory_report_any_tab_separated_text_is_read_or_raises_the_document_error(
    text: str, header: str, charset: str | None
) -> None:
    read_or_document_error(f"{header}\n{text}".encode(), charset)


@SETTINGS
@given(content=st.binary(max_size=200))
def test_inventory_report_truncated_gzip_raises_the_document_error(content: bytes) -> None:
    whole = gzip.compress(b"seller-sku\tprice\n" + content)
    cut = whole[: len(whole) // 2]
    with pytest.raises(AmazonDocumentError):
        read_all(cut, None)


def test_inventory_report_corrupt_gzip_raises_the_document_error() -> None:
    content = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage, not deflate"
    with pytest.raises(AmazonDocumentError):
        read_all(content, None)


@pytest.mark.parametrize("charset", ["rot13", "base64"])
def test_inventory_report_non_text_codec_charset_is_handled(charset: str) -> None:
    read_or_document_error(b"seller-sku\nA\n", charset)


@pytest.mark.parametrize("price", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_inventory_report_price_that_is_not_a_number_is_a_row_problem(price: str) -> None:
    rows = read_all(f"seller-sku\tprice\nA\t{price}\n".encode(), None)
    assert rows == [RowProblem(2, f"SKU A: price {price!r} or quantity None is not a number")]


def test_inventory_report_utf16_without_bom_is_read_or_raises_the_document_error() -> None:
    read_or_document_error("seller-sku\nA\n".encode("utf-16-le"), "utf-16")


cell = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="\x85"),
    min_size=1,
    max_size=30,
).filter(lambda s: s == s.strip())
records = st.builds(
    InventoryRecord,
    sku=cell,
    asin=st.none() | st.from_regex(r"\AB0[A-Z0-9]{8}\Z"),
    title=st.none() | cell,
    price=st.none() | st.integers(0, 10**9).map(lambda cents: Decimal(cents) / 100),
    quantity=st.none() | st.integers(0, 2**31 - 1),
    status=st.none() | st.sampled_from(["Active", "Inactive", "Incomplete"]),
)
FIELDS = {
    "seller-sku": "sku",
    "asin1": "asin",
    "item-name": "title",
    "price": "price",
    "quantity": "quantity",
    "status": "status",
}


@SETTINGS
@given(
    rows=st.lists(records, min_size=1, max_size=20),
    order=st.permutations([*FIELDS, "listing-id", "open-date"]),
    charset=st.sampled_from(["utf-8", "Cp1252"]),
    gzipped=st.booleans(),
)
def test_inventory_report_round_trip(
    rows: list[InventoryRecord], order: list[str], charset: str, gzipped: bool
) -> None:
    def value(row: InventoryRecord, column: str) -> str:
        if column not in FIELDS:
            return "x"
        field = getattr(row, FIELDS[column])
        return "" if field is None else str(field)

    text = "\t".join(order) + "\n"
    text += "".join("\t".join(value(r, c) for c in order) + "\n" for r in rows)
    try:
        content = text.encode(charset)
    except UnicodeEncodeError:
        assume(False)
        raise
    if gzipped:
        content = gzip.compress(content)
    assert read_all(content, charset) == rows
