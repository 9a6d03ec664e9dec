"""The Listings Items API 2021-08-01: getListingsItem, putListingsItem,
patchListingsItem and deleteListingsItem at ``/listings/2021-08-01/items/{sellerId}/{sku}``.

A put, patch or delete is judged exactly as a JSON_LISTINGS_FEED message of the
same operation (``UPDATE``, ``PATCH``, ``DELETE``: Amazon documents the bodies
as the same format, docs: listings-feed-type-values): the body is checked
against the message schema, then ``listings.changes.change_of`` says what it
does to the SKU's latest *accepted* listing or which issues refuse it, and
``listings.warnings`` which WARNINGs come with it. The answer is the model's
``ListingsItemSubmissionResponse``:

- ``ACCEPTED``, with the warnings: the change goes to
  :meth:`.Simulator.accept_changes` and, as with a feed, becomes visible later
  (a getListingsItem right after still shows the old listing), or never, with
  a 5002 issue on the listing, when it fails downstream; a patch or delete of
  a SKU the seller does not have is accepted and changes nothing (13013 with
  ``silent_unknown_skus`` off);
- ``INVALID`` with the ERROR issues; nothing changes;
- with ``mode=VALIDATION_PREVIEW``: ``VALID`` or ``INVALID``, nothing changes,
  and ``includedData=identifiers`` adds the catalog identifiers (the ASIN) of a
  valid submission (empty for an invalid one, as in the model's example).

getListingsItem answers the *visible* listing (what reports show) with the
sections of ``includedData`` (default ``summaries``) and its issues after
acceptance (:meth:`.Simulator.listing_issues`); a SKU without a visible
listing is 404 ``NOT_FOUND`` "SKU '…' not found in marketplace …" (a live
answer quoted in saleweaver/python-amazon-sp-api#495).

Refusals (400 ``InvalidInput``): no ``marketplaceIds`` (more than one for put
and delete: the model's ``maxItems: 1``), an unknown ``includedData`` or
``mode``, a body that is not the model's request object; a ``sellerId`` other
than the caller's is "Invalid 'sellerId' and 'marketplaceId' combination
provided." (a live answer quoted in jlevers/selling-partner-api#777). The
listing's marketplace is the first one named (Amazon answers one summary even
for several, jlevers/selling-partner-api#225).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from amazon_jobs.simulator.common.body import json_object
from amazon_jobs.simulator.common.errors import ApiError, invalid_input
from amazon_jobs.simulator.common.gateway import Call, Reply
from amazon_jobs.simulator.common.query import Params, at_most, enum_values, last, values
from amazon_jobs.simulator.feeds.messages import schema_problem
from amazon_jobs.simulator.feeds.processing_report import ItemView
from amazon_jobs.simulator.listings.changes import change_of, sets_quantity
from amazon_jobs.simulator.listings.issues import Issue
from amazon_jobs.simulator.listings.item_json import (
    ITEM_DATA,
    SUBMISSION_DATA,
    item_json,
    submission_json,
)
from amazon_jobs.simulator.listings.warnings import warnings_of
from amazon_jobs.simulator.models import SimListing

__all__ = [
    "VALIDATION_PREVIEW",
    "delete_listings_item",
    "get_listings_item",
    "patch_listings_item",
    "put_listings_item",
]

VALIDATION_PREVIEW = "VALIDATION_PREVIEW"
_SELLER_MISMATCH = "Invalid 'sellerId' and 'marketplaceId' combination provided."
#: The message a put, patch or delete stands for: its operationType in a feed.
_OPERATION_TYPES = {"put": "UPDATE", "patch": "PATCH", "delete": "DELETE"}


@dataclass(frozen=True, slots=True)
class Submission:
    """A put, patch or delete as its query string asks for it."""

    kind: str
    marketplace_id: str
    included: tuple[str, ...]
    preview: bool


def get_listings_item(call: Call, seller_id: str, sku: str, params: Params) -> Reply:
    """GET …/items/{sellerId}/{sku} -> 200 Item, or 404 when no listing is visible."""
    marketplace_id = _marketplace(call, seller_id, params, single=False)
    included = enum_values(params, "includedData", ITEM_DATA) or ["summaries"]
    listing = call.simulator.seller(call.seller_id).listings.get(sku)
    if listing is None:
        raise ApiError(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {marketplace_id}")
    issues = call.simulator.listing_issues(call.seller_id, sku)
    view = ItemView(marketplace_id, call.simulator.catalog(marketplace_id), call.now)
    return Reply(200, item_json(sku, listing, issues, included, view))


def put_listings_item(call: Call, seller_id: str, sku: str, params: Params, body: bytes) -> Reply:
    """PUT …/items/{sellerId}/{sku} -> 200 ListingsItemSubmissionResponse (a full update)."""
    submission = _submission(call, seller_id, params, "put")
    return _submit(call, submission, _message(submission, sku, json_object(body, "request")))


def patch_listings_item(call: Call, seller_id: str, sku: str, params: Params, body: bytes) -> Reply:
    """PATCH …/items/{sellerId}/{sku} -> 200 ListingsItemSubmissionResponse."""
    submission = _submission(call, seller_id, params, "patch")
    return _submit(call, submission, _message(submission, sku, json_object(body, "request")))


def delete_listings_item(call: Call, seller_id: str, sku: str, params: Params) -> Reply:
    """DELETE …/items/{sellerId}/{sku} -> 200 ListingsItemSubmissionResponse."""
    submission = _submission(call, seller_id, params, "delete")
    return _submit(call, submission, _message(submission, sku, {}))


def _submission(call: Call, seller_id: str, params: Params, kind: str) -> Submission:
    marketplace_id = _marketplace(call, seller_id, params, single=kind != "patch")
    if kind == "delete":
        return Submission(kind, marketplace_id, ("issues",), preview=False)
    included = tuple(enum_values(params, "includedData", SUBMISSION_DATA)) or ("issues",)
    mode = last(params, "mode")
    if mode is not None and mode != VALIDATION_PREVIEW:
        raise invalid_input(f"mode has an unknown value {mode}; allowed: {VALIDATION_PREVIEW}.")
    return Submission(kind, marketplace_id, included, preview=mode == VALIDATION_PREVIEW)


def _marketplace(call: Call, seller_id: str, params: Params, *, single: bool) -> str:
    """The request's (first) marketplace, once the path's seller is the caller."""
    marketplace_ids = values(params, "marketplaceIds")
    if not marketplace_ids:
        raise invalid_input("marketplaceIds is required: the marketplace of the listing.")
    if single:
        at_most(marketplace_ids, "marketplaceIds", 1)
    if seller_id != call.seller_id:
        raise invalid_input(_SELLER_MISMATCH)
    return marketplace_ids[0]


def _message(submission: Submission, sku: str, body: dict[str, Any]) -> dict[str, Any]:
    """The feed message the request stands for; 400 if the body is not the model's."""
    message = {
        **body,
        "messageId": 1,
        "sku": sku,
        "operationType": _OPERATION_TYPES[submission.kind],
    }
    problem = schema_problem(message)
    if problem is not None:
        raise invalid_input(
            "Request has missing or invalid parameters and cannot be parsed.", problem
        )
    return message


