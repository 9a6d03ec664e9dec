"""CSV import of products and of existing Amazon listings, streamed in chunks.

A bad row is reported with its line number and skipped; good rows are
stored, a chunk per transaction, so an interrupted import keeps every row it
stored and never half a row.

The separator is the comma, or the semicolon (or tab) when the header names
the required columns with that one and not with commas: spreadsheets in
languages whose decimal mark is a comma save "CSV" that way, and in such a file
a price may have a decimal comma (``9,99``). A row whose field count differs
from the header's is rejected as such ("3 fields, expected 5"), not read with
values in the wrong columns.

A file is read as a stream, so its size does not matter to memory: what is kept
is the line of each SKU read (to report duplicates) and the first
:data:`MAX_ERRORS_KEPT` problems; every rejected row is still counted. A file
that is not UTF-8 is refused before anything is stored, naming the line and byte
of the first bad character.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from amazon_jobs.clock import Clock
from amazon_jobs.domain.catalog import ListingRow, ProductRow, parse_listing_row, parse_product_row
from amazon_jobs.errors import CsvError, CsvRowError
from amazon_jobs.store import catalog
from amazon_jobs.store.database import Database

__all__ = ["ImportResult", "import_listings", "import_product_rows", "import_products"]

CHUNK_ROWS = 1000
#: How many rejected rows a file import describes; the others are only counted.
MAX_ERRORS_KEPT = 1000
#: Separators a file may use besides the comma, tried when the header needs them.
OTHER_DELIMITERS = (";", "\t")
#: Bytes read at a time when checking that a file is UTF-8.
SCAN_BYTES = 1 << 20
PRODUCT_COLUMNS = ("sku", "title", "quantity", "price")
LISTING_COLUMNS = ("sku", "asin", "quantity", "price")

Row = TypeVar("Row", ProductRow, ListingRow)
Progress = Callable[[int], None]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    #: The rejected rows' problems (the first *max_errors* of them).
    errors: list[CsvRowError] = field(default_factory=list)
    #: How many rows were rejected, also beyond those in *errors*.
    rejected: int = 0
    max_errors: int | None = MAX_ERRORS_KEPT
    #: The file's field separator (``,`` unless its header says otherwise).
    delimiter: str = ","

    @property
    def stored(self) -> int:
        return self.created + self.updated

    def reject(self, error: CsvRowError) -> None:
        self.rejected += 1
        if self.max_errors is None or len(self.errors) < self.max_errors:
            self.errors.append(error)


def import_products(
    db: Database, path: Path, clock: Clock, progress: Progress | None = None
) -> ImportResult:
    """Import ``sku,ean,title,quantity,price`` rows; existing SKUs are updated."""
    result = ImportResult()
    with _open(path) as text:
        rows = _parsed(text, PRODUCT_COLUMNS, parse_product_row, result, progress, {})
        for chunk in _chunks(rows):
            with db.transaction() as session:
                counts = catalog.upsert_products(session, chunk, clock.now())
            result.created += counts.created
            result.updated += counts.updated
    return result


def import_product_rows(
    db: Database, rows: Sequence[Mapping[str, str | None]], clock: Clock
) -> ImportResult:
    """Validate and upsert product rows given as mappings (the REST API's bulk upsert).

    Errors carry the row's index in *rows* as their line. The good rows are
    stored in one transaction, in chunks.
    """
    result = ImportResult(rows=len(rows), max_errors=None)
    good: list[ProductRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(rows):
        try:
            row = parse_product_row(raw, index)
            if row.sku in seen:
                raise CsvRowError(index, f"SKU {row.sku!r} appears already in row {seen[row.sku]}")
        except CsvRowError as error:
            result.reject(error)
            continue
        seen[row.sku] = index
        good.append(row)
    with db.transaction() as session:
        for chunk in _chunks(iter(good)):
            counts = catalog.upsert_products(session, chunk, clock.now())
            result.created += counts.created
            result.updated += counts.updated
    return result


def import_listings(
    db: Database,
    account_id: int,
    path: Path,
    clock: Clock,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``sku,asin,quantity,price`` rows of listings that exist on Amazon already."""
    result = ImportResult()
    lines: dict[str, int] = {}
    with _open(path) as text:
        rows = _parsed(text, LISTING_COLUMNS, parse_listing_row, result, progress, lines)
        for chunk in _chunks(rows):
            with db.transaction() as session:
                counts, unknown = catalog.upsert_listings(session, account_id, chunk, clock.now())
            result.created += counts.created
            result.updated += counts.updated
            for sku in unknown:
                problem = f"no product with SKU {sku!r}: import it first"
                result.reject(CsvRowError(lines[sku], problem))
    result.errors.sort(key=lambda e: e.line)
    return result


def _open(path: Path) -> IO[str]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror}") from None
    try:
        _check_utf8(raw)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise CsvError(f"cannot read {path}: {exc}") from None
    except BaseException:
        raw.close()
        raise
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _check_utf8(raw: IO[bytes]) -> None:
    """Raise CsvError naming the line and byte of the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = 0
    while True:
        block = raw.read(SCAN_BYTES)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            # exc.object is the bytes the decoder held back from the last block + this one.
            held = len(exc.object) - len(block)
            at = offset - held + exc.start
            line = 1 + newlines + block.count(b"\n", 0, max(exc.start - held, 0))
            bad = bytes(exc.object[exc.start : exc.start + 4])
            raise CsvError(
                f"line {line}: the file is not UTF-8 text (byte {at + 1} is {bad!r}...); "
                'nothing was imported: save it as "CSV UTF-8" and import it again'
            ) from None
        if not block:
            return
        offset += len(block)
        newlines += block.count(b"\n")


def _parsed(
    text: IO[str],
    required: tuple[str, ...],
    parse: Callable[[dict[str, str | None], int], Row],
    result: ImportResult,
    progress: Progress | None,
    seen: dict[str, int],
) -> Iterator[Row]:
    """Valid rows; *seen* fills with each stored SKU's line number."""
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise CsvError("line 1: the file is not UTF-8 text") from None
    result.delimiter = _delimiter(first, required)
    reader = csv.reader(itertools.chain([first], text), delimiter=result.delimiter)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as exc:
        raise CsvError(f"line 1: {exc}") from None
    missing = [column for column in required if column not in header]
    if missing:
        raise CsvError(f"line 1: missing column(s) {', '.join(missing)} (found: {header})")
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise CsvError(f"line {reader.line_num + 1}: the file is not UTF-8 text") from None
        except csv.Error as exc:
            raise CsvError(f"line {reader.line_num}: {exc}") from None
        if not fields:
            continue  # a blank line
        line = reader.line_num
        result.rows += 1
        if progress:
            progress(line)
        try:
            raw = _row(fields, header, line, result.delimiter)
            row = parse(raw, line)
            if row.sku in seen:
                raise CsvRowError(line, f"SKU {row.sku!r} appears already on line {seen[row.sku]}")
        except CsvRowError as error:
            result.reject(error)
            continue
        seen[row.sku] = line
        yield row


