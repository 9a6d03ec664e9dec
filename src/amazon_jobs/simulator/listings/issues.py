"""Issues of a JSON listings feed processing report, and the codes the simulator uses.

See :mod:`amazon_jobs.simulator.feeds.processing` for when each code is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "DOCUMENT_UNREADABLE",
    "FEED_ABORTED",
    "HEADER_INVALID",
    "INVALID_VALUE",
    "MESSAGES_INVALID",
    "MULTIPLE_MATCHES",
    "NOT_FOUND",
    "PRICE_MISSING",
    "PRICE_MISSING_MESSAGE",
    "REQUIRED_MISSING",
    "SCHEMA_MESSAGE",
    "SCHEMA_VIOLATION",
    "SELLER_MISMATCH",
    "SKU_NOT_FOUND",
    "UNSUPPORTED",
    "UNSUPPORTED_FEED_TYPE",
    "Issue",
]

# Feed-level codes (the issue has no messageId).
#: Amazon's code for a header that breaks the feed schema (seen for a wrong version).
HEADER_INVALID = "4002006"
#: Simulator: the document is not a JSON object; the feed ends FATAL.
DOCUMENT_UNREADABLE = "4002001"
#: Simulator: the feed type is not supported; the feed ends FATAL.
UNSUPPORTED_FEED_TYPE = "4002002"
#: Simulator: the feed was aborted by an injected fault (``simulator.common.faults``): FATAL.
FEED_ABORTED = "4002003"
#: Simulator: header.sellerId is not the seller that submitted the feed.
SELLER_MISMATCH = "4002004"
#: Simulator: "messages" is missing, not an array, empty or too long.
MESSAGES_INVALID = "4002005"

# Message-level codes.
#: Amazon's code for a message that breaks the message schema.
SCHEMA_VIOLATION = "4002008"
SCHEMA_MESSAGE = (
    "The provided message did not meet the schema validation requirements for a feed message."
)
#: Simulator: a PATCH, PARTIAL_UPDATE or DELETE names a SKU the seller has no listing
#: for, or an offer names an ASIN or product id the catalog does not have.
NOT_FOUND = "NOT_FOUND"
SKU_NOT_FOUND = NOT_FOUND
#: Simulator: an offer's product id matches several ASINs.
MULTIPLE_MATCHES = "MULTIPLE_MATCHES"
#: Amazon's code for a required attribute that is missing.
REQUIRED_MISSING = "90220"
#: Amazon's code and text for an offer without a price (processing-report example).
PRICE_MISSING = "99022"
PRICE_MISSING_MESSAGE = (
    "The field '\"prices\"' for the attribute 'purchasable_offer.our_price' does not have "
    "enough values. The required minimum is '1' value(s)."
)
#: Simulator: an attribute value is not acceptable (e.g. a negative quantity).
INVALID_VALUE = "INVALID_VALUE"
#: Simulator: an operation type, patch op, path or channel this slice does not handle.
UNSUPPORTED = "UNSUPPORTED"


@dataclass(frozen=True, slots=True)
class Issue:
    """One entry of the report's ``issues``."""

    code: str
    message: str
    severity: str = "ERROR"
    message_id: int | None = None
    sku: str | None = None
    attribute_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The issue in the processing report's field names."""
        data: dict[str, Any] = {}
        if self.message_id is not None:
            data["messageId"] = self.message_id
        if self.sku:
            data["sku"] = self.sku
        data.update(code=self.code, severity=self.severity, message=self.message)
        if self.attribute_name is not None:
            data["attributeName"] = self.attribute_name
        return data
