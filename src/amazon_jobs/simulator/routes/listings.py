"""Routes of the Listings Items API 2021-08-01, each handed to the gateway."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.gateway import Gateway
from amazon_jobs.simulator.listings import api as listings_api
from amazon_jobs.simulator.routes.operations import OperationRoute, Reads, operations_router

__all__ = ["PREFIX", "listings_router"]

PREFIX = "/listings/2021-08-01"
_ITEM = "/items/{seller_id}/{sku}"

_ROUTES = (
    OperationRoute(
        "GET", _ITEM, Operation.GET_LISTINGS_ITEM, listings_api.get_listings_item, Reads.QUERY
    ),
    OperationRoute(
        "PUT",
        _ITEM,
        Operation.PUT_LISTINGS_ITEM,
        listings_api.put_listings_item,
        Reads.QUERY_AND_BODY,
    ),
    OperationRoute(
        "PATCH",
        _ITEM,
        Operation.PATCH_LISTINGS_ITEM,
        listings_api.patch_listings_item,
        Reads.QUERY_AND_BODY,
    ),
    OperationRoute(
        "DELETE",
        _ITEM,
        Operation.DELETE_LISTINGS_ITEM,
        listings_api.delete_listings_item,
        Reads.QUERY,
    ),
)


def listings_router(gateway: Gateway) -> APIRouter:
    """getListingsItem, putListingsItem, patchListingsItem and deleteListingsItem."""
    return operations_router(PREFIX, gateway, _ROUTES)
