"""Properties of the CSV import: valid rows come back exactly, a bad row is named by its
line and skipped, a file that is not UTF-8 is refused before anything is stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from amazon_jobs import catalog_import
from amazon_jobs.catalog_import import import_products
from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.catalog import (
    QUANTITY_MAX,
    SKU_MAX,
    TITLE_MAX,
    ProductRow,
    gtin_valid,
    parse_product_row,
)
from amazon_jobs.errors import CsvError, CsvRowError
from amazon_jobs.store import migrate
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Product
from tests.conftest import T0

COLUMNS = ("sku", "ean", "title", "quantity", "price")
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a CSV cell can hold: anything but NUL and surrogates, commas, quotes and line
# breaks included (the writer quotes them).
cell_chars = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
skus = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=SKU_MAX
).filter(lambda s: s == s.strip() and bool(s))
titles = st.text(cell_chars, min_size=1, max_size=TITLE_MAX).filter(
    lambda s: s == s.strip() and bool(s)
)
one_line_titles = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s == s.strip() and bool(s))


def with_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


eans = st.none() | st.builds(
    with_check_digit,
    st.sampled_from([11, 12]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
)
prices = st.integers(1, 10**12 - 1).map(lambda cents: Decimal(cents) / 100)


def product_rows(
    title_strategy: st.SearchStrategy[str] = titles,
) -> st.SearchStrategy[list[ProductRow]]:
    row = st.builds(ProductRow, skus, eans, title_strategy, st.integers(0, QUANTITY_MAX), prices)
    return st.lists(row, min_size=1, max_size=30, unique_by=lambda r: r.sku)


def cells(row: ProductRow) -> dict[str, str]:
    return {
        "sku": row.sku,
        "ean": row.ean or "",
        "title": row.title,
        "quantity": str(row.quantity),
        "price": str(row.price),
    }


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[c.strip().lower()] for c in header])
    return out.getvalue().encode("utf-8")


headers = (
    st.permutations(COLUMNS)
    .flatmap(
        lambda order: st.tuples(*[st.sampled_from([c, c.upper(), f" {c.title()} "]) for c in order])
    )
    .map(list)
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'property.db'}")
    migrate.upgrade(database)
    yield database
    database.dispose()


def emptied(db: Database) -> Database:
    with db.transaction() as session:
        session.execute(delete(Product))
    return db


def stored(db: Database) -> dict[str, ProductRow]:
    with db.read() as session:
        return {
            p.sku: ProductRow(p.sku, p.ean, p.title, p.quantity, p.price)
            for p in session.scalars(select(Product))
        }


@SETTINGS
@given(rows=product_rows(), header=headers, bom=st.booleans(), crlf=st.booleans())
def test_valid_rows_are_imported_exactly(
    db: Database, tmp_path: Path, rows: list[ProductRow], header: list[str], bom: bool, crlf: bool
) -> None:
    content = csv_bytes(header, [cells(r) for r in rows])
    if not crlf:  # "\n" line ends: a title's own "\r\n" would be rewritten with them
        assume(not any("\r" in r.title for r in rows))
        content = content.replace(b"\r\n", b"\n")
    path = tmp_path / "products.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content)
    result = import_products(emptied(db), path, VirtualClock(T0))
    assert result.errors == [] and result.rejected == 0
    assert (result.rows, result.created, result.updated) == (len(rows), len(rows), 0)
    assert stored(db) == {r.sku: r for r in rows}


BAD_CELLS = st.sampled_from(
    [
        ("ean", "4006381333932", "is not a valid EAN-13 or UPC-A code"),
        ("ean", "12345", "is not a valid EAN-13 or UPC-A code"),
        ("quantity", "-1", "is negative"),
        ("quantity", "1.5", "is not a whole number"),
        ("quantity", str(QUANTITY_MAX + 1), "too large"),
        ("price", "0", "must be greater than 0"),
        ("price", "-3.10", "must be greater than 0"),
        ("price", "1.005", "more than two decimals"),
        ("price", "NaN", "must be greater than 0"),
        ("price", "abc", "is not a number"),
        ("price", "1e10", "too large"),
        ("title", "", "title is empty"),
        ("title", "x" * (TITLE_MAX + 1), "longer than"),
        ("sku", "", "SKU is empty"),
        ("sku", "S" * (SKU_MAX + 1), "longer than"),
        ("sku", "A\tB", "control character"),
        ("title", "nul\x00here", "NUL"),
    ]
)


@SETTINGS
@given(rows=product_rows(one_line_titles), data=st.data(), bad=BAD_CELLS)
def test_a_bad_row_is_named_by_its_line_and_only_it_is_skipped(
    db: Database,
    tmp_path: Path,
    rows: list[ProductRow],
    data: st.DataObject,
    bad: tuple[str, str, str],
) -> None:
    column, value, says = bad
    at = data.draw(st.integers(0, len(rows) - 1), label="bad row")
    raw = [cells(r) for r in rows]
    raw[at][column] = value
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes(list(COLUMNS), raw))
    result = import_products(emptied(db), path, VirtualClock(T0))
    assert result.rejected == 1 and len(result.errors) == 1
    error = result.errors[0]
    assert error.line == at + 2 and str(error).startswith(f"line {at + 2}: ")
    assert says in str(error)
    good = [r for i, r in enumerate(rows) if i != at]
    assert stored(db) == {r.sku: r for r in good}
    assert result.created == len(good)


@SETTINGS
@given(rows=product_rows(one_line_titles), data=st.data())
def test_a_file_that_is_not_utf8_is_refused_naming_the_line_and_nothing_is_stored(
    db: Database, tmp_path: Path, rows: list[ProductRow], data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(rows) - 1), label="row in Latin-1")
    raw = [cells(r) for r in rows]
    content = csv_bytes(list(COLUMNS), raw)
    lines = content.split(b"\r\n")
    lines[at + 1] = lines[at + 1] + b"\xe9"  # é in Latin-1 / cp1252, after the price
    path = tmp_path / "products.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(CsvError, match=rf"^line {at + 2}: the file is not UTF-8 text") as caught:
        import_products(emptied(db), path, VirtualClock(T0))
    assert "nothing was imported" in str(caught.value)
    assert stored(db) == {}


@settings(max_examples=200, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from((*COLUMNS, "asin", "other")), st.none() | st.text()))
def test_a_row_of_any_text_is_a_product_or_a_row_error(row: dict[str, str | None]) -> None:
    try:
        product = parse_product_row(row, 7)
    except CsvRowError as error:
        assert error.line == 7 and str(error).startswith("line 7: ")
        return
    assert 0 < len(product.sku) <= SKU_MAX and 0 < len(product.title) <= TITLE_MAX
    assert 0 <= product.quantity <= QUANTITY_MAX
    assert product.price > 0 and product.price == product.price.quantize(Decimal("0.01"))
    assert product.ean is None or gtin_valid(product.ean)


@SETTINGS
@given(content=st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_any_file_is_imported_or_refused_with_a_csv_error(
    db: Database, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"sku,ean,title,quantity,price\n" + content)
    try:
        result = import_products(emptied(db), path, VirtualClock(T0))
    except CsvError as error:
        assert str(error).startswith("line ")
        return
    assert result.rejected == len(result.errors) <= result.rows
    assert len(stored(db)) == result.created


@SETTINGS
@given(
    rows=product_rows(one_line_titles),
    data=st.data(),
    block=st.integers(1, 16),
    bad=st.sampled_from([b"\xe9", b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80"]),
)
def test_the_utf8_check_names_the_right_line_and_byte_whatever_the_block_size(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[ProductRow],
    data: st.DataObject,
    block: int,
    bad: bytes,
) -> None:
    """Multi-byte characters split between the blocks read are fine; a bad sequence is
    reported at its first byte, counted from 1, on its line."""
    monkeypatch.setattr(catalog_import, "SCAN_BYTES", block)
    content = csv_bytes(list(COLUMNS), [cells(r) for r in rows])
    path = tmp_path / "products.csv"
    path.write_bytes(content)
    assert import_products(emptied(db), path, VirtualClock(T0)).created == len(rows)
    at = data.draw(st.integers(0, len(content)), label="where the bad bytes go")
    assume(at == len(content) or (content[at] & 0xC0) != 0x80)  # not inside a character
    path.write_bytes(content[:at] + bad + content[at:])
    line = content.count(b"\r\n", 0, at) + 1
    with pytest.raises(
        CsvError, match=rf"^line {line}: the file is not UTF-8 text \(byte {at + 1} "
    ):
        import_products(emptied(db), path, VirtualClock(T0))
    assert stored(db) == {}
