"""SP-API response shapes amazon-jobs reads, parsed from the official models' JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from amazon_jobs.errors import AmazonServerError

__all__ = ["DocumentLocation", "DocumentUpload", "Feed", "format_time", "parse_time", "require"]


def parse_time(value: Any) -> datetime | None:
    """An SP-API ISO 8601 timestamp ("2026-11-27T10:00:00Z"), or None."""
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def format_time(value: datetime) -> str:
    """An aware datetime as SP-API wants it: ISO 8601 in UTC, "2026-11-27T10:00:00Z"."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def require(body: dict[str, Any], *fields: str) -> None:
    missing = [f for f in fields if body.get(f) in (None, "")]
    if missing:
        raise AmazonServerError(f"Amazon's answer lacks {', '.join(missing)}")


@dataclass(frozen=True, slots=True)
class DocumentUpload:
    """createFeedDocument's answer: where to PUT the feed."""

    document_id: str
    url: str

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> DocumentUpload:
        require(body, "feedDocumentId", "url")
        return cls(str(body["feedDocumentId"]), str(body["url"]))


@dataclass(frozen=True, slots=True)
class DocumentLocation:
    """getFeedDocument / getReportDocument: where to download a document."""

    document_id: str
    url: str
    compression_algorithm: str | None

    @classmethod
    def from_api(cls, body: dict[str, Any], id_field: str) -> DocumentLocation:
        require(body, id_field, "url")
        compression = body.get("compressionAlgorithm")
        return cls(str(body[id_field]), str(body["url"]), str(compression) if compression else None)


@dataclass(frozen=True, slots=True)
class Feed:
    """getFeed's answer."""

    feed_id: str
    feed_type: str
    processing_status: str
    created_time: datetime | None
    processing_end_time: datetime | None
    result_document_id: str | None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Feed:
        require(body, "feedId", "feedType", "processingStatus")
        return cls(
            feed_id=str(body["feedId"]),
            feed_type=str(body["feedType"]),
            processing_status=str(body["processingStatus"]),
            created_time=parse_time(body.get("createdTime")),
            processing_end_time=parse_time(body.get("processingEndTime")),
            result_document_id=body.get("resultFeedDocumentId") or None,
        )
