"""Issues of a JSON listings feed processing report and of a listing, and their codes.

Every message-level code is Amazon's own, with Amazon's text, except
:data:`SIMULATOR_UNSUPPORTED`, which marks what the simulator does not model.
Where each code comes from is noted at the code; when each is raised is in
:mod:`amazon_jobs.simulator.feeds.processing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ASINS_SEVERAL",
    "ASIN_CONFLICT",
    "ASIN_NOT_FOUND",
    "ATTRIBUTES_INVALID",
    "ATTRIBUTES_INVALID_MESSAGE",
    "BELOW_MINIMUM",
    "BRAND_NOT_APPROVED",
    "BRAND_NOT_APPROVED_MESSAGE",
    "CATEGORIES",
    "DOCUMENT_UNREADABLE",
    "DOCUMENT_UNREADABLE_MESSAGE",
    "FEED_ABORTED",
    "HEADER_INVALID",
    "INTERNAL_ERROR",
    "INTERNAL_ERROR_MESSAGE",
    "MESSAGES_INVALID",
    "PRICE_MISSING",
    "PRICE_MISSING_MESSAGE",
    "RELEVANT_ATTRIBUTES",
    "RELEVANT_ATTRIBUTES_MESSAGE",
    "RELEVANT_ATTRIBUTE_NAMES",
    "REQUIRED_ABSENT",
    "REQUIRED_MISSING",
    "SCHEMA_MESSAGE",
    "SCHEMA_VIOLATION",
    "SELLER_MISMATCH",
    "SIMULATOR_UNSUPPORTED",
    "SKU_UNKNOWN",
    "SKU_UNKNOWN_MESSAGE",
    "UNSUPPORTED_FEED_TYPE",
    "Issue",
    "below_minimum_message",
    "required_absent_message",
]

# -- feed-level codes (the issue has no messageId) ---------------------------------

#: Amazon's code and text for a document that is not JSON (a live report quoted in
#: amzn/selling-partner-api-docs#2201); the feed ends FATAL here (a choice).
DOCUMENT_UNREADABLE = "4002001"
DOCUMENT_UNREADABLE_MESSAGE = "Item 'Feed' cannot be parsed."
#: Simulator: the feed type is not supported; the feed ends FATAL.
UNSUPPORTED_FEED_TYPE = "4002002"
#: Simulator: the feed was aborted by an injected fault (``simulator.common.faults``): FATAL.
FEED_ABORTED = "4002003"
#: Simulator: header.sellerId is not the seller that submitted the feed.
SELLER_MISMATCH = "4002004"
#: Amazon's code for a required attribute of the feed that is absent: "Attribute
#: 'Merchant' is required, but not present." for a header without a sellerId (a live
#: report in amzn/selling-partner-api-models#4636). The simulator also uses it, with
#: its own text, for "messages" empty or too long.
REQUIRED_ABSENT = "4002005"
MESSAGES_INVALID = REQUIRED_ABSENT
#: Amazon's code for a header that breaks the feed schema; its text for a wrong
#: version is "The attribute 'version' does not match the required value."
#: (amzn/selling-partner-api-docs#1133, translated from the French report).
HEADER_INVALID = "4002006"

# -- message-level codes -----------------------------------------------------------

#: Amazon's code and text for a message that breaks the message schema
#: (amzn/selling-partner-api-docs#1098).
SCHEMA_VIOLATION = "4002008"
SCHEMA_MESSAGE = (
    "The provided message did not meet the schema validation requirements for a feed message."
)
#: Amazon's code for a SKU that does not exist for the seller: "no action can be taken
#: for the SKU you entered, as it does not (yet) exist in the Amazon marketplace"
#: (Woosa, "What do the Amazon error codes mean?"); the text is Amazon's upload error
#: quoted by BookTrakker ("Amazon Upload Error Messages"). Raised only when
#: ``silent_unknown_skus`` is off: Amazon itself accepts such messages silently.
SKU_UNKNOWN = "13013"
SKU_UNKNOWN_MESSAGE = (
    "This SKU does not exist in the Amazon.com catalog. Your inventory data was not processed."
)
#: Amazon's code for a product id that matches one ASIN whose catalog data the message
#: contradicts; text from the examples quoted by Linnworks ("Amazon errors when
#: listing") and the "Common Feed Errors" guide (8541 and 8542).
ASIN_CONFLICT = "8541"
#: Amazon's code for a product id that matches several ASINs ("Common Feed Errors":
#: "occurs when the EAN matches multiple ASINs on Amazon"; Channable, "Solving common
#: errors for Amazon").
ASINS_SEVERAL = "8542"
#: Amazon's code for a product id (or ASIN) that maps to no ASIN; the text is the
#: example quoted by Lengow ("Amazon Error Code 8560").
ASIN_NOT_FOUND = "8560"
#: Amazon's code and text for a brand the seller is not approved for (peddler wiki,
#: "Amazon Inventory File Upload Errors"; Channable: "Brand Approval Required").
BRAND_NOT_APPROVED = "6024"
BRAND_NOT_APPROVED_MESSAGE = (
    "Seller is not authorized to list products by this brand name in this product line or "
    "category. For more details, see https://sellercentral.amazon.com/gp/errorcode/6024"
)
#: Amazon's code and text for attribute values it refuses, with the attribute in
#: ``attributeNames`` (live patchListingsItem answers in jlevers/selling-partner-api#861
#: and #675).
ATTRIBUTES_INVALID = "90000900"
ATTRIBUTES_INVALID_MESSAGE = "The attributes are invalid."
#: Amazon's code for a value below the attribute's minimum (a live Listings Items answer
#: in amzn/selling-partner-api-models#4621; Woosa documents the same check, 90114, with
#: 0.01 as the minimum of a price). See :func:`below_minimum_message`.
BELOW_MINIMUM = "90004114"
#: Amazon's code for a required attribute that is missing (processing-report example).
REQUIRED_MISSING = "90220"
#: Amazon's code and text for an offer without a price (processing-report example).
PRICE_MISSING = "99022"
PRICE_MISSING_MESSAGE = (
    "The field '\"prices\"' for the attribute 'purchasable_offer.our_price' does not have "
    "enough values. The required minimum is '1' value(s)."
)
#: Amazon's WARNING, code and text from the processing-report example: the listing's
#: relevant attributes are incomplete (attribute names as in the example).
RELEVANT_ATTRIBUTES = "18448"
RELEVANT_ATTRIBUTE_NAMES = ("item_diameter", "item_dimensions", "item_weight", "theme")
RELEVANT_ATTRIBUTES_MESSAGE = (
    "Attributes tagged as relevant_attributes are incomplete. Provide values for the "
    "following attribute(s): item_weight, theme, item_dimensions, item_diameter"
)
#: Amazon's code and text for an internal error that asks for a resubmit (Amazon's
#: "Feeds Error Messages" guide; StoreAutomator, "Amazon.com Error Codes Explained"):
#: what an accepted change that fails downstream leaves on its listing.
INTERNAL_ERROR = "5002"
INTERNAL_ERROR_MESSAGE = "An internal error occurred. Please resubmit your data."
#: Simulator only, not Amazon's: an operation, patch op, path or channel the simulator
#: does not model (Amazon would accept most of them).
SIMULATOR_UNSUPPORTED = "SIMULATOR_UNSUPPORTED"

#: ``categories`` of each code in a listing's issues (the Listings Items ``Issue``):
#: 90220 and 18448 are MISSING_ATTRIBUTE in Amazon's examples; the others follow the
#: model's descriptions of the categories.
CATEGORIES: dict[str, tuple[str, ...]] = {
    REQUIRED_MISSING: ("MISSING_ATTRIBUTE",),
    RELEVANT_ATTRIBUTES: ("MISSING_ATTRIBUTE",),
    PRICE_MISSING: ("MISSING_PRICE",),
    ATTRIBUTES_INVALID: ("INVALID_ATTRIBUTE",),
    BELOW_MINIMUM: ("INVALID_ATTRIBUTE",),
    BRAND_NOT_APPROVED: ("QUALIFICATION_REQUIRED",),
}


def required_absent_message(attribute: str) -> str:
    """Amazon's 4002005 text (amzn/selling-partner-api-models#4636)."""
    return f"Attribute '{attribute}' is required, but not present."


