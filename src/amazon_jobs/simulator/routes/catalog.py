"""Routes of the Catalog Items API 2022-04-01, each handed to the gateway."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.catalog import api as catalog_api
from amazon_jobs.simulator.common.gateway import Gateway
from amazon_jobs.simulator.routes.operations import OperationRoute, Reads, operations_router

__all__ = ["PREFIX", "catalog_router"]

PREFIX = "/catalog/2022-04-01"

_ROUTES = (
    OperationRoute(
        "GET",
        "/items",
        Operation.SEARCH_CATALOG_ITEMS,
        catalog_api.search_catalog_items,
        Reads.QUERY,
    ),
    OperationRoute(
        "GET",
        "/items/{asin}",
        Operation.GET_CATALOG_ITEM,
        catalog_api.get_catalog_item,
        Reads.QUERY,
    ),
)


def catalog_router(gateway: Gateway) -> APIRouter:
    """searchCatalogItems and getCatalogItem."""
    return operations_router(PREFIX, gateway, _ROUTES)
