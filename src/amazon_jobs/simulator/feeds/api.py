"""The Feeds API 2021-06-30 operations, run by the gateway under the simulator's lock.

Each function takes the admitted :class:`Call` and the request's inputs and
returns a :class:`Reply`, or raises :class:`ApiError` (400/404) or
:class:`Throttled`. Field names are the model's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.errors import invalid_input, not_found
from amazon_jobs.simulator.common.gateway import Call, Reply
from amazon_jobs.simulator.common.processing_query import Entry, newest_page, processing_query
from amazon_jobs.simulator.common.query import Params
from amazon_jobs.simulator.common.timefmt import format_time
from amazon_jobs.simulator.common.urls import document_json, upload_url
from amazon_jobs.simulator.feeds.processing import JSON_LISTINGS_FEED
from amazon_jobs.simulator.feeds.specs import document_spec, feed_spec
from amazon_jobs.simulator.feeds.timeline import Slot, status_at
from amazon_jobs.simulator.models import FeedStatus, SimFeed, StoredDocument

__all__ = [
    "cancel_feed",
    "create_feed",
    "create_feed_document",
    "feed_json",
    "get_feed",
    "get_feed_document",
    "get_feeds",
]

#: A feedDocumentId can be used for two days after createFeedDocument.
DOCUMENT_LIFETIME = timedelta(days=2)


def create_feed_document(call: Call, body: bytes) -> Reply:
    """POST /feeds/2021-06-30/documents -> 201 {feedDocumentId, url}."""
    content_type = document_spec(body)
    simulator = call.simulator
    document = simulator.new_document(call.seller_id, content_type, call.now)
    url = upload_url(simulator.signer, call.base_url, document, call.now)
    return Reply(201, {"feedDocumentId": document.document_id, "url": url})


def create_feed(call: Call, body: bytes) -> Reply:
    """POST /feeds/2021-06-30/feeds -> 202 {feedId}."""
    spec = feed_spec(body)
    document = _input_document(call, spec.input_feed_document_id)
    if spec.feed_type == JSON_LISTINGS_FEED:
        call.require(Operation.JSON_LISTINGS_FEED)
    feed = call.simulator.add_feed(
        call.seller_id, spec.feed_type, spec.marketplace_ids, document, call.now
    )
    return Reply(202, {"feedId": feed.feed_id})


def get_feed(call: Call, feed_id: str) -> Reply:
    """GET /feeds/2021-06-30/feeds/{feedId} -> 200 Feed."""
    feed = _feed(call, feed_id)
    slot = call.simulator.slots(call.seller_id).get(feed.feed_id)
    return Reply(200, feed_json(feed, slot, call.now))


def get_feeds(call: Call, params: Params) -> Reply:
    """GET /feeds/2021-06-30/feeds -> 200 {feeds, nextToken?}, newest first."""
    query = processing_query(params, call.now, "feedTypes")
    slots = call.simulator.slots(call.seller_id)

    def entry(feed: SimFeed) -> Entry:
        status = status_at(feed, slots.get(feed.feed_id), call.now)
        return Entry(feed.sequence, feed.created_at, feed.feed_type, status, feed.marketplace_ids)

    feeds = reversed(call.simulator.seller(call.seller_id).feeds)
    page, next_token = newest_page(feeds, entry, query)
    body: dict[str, Any] = {"feeds": [feed_json(f, slots.get(f.feed_id), call.now) for f in page]}
    if next_token is not None:
        body["nextToken"] = next_token
    return Reply(200, body)


def cancel_feed(call: Call, feed_id: str) -> Reply:
    """DELETE /feeds/2021-06-30/feeds/{feedId} -> 200, only while IN_QUEUE."""
    feed = _feed(call, feed_id)
    status = status_at(feed, call.simulator.slots(call.seller_id).get(feed.feed_id), call.now)
    if status != FeedStatus.IN_QUEUE:
        raise invalid_input(
            f"Feed {feed_id} cannot be cancelled: its processingStatus is {status}; "
            "only IN_QUEUE feeds can be cancelled."
        )
    call.simulator.cancel(feed, call.now)
    return Reply(200)


def get_feed_document(call: Call, document_id: str, params: Params) -> Reply:
    """GET /feeds/2021-06-30/documents/{feedDocumentId} -> 200 FeedDocument."""
    document = call.simulator.documents.get(document_id)
    if document is None or document.seller_id != call.seller_id or document.report:
        raise not_found(f"Feed document {document_id} does not exist.")
    signer = call.simulator.signer
    return Reply(
        200, document_json(signer, call.base_url, document, call.now, params, "feedDocumentId")
    )


def feed_json(feed: SimFeed, slot: Slot | None, now: datetime) -> dict[str, Any]:
    """The model's ``Feed`` for *feed* at *now*."""
    status = status_at(feed, slot, now)
    data: dict[str, Any] = {
        "feedId": feed.feed_id,
        "feedType": feed.feed_type,
        "marketplaceIds": list(feed.marketplace_ids),
        "createdTime": format_time(feed.created_at),
        "processingStatus": str(status),
    }
    start, end = (feed.started_at, feed.ended_at) if slot is None else (slot.start, slot.end)
    if status != FeedStatus.IN_QUEUE and start is not None:
        data["processingStartTime"] = format_time(start)
    if status in (FeedStatus.DONE, FeedStatus.FATAL) and end is not None:
        data["processingEndTime"] = format_time(end)
    if feed.result_document_id is not None:
        data["resultFeedDocumentId"] = feed.result_document_id
    return data


def _feed(call: Call, feed_id: str) -> SimFeed:
    feed = call.simulator.find_feed(call.seller_id, feed_id)
    if feed is None:
        raise not_found(f"Feed {feed_id} does not exist.")
    return feed


def _input_document(call: Call, document_id: str) -> StoredDocument:
    document = call.simulator.documents.get(document_id)
    if document is None or document.seller_id != call.seller_id or document.result:
        raise invalid_input(
            f"inputFeedDocumentId {document_id} does not exist: "
            "create it with createFeedDocument first."
        )
    if document.content is None:
        raise invalid_input(
            f"Feed document {document_id} has no content: upload it to its URL before createFeed."
        )
    if call.now - document.created_at > DOCUMENT_LIFETIME:
        raise invalid_input(f"Feed document {document_id} has expired: create a new one.")
    return document