def below_minimum_message(value: object, attribute: str) -> str:
    """Amazon's 90004114 text, with the value and the attribute where Amazon puts them
    ("Value for ''0'' is lesser than the required minimum ''[number_of_boxes]''."; the
    doubled quotes there are an escaping slip, left out here)."""
    return f"Value for '{value}' is lesser than the required minimum '[{attribute}]'."


@dataclass(frozen=True, slots=True)
class Issue:
    """One issue: an entry of the report's ``issues``, or of a listing's issues."""

    code: str
    message: str
    severity: str = "ERROR"
    message_id: int | None = None
    sku: str | None = None
    attribute_name: str | None = None
    #: Every attribute the issue names, when more than :attr:`attribute_name`.
    attribute_names: tuple[str, ...] = ()

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

    def to_item_json(self) -> dict[str, Any]:
        """The issue as the Listings Items model's ``Issue`` (a report's ``items[].issues``,
        getListingsItem): code, message, severity, attributeNames, categories."""
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        data["severity"] = self.severity
        names = self.attribute_names or (
            (self.attribute_name,) if self.attribute_name is not None else ()
        )
        if names:
            data["attributeNames"] = list(names)
        data["categories"] = list(CATEGORIES.get(self.code, ()))
        return data

    def for_listing(self) -> Issue:
        """The issue as the listing keeps it: no message id, no SKU."""
        return Issue(
            self.code,
            self.message,
            self.severity,
            attribute_name=self.attribute_name,
            attribute_names=self.attribute_names,
        )
