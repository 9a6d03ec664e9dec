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
- Otherwise every message is checked in order; a message without an ERROR is
  accepted and applied when the feed ends (see :mod:`.patches`).

Issue codes (severity ERROR throughout):

==============  =======  ==================================================
code            scope    when
==============  =======  ==================================================
4002001 (sim)   feed     document not UTF-8 JSON or not an object (FATAL)
4002002 (sim)   feed     feed type not supported (FATAL)
4002003 (sim)   feed     aborted by an injected fault (FATAL)
4002004 (sim)   feed     header.sellerId is not the submitting seller
4002005 (sim)   feed     messages missing, not an array, empty or too many
4002006         feed     header breaks the schema (Amazon's code)
4002008         message  message breaks the message schema, or repeats a
                         messageId (Amazon's code and text)
NOT_FOUND       message  PATCH of a SKU the seller has no listing for (sim;
                         real Amazon accepts such a patch silently)
INVALID_VALUE   message  quantity not an integer or negative, or not exactly
                         one fulfillment_availability value (attributeName
                         ``fulfillment_availability``)
UNSUPPORTED     message  operationType other than PATCH, a path other than
                         /attributes/fulfillment_availability (attributeName
                         = the patched attribute), op other than replace or
                         merge, a channel other than DEFAULT
==============  =======  ==================================================

"(sim)" marks codes the simulator made up; the others are Amazon's. When the
header asks for ``report.includedData`` the report echoes ``header.report``
and adds ``summary.itemSummary`` and ``items``: one item per SKU of an accepted
message, with ``fulfillmentAvailability`` and ``issues`` (empty) when asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amazon_jobs.simulator.issues import (
    DOCUMENT_UNREADABLE,
    FEED_ABORTED,
    HEADER_INVALID,
    MESSAGES_INVALID,
    SCHEMA_MESSAGE,
    SCHEMA_VIOLATION,
    SELLER_MISMATCH,
    UNSUPPORTED_FEED_TYPE,
    Issue,
)
from amazon_jobs.simulator.messages import message_id_of, schema_problem, sku_of
from amazon_jobs.simulator.models import FeedStatus, SimListing
from amazon_jobs.simulator.patches import Change, change_of
from amazon_jobs.simulator.report import (
    API_VERSION,
    INCLUDED_DATA,
    VERSION,
    build_items,
    build_report,
)

__all__ = ["JSON_LISTINGS_FEED", "FeedContext", "FeedOutcome", "aborted", "process_feed"]

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"


@dataclass(frozen=True, slots=True)
class FeedContext:
    """The feed being processed."""

    seller_id: str
    feed_id: str
    feed_type: str
    max_messages: int = 25_000


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What processing a feed produced."""

    status: FeedStatus
    report: dict[str, Any]
    message_count: int = 0
    #: New quantity per SKU, to apply when the feed ends.
    quantities: dict[str, int] = field(default_factory=dict)


def process_feed(
    context: FeedContext, content: bytes, listings: Mapping[str, SimListing]
) -> FeedOutcome:
    """Process one feed document against the seller's *listings* (which it does not change)."""
    if context.feed_type != JSON_LISTINGS_FEED:
        message = f"The feed type '{context.feed_type}' is not supported: use JSON_LISTINGS_FEED."
        return _fatal(context, Issue(UNSUPPORTED_FEED_TYPE, message))
    document = _parse(content)
    if document is None:
        message = "The feed document could not be parsed: it must be a UTF-8 JSON object."
        return _fatal(context, Issue(DOCUMENT_UNREADABLE, message))
    messages = document.get("messages")
    problems = _feed_problems(document.get("header"), messages, context)
    if problems:
        count = len(messages) if isinstance(messages, list) else 0
        return _refused(context, FeedStatus.DONE, problems, count)
    return _process_messages(context, document, listings)


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
    if not isinstance(header, dict):
        return Issue(HEADER_INVALID, "The feed 'header' is required and must be an object.")
    if not isinstance(header.get("sellerId"), str):
        return Issue(HEADER_INVALID, "The attribute 'sellerId' is required and must be a string.")
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


def _process_messages(
    context: FeedContext, document: dict[str, Any], listings: Mapping[str, SimListing]
) -> FeedOutcome:
    messages: list[Any] = document["messages"]
    issues: list[Issue] = []
    quantities: dict[str, int] = {}
    accepted: dict[str, None] = {}
    seen: set[int] = set()
    for message in messages:
        result = _judge(message, seen, listings)
        if isinstance(result, Issue):
            issues.append(result)
            continue
        accepted[message["sku"]] = None
        if result.quantity is not None:
            quantities[message["sku"]] = result.quantity
    requested = _requested(document["header"])
    items = None
    if requested is not None:
        current = {sku: quantities.get(sku, listings[sku].quantity) for sku in accepted}
        items = build_items(accepted, current, requested["includedData"])
    report = build_report(
        seller_id=context.seller_id,
        feed_id=context.feed_id,
        issues=issues,
        processed=len(messages),
        accepted=len(messages) - len(issues),
        requested=requested,
        items=items,
    )
    return FeedOutcome(FeedStatus.DONE, report, len(messages), quantities)


def _judge(message: Any, seen: set[int], listings: Mapping[str, SimListing]) -> Change | Issue:
    problem = schema_problem(message)
    message_id = message_id_of(message)
    if message_id is not None:
        if problem is None and message_id in seen:
            problem = "messageId repeats an earlier message"
        seen.add(message_id)
    if problem is not None:
        return Issue(SCHEMA_VIOLATION, SCHEMA_MESSAGE, message_id=message_id, sku=sku_of(message))
    assert message_id is not None
    return change_of(message, message_id, listings)
