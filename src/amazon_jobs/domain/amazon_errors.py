"""One line of advice for the Amazon error codes sellers meet most."""

from __future__ import annotations

__all__ = ["ADVICE", "explain"]

ADVICE: dict[str, str] = {
    "5002": "Amazon had an internal error: send the item again (retry failed items).",
    "8541": (
        "Your data conflicts with the catalog data of that ASIN: check the EAN/UPC and "
        "that the product really is this ASIN."
    ),
    "8560": (
        "No ASIN matches this SKU and Amazon cannot create one from an offer: the EAN/UPC is "
        "most likely wrong."
    ),
    "8572": (
        "The UPC/EAN you sent belongs to another product: correct the code, or ask Amazon "
        "for a GTIN exemption."
    ),
    "90057": "Amazon refused an attribute value: correct the value the message names.",
    "90220": "A required attribute is missing: add the value the message names and send again.",
    "99022": "A value is missing (often the price): fill it in and send again.",
    "4002008": "The message broke the feed's schema: a bug on our side, please report it.",
    "NOT_FOUND": (
        "Amazon does not know this SKU for your seller: send the product first "
        "(Sending Products), or check the SKU."
    ),
    "INVALID_VALUE": "A quantity or price Amazon cannot accept: correct it in the shop.",
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
