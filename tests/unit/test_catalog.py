from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from amazon_jobs.catalog_import import import_products
from amazon_jobs.domain.catalog import gtin_valid, parse_product_row
from amazon_jobs.errors import CsvError, CsvRowError
from amazon_jobs.store.models import Product


@pytest.mark.parametrize(
    "code", ["4006381333931", "0887276302195", "887276302195", "5901234123457"]
)
def test_valid_gtins(code):
    assert gtin_valid(code)


@pytest.mark.parametrize("code", ["4006381333932", "12345", "40063813339a1", "", "88727630219"])
def test_invalid_gtins(code):
    assert not gtin_valid(code)


def row(**overrides):
    base = {
        "sku": "SKU-1",
        "ean": "4006381333931",
        "title": "Pen",
        "quantity": "3",
        "price": "9.99",
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ean", "4006381333932", "not a valid EAN-13 or UPC-A"),
        ("quantity", "-2", "quantity -2 is negative"),
        ("quantity", "2.5", "not a whole number"),
        ("price", "0", "must be greater than 0"),
        ("price", "abc", "not a number"),
        ("price", "1.999", "more than two decimals"),
        ("sku", "", "SKU is empty"),
        ("sku", "X" * 41, "longer than 40"),
        ("title", " ", "title is empty"),
    ],
)
def test_bad_rows_name_line_and_problem(field, value, message):
    with pytest.raises(CsvRowError, match=message) as caught:
        parse_product_row(row(**{field: value}), 7)
    assert caught.value.line == 7
    assert str(caught.value).startswith("line 7: ")


def test_good_row():
    parsed = parse_product_row(row(ean=""), 2)
    assert parsed.ean is None and parsed.price == Decimal("9.99") and parsed.quantity == 3


def test_import_reports_bad_rows_and_keeps_good_ones(sqlite_url, clock, tmp_path):
    from tests.conftest import make_runtime

    rt = make_runtime(sqlite_url, clock, tmp_path)
    path = tmp_path / "products.csv"
    path.write_text(
        "sku,ean,title,quantity,price\n"
        "A,4006381333931,Pen,3,1.50\n"
        "B,4006381333932,Bad EAN,1,2.00\n"
        "C,,Paper,-1,2.00\n"
        "A,,Duplicate,1,1.00\n"
        "D,887276302195,Ink,0,3\n",
        encoding="utf-8",
    )
    result = import_products(rt.db, path, clock)
    assert result.rows == 5 and result.created == 2
    assert [str(e) for e in result.errors] == [
        "line 3: EAN/UPC '4006381333932' is not a valid EAN-13 or UPC-A code",
        "line 4: quantity -1 is negative",
        "line 5: SKU 'A' appears already on line 2",
    ]
    path.write_text("sku,title,quantity,price\nA,Pen v2,5,1.75\n", encoding="utf-8")
    again = import_products(rt.db, path, clock)
    assert (again.created, again.updated) == (0, 1)
    with rt.db.read() as session:
        products = {p.sku: p for p in session.scalars(select(Product))}
    assert products["A"].title == "Pen v2" and products["A"].quantity == 5
    assert products["D"].price == Decimal("3.00")
    rt.close()


def test_import_refuses_file_without_required_columns(sqlite_url, clock, tmp_path):
    from tests.conftest import make_runtime

    rt = make_runtime(sqlite_url, clock, tmp_path)
    path = tmp_path / "p.csv"
    path.write_text("sku,name\nA,B\n", encoding="utf-8")
    with pytest.raises(CsvError, match="missing column"):
        import_products(rt.db, path, clock)
    path.write_bytes(b"sku,title,quantity,price\nA,\xff\xfe,1,1\n")
    with pytest.raises(CsvError, match="not UTF-8"):
        import_products(rt.db, path, clock)
    rt.close()


def test_a_semicolon_file_is_read_with_its_decimal_commas(sqlite_url, clock, tmp_path):
    from tests.conftest import make_runtime

    rt = make_runtime(sqlite_url, clock, tmp_path)
    path = tmp_path / "excel.csv"
    path.write_text("sku;title;quantity;price\nE;Tape;5;2,49\nF;Glue;1\n", encoding="utf-8")
    result = import_products(rt.db, path, clock)
    assert (result.created, result.rejected, result.delimiter) == (1, 1, ";")
    assert [str(e) for e in result.errors] == [
        "line 3: 3 fields, expected 4 (sku, title, quantity, price): a value is missing, "
        "or the separator is not the header's"
    ]
    with rt.db.read() as session:
        assert session.scalar(select(Product.price)) == Decimal("2.49")
    rt.close()
