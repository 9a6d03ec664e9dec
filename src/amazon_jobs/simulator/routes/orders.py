"""Routes of the Orders API v0 and 2026-01-01, each handed to the gateway."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.gateway import Gateway
from amazon_jobs.simulator.orders import api_2026 as orders_2026
from amazon_jobs.simulator.orders import api_v0 as orders_v0
from amazon_jobs.simulator.routes.operations import OperationRoute, Reads, operations_router

__all__ = ["PREFIX_2026", "PREFIX_V0", "orders_router"]

PREFIX_V0 = "/orders/v0/orders"
PREFIX_2026 = "/orders/2026-01-01/orders"

_V0_ROUTES = (
    OperationRoute("GET", "", Operation.GET_ORDERS, orders_v0.get_orders, Reads.QUERY),
    OperationRoute("GET", "/{order_id}", Operation.GET_ORDER, orders_v0.get_order),
    OperationRoute(
        "GET",
        "/{order_id}/orderItems",
        Operation.GET_ORDER_ITEMS,
        orders_v0.get_order_items,
        Reads.QUERY,
    ),
    OperationRoute(
        "POST",
        "/{order_id}/shipmentConfirmation",
        Operation.CONFIRM_SHIPMENT,
        orders_v0.confirm_shipment,
        Reads.BODY,
    ),
)
_2026_ROUTES = (
    OperationRoute("GET", "", Operation.SEARCH_ORDERS, orders_2026.search_orders, Reads.QUERY),
    OperationRoute(
        "GET", "/{order_id}", Operation.GET_ORDER_2026, orders_2026.get_order, Reads.QUERY
    ),
)


def orders_router(gateway: Gateway) -> APIRouter:
    """Both Orders APIs."""
    router = APIRouter()
    router.include_router(operations_router(PREFIX_V0, gateway, _V0_ROUTES))
    router.include_router(operations_router(PREFIX_2026, gateway, _2026_ROUTES))
    return router
