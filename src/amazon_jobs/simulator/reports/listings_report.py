"""The merchant listings reports: one tab-separated row per listing of the seller.

``GET_MERCHANT_LISTINGS_ALL_DATA`` holds every listing,
``GET_MERCHANT_LISTINGS_DATA`` only the active ones (quantity above 0). The
header row is Amazon's [sp-api-facts.md §6]; a row carries the catalog's item
name, the SKU, price, quantity, the open date in the marketplace's format,
``product-id`` = the item's EAN (type 4) or UPC (type 3), else the ASIN
(type 1), ``item-condition`` 11 for new, channel ``DEFAULT`` and status
``Active`` (quantity > 0) or ``Inactive``, as in Amazon's files.

The document is written by ``simulator.reports.tsv``: in the marketplace's
charset, streamed into the gzip writer, and not at all when no listing fits
(Amazon cancels a report that has no data).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from amazon_jobs.simulator.catalog.items import Catalog, CatalogItem
from amazon_jobs.simulator.common.locales import Locale
from amazon_jobs.simulator.models import SimListing
from amazon_jobs.simulator.reports.tsv import RenderedReport, flat, plain_price, write_report

__all__ = [
    "HEADER",
    "LISTINGS_ACTIVE",
    "LISTINGS_ALL",
    "ListingsReport",
    "render_listings_report",
]

LISTINGS_ALL = "GET_MERCHANT_LISTINGS_ALL_DATA"
LISTINGS_ACTIVE = "GET_MERCHANT_LISTINGS_DATA"
HEADER = (
    "item-name",
    "item-description",
    "listing-id",
    "seller-sku",
    "price",
    "quantity",
    "open-date",
    "image-url",
    "item-is-marketplace",
    "product-id-type",
    "zshop-shipping-fee",
    "item-note",
    "item-condition",
    "zshop-category1",
    "zshop-browse-path",
    "zshop-storefront-feature",
    "asin1",
    "asin2",
    "asin3",
    "will-ship-internationally",
    "expedited-shipping",
    "zshop-boldface",
    "product-id",
    "bid-for-featured-placement",
    "add-delete",
    "pending-quantity",
    "fulfillment-channel",
    "merchant-shipping-group",
    "status",
)
#: ``item-condition`` codes of the report by ``condition_type``; new is 11.
_CONDITION_CODES = {
    "used_like_new": "1",
    "used_very_good": "2",
    "used_good": "3",
    "used_acceptable": "4",
    "collectible_like_new": "5",
    "collectible_very_good": "6",
    "collectible_good": "7",
    "collectible_acceptable": "8",
    "refurbished_refurbished": "10",
}
_NEW = "11"
_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class ListingsReport:
    """What one listings report is made of."""

    report_type: str
    seller_id: str
    listings: Mapping[str, SimListing]
    catalog: Catalog
    locale: Locale
    #: Open date of listings that have none (seeded ones).
    default_open: datetime


def render_listings_report(report: ListingsReport, *, compress: bool) -> RenderedReport | None:
    """The document of *report*, or None when it has no row (Amazon cancels it)."""
    return write_report(HEADER, _rows(report), report.locale, compress=compress)


def _rows(report: ListingsReport) -> Iterator[str]:
    active_only = report.report_type == LISTINGS_ACTIVE
    dates: dict[datetime, str] = {}
    for sku, listing in report.listings.items():
        if active_only and listing.quantity <= 0:
            continue
        opened = listing.opened_at or report.default_open
        if opened not in dates:
            dates[opened] = report.locale.report_date(opened)
        item = None if listing.asin is None else report.catalog.get(listing.asin)
        yield _row(report.seller_id, sku, listing, item, opened, dates[opened])


def _row(
    seller_id: str,
    sku: str,
    listing: SimListing,
    item: CatalogItem | None,
    opened: datetime,
    open_date: str,
) -> str:
    id_type, product_id = _product_id(listing, item)
    fields = (
        flat(item.item_name) if item else "",
        "",
        _listing_id(seller_id, sku, opened),
        flat(sku),
        plain_price(listing.price),
        str(listing.quantity),
        open_date,
        "",
        "y",
        id_type,
        "",
        "",
        _CONDITION_CODES.get(listing.condition or "", _NEW),
        "",
        "",
        "",
        listing.asin or "",
        "",
        "",
        "",
        "",
        "",
        product_id,
        "",
        "",
        "0",
        "DEFAULT",
        "Migrated Template",
        "Active" if listing.quantity > 0 else "Inactive",
    )
    return "\t".join(fields) + "\n"


def _product_id(listing: SimListing, item: CatalogItem | None) -> tuple[str, str]:
    if item is not None and item.ean is not None:
        return "4", item.ean
    if item is not None and item.upc is not None:
        return "3", item.upc
    if listing.asin is not None:
        return "1", listing.asin
    return "", ""


def _listing_id(seller_id: str, sku: str, opened: datetime) -> str:
    """Amazon's form: the open month and day, then 7 letters and digits (e.g. 0708QHIDPCS)."""
    number = int.from_bytes(hashlib.blake2b(f"{seller_id}/{sku}".encode(), digest_size=8).digest())
    letters = []
    for _ in range(7):
        number, rest = divmod(number, 36)
        letters.append(_ID_ALPHABET[rest])
    return f"{opened.month:02d}{opened.day:02d}" + "".join(letters)
