"""Processing of a feed document into an outcome: status, report, listing changes.

Only ``JSON_LISTINGS_FEED`` is supported in this slice. Every other feed type
ends ``FATAL``, as Amazon's retired XML and flat-file listings feeds do, with
a report holding one feed-level ERROR issue.

What happens to a JSON_LISTINGS_FEED document:

- Not UTF-8 JSON, or not a JSON object: the feed ends ``FATAL`` and its report
  has one feed-level issue and zero counts. (A choice: Amazon documents no
  behaviour for an unparseable JSON feed; FATAL is its status for a feed
  aborted as a whole.)
- A header that breaks the feed schema, a ``header.sellerId`` other than the
  seller that submitted the feed, or ``messages`` missing, empty or longer than
  ``max_feed_messages`` (25 000): the feed ends ``DONE`` with a feed-level
  issue and **no message processed** (messagesProcessed 0, as Amazon reported
  for a bad ``version`` in amzn/selling-partner-api-models#1662).
- Otherwise every message is checked in order against the seller's latest
  *accepted* listings; a message without an ERROR is accepted, and the changes
  of the accepted messages go to ``Simulator.accept_changes`` when the feed
  ends: they become visible later (``simulator.listings.visibility``).

Issue codes (severity ERROR unless said; "(sim)" marks the simulator's own):

=======================  =======  =========================================
code                     scope    when
=======================  =======  =========================================
4002001                  feed     document not UTF-8 JSON or not an object:
                                  Amazon's "Item 'Feed' cannot be parsed."
                                  (FATAL here, a choice)
4002002 (sim)            feed     feed type not supported (FATAL)
4002003 (sim)            feed     aborted by an injected fault (FATAL)
4002004 (sim)            feed     header.sellerId is not the submitting
                                  seller
4002005                  feed     header not an object or without sellerId:
                                  Amazon's "Attribute 'Merchant' is
                                  required, but not present."; "messages"
                                  missing ("Attribute 'messages' …"), and
                                  (sim text) not an array, empty or too many
4002006                  feed     header breaks the schema otherwise (a
                                  wrong version: Amazon's text)
4002008                  message  message breaks the message schema, or
                                  repeats a messageId (Amazon's text)
13013                    message  PATCH, PARTIAL_UPDATE or DELETE of a SKU
                                  the seller has no listing for, only with
                                  ``silent_unknown_skus`` off (Amazon
                                  accepts such a message silently)
8560                     message  an offer's merchant_suggested_asin or
                                  externally_assigned_product_identifier
                                  maps to no ASIN of the catalog
8542                     message  an offer's product id matches several
                                  ASINs (none of them the suggested one)
8541                     message  an offer's product id matches one ASIN
                                  other than its merchant_suggested_asin
6024                     message  an offer on an ASIN of a brand the seller
                                  is not approved for
90220                    message  a required attribute is missing:
                                  condition_type, or both product ids of an
                                  offer (Amazon's texts); attributeName =
                                  the attribute
99022                    message  an UPDATE offer (or a replace of
                                  purchasable_offer) without a price
                                  (Amazon's text; attributeName
                                  ``purchasable_offer.our_price``)
90004114                 message  a quantity below 0 or a price below 0.01
                                  (Amazon's text)
90000900                 message  "The attributes are invalid.": a quantity
                                  not an integer, not exactly one
                                  fulfillment_availability value, a price
                                  not a number, a bad currency, an unknown
                                  condition_type, a malformed ASIN or
                                  product id (attributeName = attribute)
18448 (WARNING)          message  every accepted UPDATE (with warnings on):
                                  relevant attributes incomplete, Amazon's
                                  example text; the message stays accepted
SIMULATOR_UNSUPPORTED    message  what the simulator does not model: an
(sim)                             UPDATE whose requirements are not
                                  LISTING_OFFER_ONLY, a patch path other
                                  than fulfillment_availability,
                                  purchasable_offer or condition_type, an op
                                  other than replace or merge, a channel
                                  other than DEFAULT
=======================  =======  =========================================

Where each code and text comes from is at its constant in
``simulator.listings.issues``. What each operation does is in
``simulator.listings.changes``. A message may get several issues (an offer
missing both its condition and its price gets 90220 and 99022); it is then
one invalid message. Messages apply in order, so a later message sees what an
earlier one of the same feed did. When the header asks for
``report.includedData`` the report echoes ``header.report`` and adds
``summary.itemSummary`` and ``items``, whose ``issues`` are the listing's
issues after acceptance (see ``simulator.feeds.processing_report``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from amazon_jobs.simulator.catalog.items import Catalog
from amazon_jobs.simulator.feeds.messages import message_id_of, schema_problem, sku_of
from amazon_jobs.simulator.feeds.processing_report import (
    API_VERSION,
    INCLUDED_DATA,
    VERSION,
    ItemView,
    build_items,
    build_report,
)
from amazon_jobs.simulator.listings.changes import change_of, sets_quantity
from amazon_jobs.simulator.listings.issues import (
    DOCUMENT_UNREADABLE,
    DOCUMENT_UNREADABLE_MESSAGE,
    FEED_ABORTED,
    HEADER_INVALID,
    MESSAGES_INVALID,
    REQUIRED_ABSENT,
    SCHEMA_MESSAGE,
    SCHEMA_VIOLATION,
    SELLER_MISMATCH,
    UNSUPPORTED_FEED_TYPE,
    Issue,
    required_absent_message,
)
from amazon_jobs.simulator.listings.updates import OfferContext
from amazon_jobs.simulator.listings.warnings import warnings_of
from amazon_jobs.simulator.models import FeedStatus, SimListing

__all__ = ["JSON_LISTINGS_FEED", "FeedContext", "FeedOutcome", "aborted", "process_feed"]

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"


@dataclass(frozen=True, slots=True)
class FeedContext:
    """The feed being processed."""

    seller_id: str
    feed_id: str
    feed_type: str
    max_messages: int = 25_000
    #: The feed's (first) marketplace: its catalog and currency apply.
    marketplace_id: str = ""
    #: When processing ends: the open date of new offers, the report's dates.
    now: datetime | None = None
    #: Accepted messages get Amazon's WARNINGs (``simulator.listings.warnings``).
    warnings: bool = True
    #: An unknown SKU's PATCH, PARTIAL_UPDATE or DELETE is accepted silently (13013 if not).
    silent_unknown_skus: bool = True
    #: Brands (case-folded) the seller is not approved for (6024).
    restricted_brands: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What processing a feed produced."""

    status: FeedStatus
    report: dict[str, Any]
    message_count: int = 0
    #: The new listing per changed SKU (None: deleted), accepted when the feed ends.
    changes: dict[str, SimListing | None] = field(default_factory=dict)
    #: The changed SKUs whose quantity a message set (the others keep what orders left).
    quantity_set: frozenset[str] = frozenset()
    #: The warnings of the accepted messages, by SKU: the listing shows them once visible.
    warnings: dict[str, tuple[Issue, ...]] = field(default_factory=dict)

    @property
    def quantities(self) -> dict[str, int]:
        """The new quantity of every changed SKU that still has a listing."""
        return {sku: new.quantity for sku, new in self.changes.items() if new is not None}


