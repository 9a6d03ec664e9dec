"""Feeds API 2021-06-30: documents, feeds, results."""

from __future__ import annotations

from datetime import datetime

from amazon_jobs.amazon.engine import ApiEngine, Call, segment
from amazon_jobs.amazon.models import DocumentLocation, DocumentUpload, Feed, format_time
from amazon_jobs.domain.limits import Operation

__all__ = ["FeedsApi"]

FEEDS = "/feeds/2021-06-30"


class FeedsApi(ApiEngine):
    def create_feed_document(self, content_type: str) -> DocumentUpload:
        call = Call(Operation.CREATE_FEED_DOCUMENT, "POST", f"{FEEDS}/documents", _CREATED)
        return DocumentUpload.from_api(self._json(call, json={"contentType": content_type}))

    def upload_document(self, url: str, content: bytes, content_type: str) -> None:
        """PUT *content* to a presigned upload URL (no token, no quota)."""
        self._raw("uploadFeedDocument", "PUT", url, content, {"Content-Type": content_type})

    def create_feed(
        self, feed_type: str, marketplace_ids: list[str], input_document_id: str
    ) -> str:
        call = Call(Operation.CREATE_FEED, "POST", f"{FEEDS}/feeds", _ACCEPTED, retry_safe=False)
        spec = {
            "feedType": feed_type,
            "marketplaceIds": marketplace_ids,
            "inputFeedDocumentId": input_document_id,
        }
        return str(self._json(call, json=spec)["feedId"])

    def get_feed(self, feed_id: str) -> Feed:
        call = Call(Operation.GET_FEED, "GET", f"{FEEDS}/feeds/{segment(feed_id)}")
        return Feed.from_api(self._json(call))

    def get_feeds(
        self, feed_types: list[str], created_since: datetime, next_token: str | None = None
    ) -> tuple[list[Feed], str | None]:
        """One page of feeds; with *next_token* the other filters are not sent (Amazon's rule)."""
        call = Call(Operation.GET_FEEDS, "GET", f"{FEEDS}/feeds")
        params = (
            {"nextToken": next_token}
            if next_token
            else {
                "feedTypes": ",".join(feed_types),
                "createdSince": format_time(created_since),
                "pageSize": 100,
            }
        )
        body = self._json(call, params=params)
        return [Feed.from_api(f) for f in body.get("feeds") or []], body.get("nextToken")

    def cancel_feed(self, feed_id: str) -> None:
        call = Call(Operation.CANCEL_FEED, "DELETE", f"{FEEDS}/feeds/{segment(feed_id)}")
        self._json(call)

    def get_feed_document(self, document_id: str) -> DocumentLocation:
        path = f"{FEEDS}/documents/{segment(document_id)}"
        call = Call(Operation.GET_FEED_DOCUMENT, "GET", path)
        return DocumentLocation.from_api(self._json(call), id_field="feedDocumentId")


_CREATED = frozenset({201})
_ACCEPTED = frozenset({202})
