"""The JSON_LISTINGS_FEED processing report (listings-feed-processing-report-schema-v2).

Amazon lists only what went wrong: a message without an ERROR issue was
accepted. Issues without a messageId concern the whole feed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from amazon_jobs.errors import AmazonDocumentError

__all__ = ["Issue", "ProcessingReport", "parse_processing_report"]


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


@dataclass(frozen=True, slots=True)
class ProcessingReport:
    feed_id: str
    messages_processed: int
    messages_accepted: int
    messages_invalid: int
    by_message: dict[int, list[Issue]] = field(default_factory=dict)
    feed_issues: list[Issue] = field(default_factory=list)

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