#: The issues a SKU's listing already shows (``Simulator.listing_issues``).
IssuesOf = Callable[[str], Sequence[Issue]]


def process_feed(
    context: FeedContext,
    content: bytes,
    listings: Mapping[str, SimListing],
    catalog: Catalog | None = None,
    listing_issues: IssuesOf | None = None,
) -> FeedOutcome:
    """Process one feed document against the seller's accepted *listings* (which it does
    not change).

    Offers are checked against *catalog*, the catalog of the feed's marketplace
    (an empty one when None); *listing_issues* gives the issues each listing already
    shows, for the report's ``items[].issues``.
    """
    if context.feed_type != JSON_LISTINGS_FEED:
        message = f"The feed type '{context.feed_type}' is not supported: use JSON_LISTINGS_FEED."
        return _fatal(context, Issue(UNSUPPORTED_FEED_TYPE, message))
    document = _parse(content)
    if document is None:
        return _fatal(context, Issue(DOCUMENT_UNREADABLE, DOCUMENT_UNREADABLE_MESSAGE))
    messages = document.get("messages")
    problems = _feed_problems(document.get("header"), messages, context)
    if problems:
        count = len(messages) if isinstance(messages, list) else 0
        return _refused(context, FeedStatus.DONE, problems, count)
    offers = OfferContext(
        catalog or Catalog(context.marketplace_id),
        context.now,
        context.restricted_brands,
        context.silent_unknown_skus,
    )
    return _process_messages(context, document, _Working(listings), offers, listing_issues)


