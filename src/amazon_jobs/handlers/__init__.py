"""Job handlers, one per job type, and the registry that finds them."""

from __future__ import annotations

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers.base import Handler
from amazon_jobs.handlers.fulfillment import OrdersFulfillment
from amazon_jobs.handlers.inventory_report import InventoryReport
from amazon_jobs.handlers.orders_import import OrdersImport
from amazon_jobs.handlers.orders_to_shop import OrdersToShop
from amazon_jobs.handlers.send_products import SendProducts
from amazon_jobs.handlers.shipments_from_shop import ShipmentsFromShop
from amazon_jobs.handlers.shop_catalog_sync import ShopCatalogSync
from amazon_jobs.handlers.stop import StopProducts, StopRemoveProducts
from amazon_jobs.handlers.update_offer import UpdatePrice, UpdateQuantity, UpdateQuantityAndPrice

__all__ = ["HANDLERS", "handler_for"]

HANDLERS: dict[JobType, Handler] = {
    JobType.SEND_PRODUCTS: SendProducts(),
    JobType.UPDATE_QTY: UpdateQuantity(),
    JobType.UPDATE_PRICE: UpdatePrice(),
    JobType.UPDATE_QTY_PRICE: UpdateQuantityAndPrice(),
    JobType.STOP: StopProducts(),
    JobType.STOP_REMOVE: StopRemoveProducts(),
    JobType.ORDERS_FULFILLMENT: OrdersFulfillment(),
    JobType.INVENTORY_REPORT: InventoryReport(),
    JobType.ORDERS_IMPORT: OrdersImport(),
    JobType.ORDERS_TO_SHOP: OrdersToShop(),
    JobType.SHIPMENTS_FROM_SHOP: ShipmentsFromShop(),
    JobType.SHOP_CATALOG_SYNC: ShopCatalogSync(),
}


def handler_for(job_type: JobType | str) -> Handler:
    try:
        return HANDLERS[JobType(job_type)]
    except (KeyError, ValueError):
        raise AmazonJobsError(f"job type {job_type!r} is not supported yet") from None
