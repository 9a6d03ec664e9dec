"""Job types, job statuses and the one table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from amazon_jobs.errors import IllegalTransition

__all__ = [
    "ACTIVE_STATUSES",
    "BASE_PRIORITY",
    "FEED_JOB_TYPES",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "USER_CANCELABLE",
    "JobStatus",
    "JobType",
    "check_transition",
]


class JobType(StrEnum):
    """What a job does on Amazon; the value is stored, the label is shown."""

    #: Find the ASIN by EAN/UPC and create the offer on it.
    SEND_PRODUCTS = "send_products"
    #: Send quantities.
    UPDATE_QTY = "update_qty"
    #: Send prices.
    UPDATE_PRICE = "update_price"
    #: Send quantities and prices in one message per listing.
    UPDATE_QTY_PRICE = "update_qty_price"
    #: Send quantity 0; the listing is then excluded from further sync.
    STOP = "stop"
    #: Send quantity 0; the listing then leaves the selling list.
    STOP_REMOVE = "stop_remove"
    #: Confirm shipments of shipped shop orders.
    ORDERS_FULFILLMENT = "orders_fulfillment"
    #: Request, download and import the listings report.
    INVENTORY_REPORT = "inventory_report"
    #: Page through new and updated orders.
    ORDERS_IMPORT = "orders_import"
    #: Write imported Amazon orders into the shop (PrestaShop), exactly once.
    ORDERS_TO_SHOP = "orders_to_shop"
    #: Read the shop's shipped orders into packages; write Amazon cancellations back.
    SHIPMENTS_FROM_SHOP = "shipments_from_shop"
    #: Read a shop's products, combinations, stock and prices into the catalog.
    SHOP_CATALOG_SYNC = "shop_catalog_sync"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    JobType.SEND_PRODUCTS: "Sending Products",
    JobType.UPDATE_QTY: "Update Products QTY",
    JobType.UPDATE_PRICE: "Update Products Price",
    JobType.UPDATE_QTY_PRICE: "Update Products QTY & Price",
    JobType.STOP: "Stop Products",
    JobType.STOP_REMOVE: "Stop & Remove Products",
    JobType.ORDERS_FULFILLMENT: "Orders Fulfillment",
    JobType.INVENTORY_REPORT: "Inventory Report",
    JobType.ORDERS_IMPORT: "Orders Import",
    JobType.ORDERS_TO_SHOP: "Orders to Shop",
    JobType.SHIPMENTS_FROM_SHOP: "Shipments from Shop",
    JobType.SHOP_CATALOG_SYNC: "Shop Catalog Sync",
}

#: Job types that send a JSON_LISTINGS_FEED.
FEED_JOB_TYPES = frozenset(
    {
        JobType.SEND_PRODUCTS,
        JobType.UPDATE_QTY,
        JobType.UPDATE_PRICE,
        JobType.UPDATE_QTY_PRICE,
        JobType.STOP,
        JobType.STOP_REMOVE,
    }
)


class JobStatus(StrEnum):
    """Where a job is in its life."""

    #: The job and its items are recorded and the items locked; nothing sent.
    RESERVED = "reserved"
    #: Fully assembled and queued; waits for the worker and for API quota.
    CREATED = "created"
    #: Payload being generated and sent.
    PROCESSING = "processing"
    #: Amazon accepted it; its result is not ready yet.
    WAITING_FOR_RESULT = "waiting_for_result"
    #: Result downloaded and applied to every item.
    DONE = "done"
    #: The job failed as a whole; its log says why.
    ERROR = "error"
    #: Canceled before sending; every item is back in its prior state.
    CANCELED = "canceled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


S = JobStatus

#: Every allowed transition, and only those.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    # -> done when every item failed before anything was to be sent (no EAN matched).
    S.RESERVED: frozenset({S.CREATED, S.DONE, S.CANCELED}),
    S.CREATED: frozenset({S.PROCESSING, S.CANCELED}),
    # -> canceled only on the Listings Items API channel, between two calls.
    S.PROCESSING: frozenset({S.WAITING_FOR_RESULT, S.DONE, S.ERROR, S.CANCELED}),
    # -> canceled only once Amazon confirms cancelFeed of a feed still IN_QUEUE.
    S.WAITING_FOR_RESULT: frozenset({S.DONE, S.ERROR, S.CANCELED}),
    S.DONE: frozenset(),
    S.ERROR: frozenset(),
    S.CANCELED: frozenset(),
}

TERMINAL_STATUSES = frozenset({S.DONE, S.ERROR, S.CANCELED})
ACTIVE_STATUSES = frozenset(set(JobStatus) - TERMINAL_STATUSES)

#: Statuses in which a user's cancel is carried out at once, with rollback.
USER_CANCELABLE = frozenset({S.RESERVED, S.CREATED})


def check_transition(job_id: int | None, from_: JobStatus, to: JobStatus) -> None:
    """Raise :class:`IllegalTransition` unless *from_* -> *to* is allowed."""
    if to not in TRANSITIONS[from_]:
        raise IllegalTransition(job_id, from_, to)


#: Which job goes first when quota is short (higher first): stops, then
#: shipment confirmations, quantities, prices, and new offers last. A job's
#: priority rises by one each time it has to wait for quota, so nothing starves.
BASE_PRIORITY: dict[JobType, int] = {
    JobType.STOP: 60,
    JobType.STOP_REMOVE: 60,
    JobType.ORDERS_FULFILLMENT: 50,
    JobType.UPDATE_QTY: 40,
    JobType.UPDATE_QTY_PRICE: 35,
    JobType.ORDERS_IMPORT: 30,
    JobType.ORDERS_TO_SHOP: 30,
    JobType.SHIPMENTS_FROM_SHOP: 25,
    JobType.UPDATE_PRICE: 20,
    JobType.INVENTORY_REPORT: 15,
    JobType.SEND_PRODUCTS: 10,
    # No Amazon quota: only the worker's time, shared with the Amazon jobs.
    JobType.SHOP_CATALOG_SYNC: 25,
}
