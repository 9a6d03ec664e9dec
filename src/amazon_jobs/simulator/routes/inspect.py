"""Read-only inspection for tests, demos and benchmarks: not part of the SP-API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from amazon_jobs.simulator.state import Simulator

__all__ = ["INSPECT_PREFIX", "inspect_router"]

INSPECT_PREFIX = "/_sim"


def inspect_router(simulator: Simulator) -> APIRouter:
    """``GET /_sim/stats`` and ``GET /_sim/listings?sellerId=``; no token needed."""
    router = APIRouter(prefix=INSPECT_PREFIX)

    @router.get("/stats")
    async def stats() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(simulator.stats))

    @router.get("/listings")
    async def listings(request: Request) -> JSONResponse:
        seller_id = request.query_params.get("sellerId") or simulator.config.seller_id
        if not simulator.has_seller(seller_id):
            return JSONResponse({"error": f"unknown seller {seller_id}"}, 404)
        return JSONResponse(await run_in_threadpool(_listings_json, simulator, seller_id))

    return router


def _listings_json(simulator: Simulator, seller_id: str) -> dict[str, Any]:
    listings = simulator.listings(seller_id)
    rows = [
        {
            "sku": sku,
            "asin": listing.asin,
            "quantity": listing.quantity,
            "price": None if listing.price is None else str(listing.price),
        }
        for sku, listing in sorted(listings.items())
    ]
    return {"sellerId": seller_id, "listings": rows}
