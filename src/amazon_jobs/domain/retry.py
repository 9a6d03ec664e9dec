"""Which failed items a retry can fix (pure).

A retry sends the same SKU again. It fixes what went wrong on the way
(Amazon's internal errors, quota, a job that failed as a whole); it cannot
fix a SKU Amazon does not know, an EAN/UPC that matches no product (or the
wrong one): those need a change in the shop first.
"""

from __future__ import annotations

__all__ = ["UNFIXABLE_CODES", "retry_blocker"]

#: Amazon codes a retry of the same item cannot fix.
UNFIXABLE_CODES: dict[str, str] = {
    "13013": "Amazon does not know this SKU",
    "6024": "Amazon has not approved the seller for this brand",
    "8541": "the EAN/UPC conflicts with the ASIN's catalog data",
    "8542": "the EAN/UPC matches several Amazon products",
    "8560": "no ASIN matches (the EAN/UPC is most likely wrong)",
    "8572": "the EAN/UPC belongs to another product",
}
#: Words of our own or Amazon's messages that say the same.
_UNFIXABLE_TEXT: tuple[tuple[str, str], ...] = (
    ("does not exist", "Amazon does not know this SKU"),
    ("no Amazon product has", "the EAN/UPC matches no Amazon product"),
    ("Amazon products", "the EAN/UPC matches several Amazon products"),
    ("no ASIN and no EAN/UPC", "no ASIN and no EAN/UPC to find one with"),
)


def retry_blocker(code: str | None, message: str | None) -> str | None:
    """Why retrying an item that failed with *code*/*message* would fail again, or None
    when a retry can fix it."""
    if code and code in UNFIXABLE_CODES:
        return UNFIXABLE_CODES[code]
    text = message or ""
    head = text.split(":", 1)[0].strip()
    if head in UNFIXABLE_CODES:
        return UNFIXABLE_CODES[head]
    for words, why in _UNFIXABLE_TEXT:
        if words in text:
            return why
    return None