def _delimiter(header_line: str, required: tuple[str, ...]) -> str:
    """The separator with which *header_line* names every *required* column."""
    for delimiter in (",", *OTHER_DELIMITERS):
        names = {name.strip().strip('"').lower() for name in header_line.split(delimiter)}
        if all(column in names for column in required):
            return delimiter
    return ","


def _row(fields: list[str], header: list[str], line: int, delimiter: str) -> dict[str, str | None]:
    """*fields* by column name; CsvRowError if their number is not the header's.

    Empty fields after the last column are allowed (spreadsheets add them).
    """
    extra = fields[len(header) :]
    if len(fields) < len(header) or any(value.strip() for value in extra):
        hint = (
            "a value containing the separator must be in double quotes"
            if len(fields) > len(header)
            else "a value is missing, or the separator is not the header's"
        )
        raise CsvRowError(
            line,
            f"{len(fields)} fields, expected {len(header)} ({', '.join(header)}): {hint}",
        )
    row: dict[str, str | None] = dict(zip(header, fields, strict=False))
    if delimiter != "," and row.get("price"):
        row["price"] = _decimal_comma(row["price"] or "")
    return row


def _decimal_comma(price: str) -> str:
    """``9,99`` → ``9.99`` (a file separated by semicolons has decimal commas)."""
    value = price.strip()
    if value.count(",") == 1 and "." not in value:
        return value.replace(",", ".")
    return price


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
