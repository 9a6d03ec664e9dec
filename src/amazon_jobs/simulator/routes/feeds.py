"""Routes of the Feeds API 2021-06-30, each handed to the gateway."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator import feeds_api
from amazon_jobs.simulator.gateway import Gateway

__all__ = ["PREFIX", "feeds_router"]

PREFIX = "/feeds/2021-06-30"


def feeds_router(gateway: Gateway) -> APIRouter:
    """The six Feeds API operations."""
    router = APIRouter(prefix=PREFIX)

    @router.post("/documents")
    async def create_feed_document(request: Request) -> Response:
        body = await request.body()
        return await gateway.handle(
            request,
            Operation.CREATE_FEED_DOCUMENT,
            lambda call: feeds_api.create_feed_document(call, body),
        )

    @router.get("/documents/{document_id}")
    async def get_feed_document(request: Request, document_id: str) -> Response:
        params = list(request.query_params.multi_items())
        return await gateway.handle(
            request,
            Operation.GET_FEED_DOCUMENT,
            lambda call: feeds_api.get_feed_document(call, document_id, params),
        )

    @router.post("/feeds")
    async def create_feed(request: Request) -> Response:
        body = await request.body()
        return await gateway.handle(
            request, Operation.CREATE_FEED, lambda call: feeds_api.create_feed(call, body)
        )

    @router.get("/feeds")
    async def get_feeds(request: Request) -> Response:
        params = list(request.query_params.multi_items())
        return await gateway.handle(
            request, Operation.GET_FEEDS, lambda call: feeds_api.get_feeds(call, params)
        )

    @router.get("/feeds/{feed_id}")
    async def get_feed(request: Request, feed_id: str) -> Response:
        return await gateway.handle(
            request, Operation.GET_FEED, lambda call: feeds_api.get_feed(call, feed_id)
        )

    @router.delete("/feeds/{feed_id}")
    async def cancel_feed(request: Request, feed_id: str) -> Response:
        return await gateway.handle(
            request, Operation.CANCEL_FEED, lambda call: feeds_api.cancel_feed(call, feed_id)
        )

    return router
