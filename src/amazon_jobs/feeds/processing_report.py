"""The JSON_LISTINGS_FEED processing report (listings-feed-processing-report-schema-v2).

Amazon lists only what went wrong: a message without an ERROR issue was
accepted. Issues without a messageId concern the whole feed. When the feed's
header asked for ``report.includedData``, ``items`` holds the listings as the
Listings Items API shows them; their ``issues`` are those Amazon found after
accepting the messages ("issues found after acceptance appear only in
items[].issues", the schema's descriptions), read here by SKU.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from amazon_jobs.errors import AmazonDocumentError

__all__ = ["Issue", "ProcessingReport", "listing_issue", "parse_processing_report"]


@dataclass(frozen=True, slots=True)
class Issue:
    severity: str
    message: str
    code: str | None = None
    sku: str | None = None
    attribute: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "ERROR"

    def describe(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message

    def tagged(self) -> str:
        """:meth:`describe` after the severity: "ERROR 5002: An internal error..."."""
        return f"{self.severity} {self.describe()}"


@dataclass(frozen=True, slots=True)
class ProcessingReport:
    feed_id: str
    messages_processed: int
    messages_accepted: int
    messages_invalid: int
    by_message: dict[int, list[Issue]] = field(default_factory=dict)
    feed_issues: list[Issue] = field(default_factory=list)
    #: ``items[].issues`` by SKU: what Amazon found after accepting the messages.
    item_issues: dict[str, list[Issue]] = field(default_factory=dict)

    def errors_for(self, message_id: int) -> list[Issue]:
        return [i for i in self.by_message.get(message_id, ()) if i.is_error]

    def warnings_for(self, message_id: int) -> list[Issue]:
        return [i for i in self.by_message.get(message_id, ()) if not i.is_error]

    @property
    def feed_errors(self) -> list[Issue]:
        return [i for i in self.feed_issues if i.is_error]


def parse_processing_report(content: bytes, charset: str | None = None) -> ProcessingReport:
    """Parse and check a processing report; raise AmazonDocumentError if malformed."""
    try:
        body = json.loads(content.decode(charset or "utf-8"))
        return _parse(body)
    except (UnicodeDecodeError, LookupError, ValueError) as exc:
        raise AmazonDocumentError(f"the processing report is not valid JSON: {exc}") from None
    except RecursionError:
        raise AmazonDocumentError("the processing report is nested too deeply to read") from None
    except (KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise AmazonDocumentError(
            f"the processing report lacks a required field or has a wrong type ({exc!r})"
        ) from None


def _parse(body: dict[str, Any]) -> ProcessingReport:
    header, summary = body["header"], body["summary"]
    by_message: dict[int, list[Issue]] = defaultdict(list)
    feed_issues: list[Issue] = []
    for raw in body["issues"]:
        issue = _issue(raw)
        message_id = raw.get("messageId")
        if message_id is None:
            feed_issues.append(issue)
        else:
            by_message[int(message_id)].append(issue)
    return ProcessingReport(
        feed_id=str(header["feedId"]),
        messages_processed=int(summary["messagesProcessed"]),
        messages_accepted=int(summary["messagesAccepted"]),
        messages_invalid=int(summary["messagesInvalid"]),
        by_message=dict(by_message),
        feed_issues=feed_issues,
        item_issues=_item_issues(body.get("items") or []),
    )


def _item_issues(items: list[dict[str, Any]]) -> dict[str, list[Issue]]:
    """The ``issues`` of each listed item, by SKU (items without issues left out)."""
    found: dict[str, list[Issue]] = {}
    for item in items:
        sku = item.get("sku")
        issues = [listing_issue(raw, str(sku)) for raw in item.get("issues") or []]
        if sku is not None and issues:
            found.setdefault(str(sku), []).extend(issues)
    return found


def listing_issue(raw: dict[str, Any], sku: str | None = None) -> Issue:
    """An ``Issue`` of the Listings Items model (listingsItems_2021-08-01.json: code,
    message, severity, attributeNames, categories), as a report's ``items[].issues``
    and getListingsItem give them."""
    code = raw.get("code")
    names = raw.get("attributeNames") or []
    return Issue(
        severity=str(raw["severity"]),
        message=str(raw["message"]),
        code=str(code) if code is not None else None,
        sku=sku,
        attribute=str(names[0]) if names else None,
    )


def _issue(raw: dict[str, Any]) -> Issue:
    code = raw.get("code")
    return Issue(
        severity=str(raw["severity"]),
        message=str(raw["message"]),
        code=str(code) if code is not None else None,
        sku=raw.get("sku"),
        attribute=raw.get("attributeName"),
    )
