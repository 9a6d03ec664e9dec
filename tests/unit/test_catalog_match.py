from __future__ import annotations

from amazon_jobs.amazon.catalog_api import CatalogItem
from amazon_jobs.handlers.send_products import match_codes


def item(asin, *identifiers):
    return CatalogItem(asin, frozenset(identifiers), None)


def test_codes_map_to_asins_with_upc_and_ean_equivalent():
    items = [
        item("B1", ("EAN", "4006381333931")),
        item("B2", ("UPC", "887276302195"), ("EAN", "0887276302195")),
        item("B3", ("EAN", "5901234123457")),
        item("B4", ("EAN", "5901234123457")),
        item("B5", ("ISBN", "4006381333931")),
    ]
    matches = match_codes(
        ["4006381333931", "887276302195", "0887276302195", "5901234123457", "9780201379624"], items
    )
    assert matches == {
        "4006381333931": ["B1"],
        "887276302195": ["B2"],
        "0887276302195": ["B2"],
        "5901234123457": ["B3", "B4"],
        "9780201379624": [],
    }
