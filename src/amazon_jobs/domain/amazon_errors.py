"""One line of advice for the Amazon error codes sellers meet most.

Every key is a code Amazon really sends (where each comes from is noted in
``amazon_jobs.simulator.listings.issues``), plus Amazon's ``QuotaExceeded``.
"""

from __future__ import annotations

__all__ = ["ADVICE", "explain"]

ADVICE: dict[str, str] = {
    "5002": "Amazon had an internal error: send the item again (retry failed items).",
    "6024": (
        "Amazon needs to approve you for this brand or category first: apply in Seller "
        "Central, then send the product again."
    ),
    "8541": (
        "Your data conflicts with the catalog data of that ASIN: check the EAN/UPC and "
        "that the product really is this ASIN."
    ),
    "8542": (
        "The EAN/UPC matches several Amazon products: give the product its ASIN so Amazon "
        "knows which one you sell."
    ),
    "8560": (
        "No ASIN matches this SKU and Amazon cannot create one from an offer: the EAN/UPC is "
        "most likely wrong."
    ),
    "8572": (
        "The UPC/EAN you sent belongs to another product: correct the code, or ask Amazon "
        "for a GTIN exemption."
    ),
    "13013": (
        "Amazon does not know this SKU for your seller: send the product first "
        "(Sending Products), or check the SKU."
    ),
    "18448": (
        "A warning, not an error: Amazon would like more product details; the offer was accepted."
    ),
    "90000900": "Amazon refused an attribute value: correct the value the issue names.",
    "90004114": (
        "A value is below Amazon's minimum (a price must be at least 0.01, a quantity at "
        "least 0): correct it in the shop."
    ),
    "90057": "Amazon refused an attribute value: correct the value the message names.",
    "90220": "A required attribute is missing: add the value the message names and send again.",
    "99022": "A value is missing (often the price): fill it in and send again.",
    "4002008": "The message broke the feed's schema: a bug on our side, please report it.",
    "QuotaExceeded": "Amazon's quota was used up: the job waits and tries again by itself.",
}


def explain(code: str | None, message: str | None = None) -> str | None:
    """What to do about an Amazon error *code* (or one named in *message*), if we know."""
    if code and code in ADVICE:
        return ADVICE[code]
    if message:
        head = message.split(":", 1)[0].strip()
        return ADVICE.get(head)
    return None
