"""The merchant listings report (GET_MERCHANT_LISTINGS_ALL_DATA), read as a stream.

Tab-separated with a header row; gzip or not; in the charset the document's
Content-Type names (``Cp1252`` for EU marketplaces, UTF-8 elsewhere).
Rows are yielded one at a time, so memory stays flat whatever the size.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from amazon_jobs.errors import AmazonDocumentError

__all__ = ["REPORT_TYPE", "InventoryRecord", "RowProblem", "read_inventory"]

REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
GZIP_MAGIC = b"\x1f\x8b"
REQUIRED = ("seller-sku",)


@dataclass(frozen=True, slots=True)
class InventoryRecord:
    sku: str
    asin: str | None
    title: str | None
    price: Decimal | None
    quantity: int | None
    status: str | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


def read_inventory(raw: IO[bytes], charset: str | None) -> Iterator[InventoryRecord | RowProblem]:
    """Each row of the report as a record, or the problem that kept it out.

    A report whose last line is cut short (no line end, and fewer cells than
    the header names) was truncated on the way: AmazonDocumentError, so the
    download is tried again rather than half a report imported.
    """
    source = _maybe_gunzip(raw)
    text = io.TextIOWrapper(source, encoding=_codec(charset), errors="replace", newline="")
    try:
        yield from _rows(_Lines(text))
    finally:
        text.detach()  # the caller owns *raw*
        if source is not raw:
            source.close()


def _rows(lines: _Lines) -> Iterator[InventoryRecord | RowProblem]:
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return
    except (OSError, EOFError, zlib.error, UnicodeError, csv.Error) as exc:
        raise _unreadable(exc) from exc
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise AmazonDocumentError(f"the listings report has no {', '.join(missing)} column")
    read = _Columns(header)
    try:
        for row in reader:
            if lines.unterminated and len(row) < len(header):
                raise AmazonDocumentError(
                    f"the listings report ends in the middle of a row (line {reader.line_num} "
                    f"has {len(row)} of {len(header)} columns): the download was cut short"
                )
            if row:
                yield read.record(row, reader.line_num)
    except (OSError, EOFError, zlib.error, UnicodeError, csv.Error) as exc:
        raise _unreadable(exc) from exc


class _Lines:
    """The lines of *text*, remembering whether the last one read lacked a line end
    (only the last line of a document can)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self.unterminated = False

    def __iter__(self) -> Iterator[str]:
        for line in self._text:
            self.unterminated = not line.endswith(("\n", "\r"))
            yield line


class _Columns:
    """Where each column we keep sits in a row (the header decides; some may be absent)."""

    def __init__(self, header: list[str]) -> None:
        def at(name: str) -> int:
            return header.index(name) if name in header else -1

        self.sku, self.asin, self.title = at("seller-sku"), at("asin1"), at("item-name")
        self.price, self.quantity, self.status = at("price"), at("quantity"), at("status")

    def record(self, row: list[str], line: int) -> InventoryRecord | RowProblem:
        width = len(row)

        def cell(index: int) -> str | None:
            return (row[index].strip() or None) if 0 <= index < width else None

        sku = cell(self.sku)
        if sku is None:
            return RowProblem(line, "no seller-sku")
        price, quantity = cell(self.price), cell(self.quantity)
        try:
            if price and not Decimal(price).is_finite():
                raise ValueError(price)
            return InventoryRecord(
                sku,
                cell(self.asin),
                cell(self.title),
                Decimal(price) if price else None,
                int(quantity) if quantity else None,
                cell(self.status),
            )
        except (InvalidOperation, ValueError):
            return RowProblem(
                line, f"SKU {sku}: price {price!r} or quantity {quantity!r} is not a number"
            )


def _maybe_gunzip(raw: IO[bytes]) -> IO[bytes]:
    start = raw.read(2)
    raw.seek(0)
    return gzip.GzipFile(fileobj=raw) if start == GZIP_MAGIC else raw  # type: ignore[return-value]


def _codec(charset: str | None) -> str:
    """The text codec *charset* names; UTF-8 for an unknown name or one that is not a
    text encoding (rot13, base64)."""
    try:
        info = codecs.lookup(charset or "utf-8")
    except LookupError:
        return "utf-8"
    return info.name if getattr(info, "_is_text_encoding", True) else "utf-8"


def _unreadable(exc: Exception) -> AmazonDocumentError:
    return AmazonDocumentError(f"the listings report cannot be read to its end: {exc}")
