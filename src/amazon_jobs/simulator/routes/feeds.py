"""Routes of the Feeds API 2021-06-30, each handed to the gateway."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.gateway import Gateway
from amazon_jobs.simulator.feeds import api as feeds_api
from amazon_jobs.simulator.routes.operations import OperationRoute, Reads, operations_router

__all__ = ["PREFIX", "feeds_router"]

PREFIX = "/feeds/2021-06-30"

_ROUTES = (
    OperationRoute(
        "POST",
        "/documents",
        Operation.CREATE_FEED_DOCUMENT,
        feeds_api.create_feed_document,
        Reads.BODY,
    ),
    OperationRoute(
        "GET",
        "/documents/{document_id}",
        Operation.GET_FEED_DOCUMENT,
        feeds_api.get_feed_document,
        Reads.QUERY,
    ),
    OperationRoute("POST", "/feeds", Operation.CREATE_FEED, feeds_api.create_feed, Reads.BODY),
    OperationRoute("GET", "/feeds", Operation.GET_FEEDS, feeds_api.get_feeds, Reads.QUERY),
    OperationRoute("GET", "/feeds/{feed_id}", Operation.GET_FEED, feeds_api.get_feed),
    OperationRoute("DELETE", "/feeds/{feed_id}", Operation.CANCEL_FEED, feeds_api.cancel_feed),
)


def feeds_router(gateway: Gateway) -> APIRouter:
    """The six Feeds API operations."""
    return operations_router(PREFIX, gateway, _ROUTES)
