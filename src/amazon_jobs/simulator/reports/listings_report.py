"""The merchant listings reports: one tab-separated row per listing of the seller.

``GET_MERCHANT_LISTINGS_ALL_DATA`` holds every listing,
``GET_MERCHANT_LISTINGS_DATA`` only the active ones (quantity above 0). The
header row is Amazon's [sp-api-facts.md §6]; a row carries the catalog's item
name, the SKU, price, quantity, the open date in the marketplace's format,
``product-id`` = the item's EAN (type 4) or UPC (type 3), else the ASIN
(type 1), ``item-condition`` 11 for new, channel ``DEFAULT`` and status
``Active`` (quantity > 0) or ``Inactive``, as in Amazon's files.

Rows are encoded in the marketplace's charset (``simulator.common.locales``; Cp1252 with
``?`` for what it cannot hold in Europe) and streamed in blocks into the gzip
writer, so a seller with a million listings never has the whole text in
memory: only the compressed document is kept.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from amazon_jobs.simulator.catalog.items import Catalog, CatalogItem
from amazon_jobs.simulator.common.locales import Locale
from amazon_jobs.simulator.models import SimListing

__all__ = [
    "HEADER",
    "LISTINGS_ACTIVE",
    "LISTINGS_ALL",
    "LISTINGS_REPORT_TYPES",
    "ListingsReport",
    "RenderedReport",
    "render_listings_report",
]

LISTINGS_ALL = "GET_MERCHANT_LISTINGS_ALL_DATA"
LISTINGS_ACTIVE = "GET_MERCHANT_LISTINGS_DATA"
LISTINGS_REPORT_TYPES = frozenset({LISTINGS_ALL, LISTINGS_ACTIVE})
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
_BLOCK_ROWS = 5_000
_GZIP_LEVEL = 6
_FLAT = str.maketrans({"\t": " ", "\r": " ", "\n": " "})
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


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A finished document."""

    content: bytes
    content_type: str
    compressed: bool
    rows: int


def render_listings_report(report: ListingsReport, *, compress: bool) -> RenderedReport | None:
    """The document of *report*, or None when it has no row (Amazon cancels it)."""
    buffer = io.BytesIO()
    sink: io.BufferedIOBase = buffer
    if compress:
        sink = gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=_GZIP_LEVEL)
    codec = report.locale.codec
    rows = 0
    block = ["\t".join(HEADER) + "\n"]
    for line in _rows(report):
        block.append(line)
        rows += 1
        if len(block) >= _BLOCK_ROWS:
            sink.write("".join(block).encode(codec, "replace"))
            block.clear()
    sink.write("".join(block).encode(codec, "replace"))
    if sink is not buffer:
        sink.close()
    if rows == 0:
        return None
    content_type = f"text/plain; charset={report.locale.charset}"
    return RenderedReport(buffer.getvalue(), content_type, compress, rows)


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
        item.item_name.translate(_FLAT) if item else "",
        "",
        _listing_id(seller_id, sku, opened),
        sku.translate(_FLAT),
        "" if listing.price is None else _plain(listing.price),
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


def _plain(price: Decimal) -> str:
    """A price as the report writes it: 20, 0.02, 39.95 (no trailing zeros)."""
    text = f"{price:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
