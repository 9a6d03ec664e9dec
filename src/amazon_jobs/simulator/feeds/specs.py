"""Reading and checking Feeds API request bodies.

createFeedDocument (``CreateFeedDocumentSpecification``): ``contentType`` a
non-blank string. createFeed (``CreateFeedSpecification``): ``feedType`` and
``inputFeedDocumentId`` non-empty strings; ``marketplaceIds`` 1 to 25
non-empty strings; ``feedOptions`` an object of strings. Each function
returns a typed spec or raises :class:`ApiError` 400 ``InvalidInput`` with a
message that says what to fix. getFeeds is read by ``simulator.common.processing_query``.
"""

from __future__ import annotations

from dataclasses import dataclass

from amazon_jobs.simulator.common.body import (
    json_object,
    marketplace_ids,
    required_string,
    string_map,
)
from amazon_jobs.simulator.common.errors import invalid_input

__all__ = ["FeedSpec", "document_spec", "feed_spec"]


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A valid ``CreateFeedSpecification``."""

    feed_type: str
    marketplace_ids: tuple[str, ...]
    input_feed_document_id: str
    feed_options: dict[str, str]


def document_spec(body: bytes) -> str:
    """The ``contentType`` of a ``CreateFeedDocumentSpecification``."""
    content_type = json_object(body).get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input("contentType is required and must be a non-empty string.")
    return content_type


def feed_spec(body: bytes) -> FeedSpec:
    """A ``CreateFeedSpecification``."""
    data = json_object(body)
    return FeedSpec(
        feed_type=required_string(data, "feedType"),
        marketplace_ids=marketplace_ids(data.get("marketplaceIds")),
        input_feed_document_id=required_string(data, "inputFeedDocumentId"),
        feed_options=string_map(data.get("feedOptions"), "feedOptions"),
    )
