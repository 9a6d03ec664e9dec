"""The Inventory Report (``GET_FLAT_FILE_OPEN_LISTINGS_DATA``): SKU, ASIN, price, quantity.

Amazon's "Tab-delimited flat file open listings report that contains a
summary of the seller's product listings with the price and quantity for each
SKU" [Report Type Values — Inventory; sp-api-facts.md §6]. One row per listing
the seller has (whatever its quantity), for one marketplace: only the first
of the request's ``marketplaceIds`` is used.

The header is ``sku, asin, price, quantity`` and then Amazon's business-price
columns [sp-api-facts.md §6]. The facts name them by group ("Quantity Lower
Bound 1-5 / Quantity Price 1-5"); real documents, as public parsers of
downloaded reports list their columns, pair each bound with its price
(``Quantity Lower Bound 1``, ``Quantity Price 1``, ``Quantity Lower Bound 2``…),
and so does this one. A seller of the simulator has no business prices, so
those cells are empty.
"""

from __future__ import annotations

from collections.abc import Iterator

from amazon_jobs.simulator.reports.listings_report import ListingsReport
from amazon_jobs.simulator.reports.tsv import RenderedReport, flat, plain_price, write_report

__all__ = ["OPEN_LISTINGS", "OPEN_LISTINGS_HEADER", "render_open_listings_report"]

OPEN_LISTINGS = "GET_FLAT_FILE_OPEN_LISTINGS_DATA"
_QUANTITY_TIERS = 5
_PROGRESSIVE_TIERS = 3
OPEN_LISTINGS_HEADER: tuple[str, ...] = (
    "sku",
    "asin",
    "price",
    "quantity",
    "Business Price",
    "Quantity Price Type",
    *(
        column
        for tier in range(1, _QUANTITY_TIERS + 1)
        for column in (f"Quantity Lower Bound {tier}", f"Quantity Price {tier}")
    ),
    "Progressive Price Type",
    *(
        column
        for tier in range(1, _PROGRESSIVE_TIERS + 1)
        for column in (f"Progressive Lower Bound {tier}", f"Progressive Price {tier}")
    ),
)
#: The business-price cells of a row: all empty.
_NO_BUSINESS_PRICES = "\t" * (len(OPEN_LISTINGS_HEADER) - 4)


def render_open_listings_report(report: ListingsReport, *, compress: bool) -> RenderedReport | None:
    """The document of *report*, or None when the seller has no listing (Amazon cancels it)."""
    return write_report(OPEN_LISTINGS_HEADER, _rows(report), report.locale, compress=compress)


def _rows(report: ListingsReport) -> Iterator[str]:
    for sku, listing in report.listings.items():
        cells = (flat(sku), listing.asin or "", plain_price(listing.price), str(listing.quantity))
        yield "\t".join(cells) + _NO_BUSINESS_PRICES + "\n"