def _submit(call: Call, submission: Submission, message: dict[str, Any]) -> Reply:
    sku: str = message["sku"]
    current = call.simulator.accepted_listing(call.seller_id, sku)
    context = call.simulator.offer_context(call.seller_id, submission.marketplace_id, call.now)
    change = change_of(message, 1, current, context)
    if isinstance(change, list):
        status, issues, listing = "INVALID", change, None
    else:
        status, issues, listing = "VALID", _warnings(call, message), change.listing
        if not submission.preview:
            status = "ACCEPTED"
            _accept(call, message, current, listing, issues)
    identifiers = _identifiers(status, listing, submission)
    body = submission_json(sku, status, str(uuid.uuid4()), issues, submission.included, identifiers)
    return Reply(200, body)


def _warnings(call: Call, message: dict[str, Any]) -> list[Issue]:
    return warnings_of(message, 1) if call.simulator.config.warnings else []


def _accept(
    call: Call,
    message: dict[str, Any],
    current: SimListing | None,
    listing: SimListing | None,
    warnings: list[Issue],
) -> None:
    """Hand the accepted change to the simulator; a silently accepted message about a
    SKU the seller does not have changes nothing."""
    if current is None and listing is None:
        return
    sku: str = message["sku"]
    quantity_set = {sku} if sets_quantity(message) else set()
    changes = {sku: listing}
    issues = {sku: warnings}
    call.simulator.accept_changes(
        call.seller_id, changes, call.now, quantity_set=quantity_set, issues=issues
    )


def _identifiers(
    status: str, listing: SimListing | None, submission: Submission
) -> list[dict[str, str]] | None:
    """The catalog identifiers of a validation preview that asked for them (none for
    an invalid submission, as in the model's example)."""
    if not submission.preview or "identifiers" not in submission.included:
        return None
    if status != "VALID" or listing is None or listing.asin is None:
        return []
    return [{"marketplaceId": submission.marketplace_id, "asin": listing.asin}]
