"""Read-only inspection for tests, demos and benchmarks: not part of the SP-API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from amazon_jobs.simulator.state import Simulator

__all__ = ["INSPECT_PREFIX", "inspect_router"]

INSPECT_PREFIX = "/_sim"

#: Renders one seller's data as JSON.
SellerView = Callable[[Simulator, str], dict[str, Any]]


def inspect_router(simulator: Simulator) -> APIRouter:
    """``GET /_sim/stats``, ``/_sim/listings?sellerId=`` and ``/_sim/orders?sellerId=``.

    No token is needed; ``sellerId`` defaults to the config's seller, and an
    unknown seller is a 404.
    """
    router = APIRouter(prefix=INSPECT_PREFIX)

    @router.get("/stats")
    async def stats() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(simulator.stats))

    router.add_api_route("/listings", _seller_endpoint(simulator, _listings_json), methods=["GET"])
    router.add_api_route("/orders", _seller_endpoint(simulator, _orders_json), methods=["GET"])
    return router


def _seller_endpoint(simulator: Simulator, view: SellerView) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> JSONResponse:
        seller_id = request.query_params.get("sellerId") or simulator.config.seller_id
        if not simulator.has_seller(seller_id):
            return JSONResponse({"error": f"unknown seller {seller_id}"}, 404)
        return JSONResponse(await run_in_threadpool(view, simulator, seller_id))

    return endpoint


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


def _orders_json(simulator: Simulator, seller_id: str) -> dict[str, Any]:
    states = simulator.orders.orders(seller_id)
    return {"sellerId": seller_id, "orders": [state.to_json() for state in states]}