def aborted(context: FeedContext) -> FeedOutcome:
    """A feed Amazon aborted on its side (an injected fault): FATAL, nothing applied."""
    message = "The feed was aborted because of an internal error. Submit it again."
    return _fatal(context, Issue(FEED_ABORTED, message))


def _fatal(context: FeedContext, issue: Issue) -> FeedOutcome:
    return _refused(context, FeedStatus.FATAL, [issue], 0)


def _refused(
    context: FeedContext, status: FeedStatus, issues: list[Issue], count: int
) -> FeedOutcome:
    """A feed refused as a whole: feed-level issues, no message processed."""
    report = build_report(
        seller_id=context.seller_id,
        feed_id=context.feed_id,
        issues=issues,
        processed=0,
        accepted=0,
    )
    return FeedOutcome(status, report, count)


def _parse(content: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _feed_problems(header: Any, messages: Any, context: FeedContext) -> list[Issue]:
    problems = [_header_problem(header, context.seller_id), _messages_problem(messages, context)]
    return [problem for problem in problems if problem is not None]


def _header_problem(header: Any, seller_id: str) -> Issue | None:
    if not isinstance(header, dict) or "sellerId" not in header:
        # Amazon names the seller id 'Merchant' here (amzn/selling-partner-api-models#4636).
        return Issue(REQUIRED_ABSENT, required_absent_message("Merchant"))
    if not isinstance(header["sellerId"], str):
        return Issue(HEADER_INVALID, "The attribute 'sellerId' must be a string.")
    if header.get("version") != VERSION:
        return Issue(HEADER_INVALID, "The attribute 'version' does not match the required value.")
    if "issueLocale" in header and not isinstance(header["issueLocale"], str):
        return Issue(HEADER_INVALID, "The attribute 'issueLocale' must be a string.")
    if "report" in header and _requested(header) is None:
        return Issue(
            HEADER_INVALID,
            "The attribute 'report' needs 'includedData' (known data sets) and "
            f"'apiVersion' '{API_VERSION}'.",
        )
    if header["sellerId"] != seller_id:
        return Issue(
            SELLER_MISMATCH,
            f"The sellerId '{header['sellerId']}' does not match the selling partner "
            "that submitted the feed.",
        )
    return None


def _requested(header: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The header's ``report`` when present and valid."""
    report = header.get("report")
    if not isinstance(report, dict) or report.get("apiVersion") != API_VERSION:
        return None
    included = report.get("includedData")
    if not isinstance(included, list) or not included:
        return None
    if not all(isinstance(name, str) and name in INCLUDED_DATA for name in included):
        return None
    return report


def _messages_problem(messages: Any, context: FeedContext) -> Issue | None:
    if messages is None:
        return Issue(REQUIRED_ABSENT, required_absent_message("messages"))
    if not isinstance(messages, list) or not messages:
        return Issue(
            MESSAGES_INVALID, "The feed needs a 'messages' array with at least one message."
        )
    if len(messages) > context.max_messages:
        return Issue(
            MESSAGES_INVALID,
            f"The feed has {len(messages)} messages; at most {context.max_messages} are allowed.",
        )
    return None


class _Working:
    """The accepted listings as the messages processed so far left them."""

    def __init__(self, listings: Mapping[str, SimListing]) -> None:
        self._listings = listings
        self.changes: dict[str, SimListing | None] = {}
        self.quantity_set: set[str] = set()
        self.warnings: dict[str, list[Issue]] = {}

    def get(self, sku: str) -> SimListing | None:
        return self.changes[sku] if sku in self.changes else self._listings.get(sku)

    def put(self, sku: str, listing: SimListing | None, quantity: bool) -> None:
        current = self.get(sku)
        # ``sent_quantity`` is left out of listing equality: a quantity sent equal to
        # what orders left is still a new sent quantity.
        if listing != current or (
            listing is not None
            and current is not None
            and listing.sent_quantity != current.sent_quantity
        ):
            self.changes[sku] = listing
        if quantity:
            self.quantity_set.add(sku)

    def warn(self, sku: str, warnings: list[Issue]) -> None:
        self.warnings.setdefault(sku, []).extend(warnings)

    def outcome(self, report: dict[str, Any], count: int) -> FeedOutcome:
        warnings = {sku: tuple(found) for sku, found in self.warnings.items()}
        quantity_set = frozenset(self.quantity_set.intersection(self.changes))
        return FeedOutcome(FeedStatus.DONE, report, count, self.changes, quantity_set, warnings)


def _process_messages(
    context: FeedContext,
    document: dict[str, Any],
    working: _Working,
    offers: OfferContext,
    listing_issues: IssuesOf | None,
) -> FeedOutcome:
    messages: list[Any] = document["messages"]
    issues: list[Issue] = []
    invalid = 0
    accepted: dict[str, None] = {}
    seen: set[int] = set()
    for message in messages:
        result = _judge(message, seen, working, offers)
        if isinstance(result, list):
            issues.extend(result)
            invalid += 1
            continue
        accepted[message["sku"]] = None
        working.put(message["sku"], result, sets_quantity(message))
        if context.warnings:
            found = warnings_of(message, int(message["messageId"]))
            working.warn(message["sku"], found)
            issues.extend(found)
    requested = _requested(document["header"])
    items = None
    if requested is not None:
        view = ItemView(context.marketplace_id, offers.catalog, context.now)
        issues_of = _item_issues(working, listing_issues)
        items = build_items(accepted, working.get, requested["includedData"], view, issues_of)
    report = build_report(
        seller_id=context.seller_id,
        feed_id=context.feed_id,
        issues=issues,
        processed=len(messages),
        accepted=len(messages) - invalid,
        requested=requested,
        items=items,
    )
    return working.outcome(report, len(messages))


def _item_issues(working: _Working, listing_issues: IssuesOf | None) -> IssuesOf:
    """Each item's issues: what its listing already shows, then this feed's warnings."""

    def issues_of(sku: str) -> list[Issue]:
        shown = list(listing_issues(sku)) if listing_issues is not None else []
        return shown + [warning.for_listing() for warning in working.warnings.get(sku, [])]

    return issues_of


def _judge(
    message: Any, seen: set[int], working: _Working, offers: OfferContext
) -> SimListing | list[Issue] | None:
    """The listing an accepted message leaves for its SKU, or the issues refusing it."""
    problem = schema_problem(message)
    message_id = message_id_of(message)
    if message_id is not None:
        if problem is None and message_id in seen:
            problem = "messageId repeats an earlier message"
        seen.add(message_id)
    if problem is not None:
        return [Issue(SCHEMA_VIOLATION, SCHEMA_MESSAGE, message_id=message_id, sku=sku_of(message))]
    assert message_id is not None
    change = change_of(message, message_id, working.get(message["sku"]), offers)
    return change if isinstance(change, list) else change.listing
