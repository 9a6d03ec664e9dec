"""The tables, as SQLAlchemy 2 ``Mapped`` models.

Timestamps come from the injected clock: callers pass them in; no column has
a database-side default for time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from amazon_jobs.store.types import BigId, JsonDoc, UtcDateTime

__all__ = [
    "CLOSED_ORDER_STATUSES",
    "OPEN_ORDERS",
    "Account",
    "Action",
    "ApiToken",
    "ApplicationBucket",
    "Base",
    "Counter",
    "InventoryRow",
    "Job",
    "JobDocument",
    "JobItem",
    "JobLog",
    "LeaderLease",
    "Listing",
    "LoginFailure",
    "Order",
    "OrderItem",
    "Product",
    "SavedView",
    "SellingPolicyRow",
    "Shipment",
    "ThrottleBucket",
    "User",
    "WebSession",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonDoc}


class Shop(Base):
    """A shop the catalog comes from and Amazon orders go to (issue 14).

    ``kind`` is ``prestashop`` (the PrestaShop Webservice connector). Accounts
    without a shop use the "manual" shop: the CSV/API catalog as before.
    """

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: The shop's base URL (the Webservice is ``<url>/api/``).
    url: Mapped[str] = mapped_column(String(300))
    #: The Webservice key, encrypted with the configured secret key; never shown.
    key_enc: Mapped[str] = mapped_column(Text)
    #: ``active`` or ``disabled`` (no connector job is made for a disabled shop).
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    #: Connector settings (order state ids, payment module, carrier map, ...), JSON.
    settings: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    #: Products changed (``date_upd``) up to this time are in the catalog.
    catalog_synced_until: Mapped[datetime | None]
    #: The last full catalog pass (which also notices deletions).
    catalog_full_at: Mapped[datetime | None]
    #: Shop orders changed up to this time were read for shipments and cancellations.
    orders_synced_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"Shop(id={self.id!r}, name={self.name!r}, kind={self.kind!r})"


class Account(Base):
    """An Amazon selling account and how to reach it."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    seller_id: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(8))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    #: SP-API base URL: Amazon's regional endpoint or the simulator.
    endpoint: Mapped[str] = mapped_column(String(300))
    #: Login with Amazon token URL.
    lwa_token_url: Mapped[str] = mapped_column(String(300))
    lwa_client_id: Mapped[str] = mapped_column(String(200))
    #: Encrypted with the configured secret key; never shown.
    lwa_client_secret_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: Orders API used to import: "2026-01-01" (searchOrders) or "v0" (getOrders).
    orders_api: Mapped[str] = mapped_column(
        String(12), default="2026-01-01", server_default="2026-01-01"
    )
    #: Orders updated up to this time are imported.
    orders_imported_until: Mapped[datetime | None]
    #: The Inventory Report job whose rows are the account's current snapshot.
    inventory_snapshot_id: Mapped[int | None] = mapped_column(BigId)
    #: An :class:`~amazon_jobs.domain.account_status.AccountStatus`: only an active
    #: account's jobs are created and run.
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    #: Logins Amazon refused in a row; a login that works sets it back to 0.
    auth_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Why the account is not active, in words ("paused after 3 refused logins ...").
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    #: The shop its catalog comes from and its orders go to; None: the manual shop.
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="SET NULL"), index=True
    )
    #: A :class:`~amazon_jobs.domain.channels.Channel`: how listings jobs reach Amazon
    #: (``auto`` picks the faster per job); None: the installation's ``channel`` setting.
    channel: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"Account(id={self.id!r}, name={self.name!r}, seller_id={self.seller_id!r})"


class SellingPolicyRow(Base):
    """An account's selling policy (issue 14); no row: the shop's values unchanged.

    ``rules`` holds :meth:`amazon_jobs.domain.policy.SellingPolicy.as_values`;
    ``updated_at`` tells automatic sync the targets moved.
    """

    __tablename__ = "selling_policies"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Product(Base):
    """A product of the shop catalog."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("price > 0", name="price_positive"),
        Index("ix_products_shop_item", "shop_id", "shop_product_id", "shop_combination_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    ean: Mapped[str | None] = mapped_column(String(14), index=True)
    title: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: The shop it was synced from; None: entered by hand (CSV, API).
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="SET NULL"), index=True
    )
    #: The shop's product id and combination id (0: a product without combinations).
    shop_product_id: Mapped[int | None] = mapped_column(BigId)
    shop_combination_id: Mapped[int | None] = mapped_column(BigId)
    #: False while the shop has it disabled, or since the shop deleted it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: When a full catalog pass found it gone from the shop.
    deleted_at: Mapped[datetime | None]
    #: The shop's price with tax (``price`` is without); None: entered by hand.
    price_tax_incl: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    #: The full catalog pass (its job's id) that last found it in the shop: a pass
    #: that ends without finding it marks it deleted.
    shop_pass_job_id: Mapped[int | None] = mapped_column(BigId)


class Listing(Base):
    """One product on one account's selling list."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("account_id", "product_id"),
        # An account's free listings in a state (every selection, sync's each tick).
        # Without it SQLite reads the whole installation's free listings through
        # ix_listings_locked_by_job_id ("IS NULL" counts as an equality there).
        Index("ix_listings_account_state_free", "account_id", "state", "locked_by_job_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    asin: Mapped[str | None] = mapped_column(String(10))
    confirmed_quantity: Mapped[int | None]
    confirmed_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    #: The job that holds this listing; None when free.
    locked_by_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    #: When one of our jobs last had a change of this listing accepted by Amazon (its
    #: confirmed quantity or price set from a processing report); None: never.
    confirmed_at: Mapped[datetime | None]


class Job(Base):
    """An Amazon Job: one unit of work against the SP-API, with its items and log."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_created", "created_at", "id"),
        Index("ix_jobs_account_type_status", "account_id", "type", "status"),
        # The account's latest job of a type, read at the end of the index.
        Index("ix_jobs_account_type_created", "account_id", "type", "created_at"),
        Index("ix_jobs_status_finished", "status", "finished_at"),
        # The account's jobs in some statuses (its active ones, its latest finished
        # feeds), without reading the jobs it has kept (migration 0024).
        Index("ix_jobs_account_status_finished", "account_id", "status", "finished_at"),
        Index("ix_jobs_to_verify", "items_to_verify"),
        Index("ix_jobs_account_to_verify", "account_id", "items_to_verify"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    #: Last change of the job, including every refresh of its state from Amazon.
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    #: When the worker should take its next step; None once the job is finished.
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Consecutive failed attempts of the current step.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    #: Amazon's id for what was submitted (feedId, reportId).
    amazon_ref: Mapped[str | None] = mapped_column(String(100))
    #: Amazon's processingStatus, as last seen.
    amazon_status: Mapped[str | None] = mapped_column(String(30))
    input_document_id: Mapped[str | None] = mapped_column(String(200))
    result_document_id: Mapped[str | None] = mapped_column(String(200))
    polls: Mapped[int] = mapped_column(Integer, default=0)
    items_total: Mapped[int] = mapped_column(Integer, default=0)
    items_ok: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the job failed as a whole.
    error: Mapped[str | None] = mapped_column(Text)
    #: Handler-specific state (e.g. the step reached inside ``processing``).
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    #: An external call that may have reached Amazon without its answer being stored
    #: (e.g. "createFeed"), and when it was made: reconciled before any retry.
    intent_op: Mapped[str | None] = mapped_column(String(40))
    intent_at: Mapped[datetime | None]
    #: When Amazon accepted what the job submitted (feed or report).
    submitted_at: Mapped[datetime | None]
    #: Set by the watchdog when Amazon has not finished far past its guidance.
    stuck_at: Mapped[datetime | None]
    #: A cancel asked for while waiting for the result (cancelFeed on the next step).
    cancel_requested_at: Mapped[datetime | None]
    #: An error job a seller has seen; retention may then prune it.
    acknowledged_at: Mapped[datetime | None]
    #: Items Amazon accepted with a WARNING, or with issues found after acceptance.
    items_warned: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Items Amazon accepted that it does not show yet (verification ``pending``).
    items_to_verify: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Items that still differed on Amazon after being sent again (verification ``flagged``).
    items_flagged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class JobItem(Base):
    """One listing (or order) inside a job: its state before, the change, the outcome."""

    __tablename__ = "job_items"
    __table_args__ = (Index("ix_job_items_verification", "verification"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL"), index=True
    )
    #: What the item is: a SKU, an Amazon order id, a package.
    ref: Mapped[str] = mapped_column(String(60))
    #: For Orders Fulfillment: the package the item confirms.
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="SET NULL"), index=True
    )
    #: The item's messageId in the submitted feed.
    message_id: Mapped[int | None]
    #: The listing as it was before the job, restored exactly on cancel.
    prior: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The change asked for when the job was created.
    requested: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The values actually sent (read from the product at sending time).
    sent: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    #: pending, ok, error or canceled.
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    #: What Amazon confirmed.
    confirmed: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    #: Whether Amazon shows what it accepted (a
    #: :class:`~amazon_jobs.domain.verification.Verification`); None: not checked.
    verification: Mapped[str | None] = mapped_column(String(20))
    #: When Amazon was last asked what it shows of the item.
    verify_checked_at: Mapped[datetime | None]
    #: What Amazon showed then ("seen", "issues"), by what, and what followed ("resent_in").
    verification_detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class JobLog(Base):
    """One line of a job's log."""

    __tablename__ = "job_log"
    __table_args__ = (Index("ix_job_log_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(100))


class ThrottleBucket(Base):
    """Our copy of one of Amazon's token buckets, shared by every worker."""

    __tablename__ = "throttle_buckets"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    operation: Mapped[str] = mapped_column(String(40), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime]
    #: Restore rate in use (from the profile, or as announced by Amazon).
    rate: Mapped[float] = mapped_column(Float)
    #: Grant times inside the rolling window, epoch seconds.
    grants: Mapped[list[float]] = mapped_column(JsonDoc, default=list)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    throttled: Mapped[int] = mapped_column(Integer, default=0)
    #: Grants per minute over the last hour: {"<epoch minute>": count}.
    minutes: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class ApplicationBucket(Base):
    """Our copy of one of Amazon's application-wide buckets: every account that uses
    the same LWA client id draws from it, on top of its own :class:`ThrottleBucket`."""

    __tablename__ = "application_buckets"

    #: The application: the accounts' ``lwa_client_id``.
    client_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(40), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime]
    rate: Mapped[float] = mapped_column(Float)
    #: Grant times inside the rolling window, epoch seconds.
    grants: Mapped[list[float]] = mapped_column(JsonDoc, default=list)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    throttled: Mapped[int] = mapped_column(Integer, default=0)
    #: Grants per minute over the last hour: {"<epoch minute>": count}.
    minutes: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    #: The turn of the last job waiting in line for a token (see
    #: :meth:`amazon_jobs.throttle.Throttle.acquire`); None or past: no line.
    line_until: Mapped[datetime | None]


#: Order statuses whose units are no longer Amazon's to hold (shipped or canceled).
CLOSED_ORDER_STATUSES = ("CANCELLED", "SHIPPED")
#: ``ix_orders_open``'s condition: the orders still open on Amazon, whose units may be
#: held back (:mod:`amazon_jobs.store.available` writes the same term in its statements).
OPEN_ORDERS = "status NOT IN ({})".format(", ".join(f"'{s}'" for s in CLOSED_ORDER_STATUSES))


class Order(Base):
    """An Amazon order, as last imported."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("account_id", "amazon_order_id"),
        Index("ix_orders_account_updated", "account_id", "amazon_updated_at"),
        Index("ix_orders_account_change_seq", "account_id", "change_seq"),
        # The account's open orders, without the closed ones it keeps (migration 0025).
        Index(
            "ix_orders_open",
            "account_id",
            sqlite_where=text(OPEN_ORDERS),
            postgresql_where=text(OPEN_ORDERS),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    amazon_order_id: Mapped[str] = mapped_column(String(30))
    #: Amazon's fulfillment status (Orders 2026-01-01 vocabulary: UNSHIPPED, SHIPPED, ...).
    status: Mapped[str] = mapped_column(String(30))
    purchased_at: Mapped[datetime]
    #: Amazon's lastUpdatedTime.
    amazon_updated_at: Mapped[datetime]
    marketplace_id: Mapped[str | None] = mapped_column(String(20))
    fulfilled_by: Mapped[str | None] = mapped_column(String(10))
    total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: The order's id in the shop, once Orders to Shop created it there.
    shop_order_id: Mapped[int | None] = mapped_column(BigId)
    #: When the shop got the order (written by Orders to Shop, or acknowledged through
    #: the API); until then its units are held back from the quantity sent to Amazon.
    in_shop_at: Mapped[datetime | None]
    #: Its place in the order cursor (``GET /api/v1/orders?after_cursor=``): numbered
    #: anew whenever the shop must learn of it again; None until its items are known.
    change_seq: Mapped[int | None] = mapped_column(BigInteger)
    #: The shop's own reference, given when a shop without a connector acknowledged it.
    shop_order_ref: Mapped[str | None] = mapped_column(String(64))
    #: Where Amazon says to deliver (name, address lines, city, state, postal code,
    #: country code, phone), as far as the application may see it; None: not given.
    ship_to: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    #: The buyer's name and (anonymized) e-mail, when Amazon gives them.
    buyer: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    #: Shop objects Orders to Shop made for the order so far (customer, address,
    #: cart): a resumed or later job reuses them, so one cart carries one order.
    shop_refs: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    #: The order's state id in the shop, as Shipments from Shop last read it.
    shop_state: Mapped[int | None] = mapped_column(Integer)
    #: Why the shop refused the order; it then waits for a retry of its item.
    shop_error: Mapped[str | None] = mapped_column(Text)
    #: When Amazon's cancellation was written back to the shop.
    shop_canceled_at: Mapped[datetime | None]


class Counter(Base):
    """A named number handed out in increasing order (see ``store/order_feed.py``)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class OrderItem(Base):
    """A line of an Amazon order."""

    __tablename__ = "order_items"
    __table_args__ = (UniqueConstraint("order_id", "order_item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    order_item_id: Mapped[str] = mapped_column(String(40))
    #: Indexed: the units held back from Amazon are summed per SKU.
    sku: Mapped[str | None] = mapped_column(String(40), index=True)
    asin: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    quantity_ordered: Mapped[int] = mapped_column(Integer)
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    #: The shop product with this SKU, if any.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )


class Shipment(Base):
    """A package the shop shipped, to be confirmed to Amazon (Orders Fulfillment)."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "package_reference_id"),
        Index("ix_shipments_state", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    #: Amazon's packageReferenceId: 1, 2, ... per order.
    package_reference_id: Mapped[int] = mapped_column(Integer)
    carrier_code: Mapped[str] = mapped_column(String(60))
    carrier_name: Mapped[str | None] = mapped_column(String(100))
    shipping_method: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    ship_date: Mapped[datetime]
    #: [{"order_item_id": ..., "quantity": ...}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    #: due (to confirm), confirmed, or error.
    state: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    locked_by_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class InventoryRow(Base):
    """A row of the account's listings report (the Amazon Inventory table)."""

    __tablename__ = "amazon_inventory"
    __table_args__ = (Index("ix_inventory_snapshot_sku", "account_id", "snapshot_id", "sku"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    #: The Inventory Report job that imported the row.
    snapshot_id: Mapped[int] = mapped_column(BigId)
    sku: Mapped[str] = mapped_column(String(100))
    asin: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    quantity: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(30))
    #: The shop product with this SKU; None marks an unmatched SKU.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )


class LeaderLease(Base):
    """A named role (e.g. the scheduler) held by one process at a time."""

    __tablename__ = "leader_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None]


class User(Base):
    """A person who may use the dashboard and the API."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    #: scrypt, with its salt and parameters; never the password.
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    #: The demo's user: refused outside demo mode.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: A :class:`~amazon_jobs.domain.roles.Role`: viewer, operator or admin.
    role: Mapped[str] = mapped_column(String(20), default="viewer", server_default="viewer")
    #: Set while the user is disabled: no login, no session, no token works.
    disabled_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the row its hash."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The session's CSRF token, required on every form that changes something.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: The absolute end of the session (``session_lifetime_s`` after the login).
    expires_at: Mapped[datetime]
    #: When the session was last used (roughly: refreshed at most once a minute);
    #: it ends ``session_idle_s`` after that. None: not since the login.
    last_seen_at: Mapped[datetime | None]


class LoginFailure(Base):
    """Wrong passwords counted per user name or client address, to refuse guessing.

    Kept in the database so every web process shares them.
    """

    __tablename__ = "login_failures"

    #: ``user:<name>`` or ``address:<client address>``.
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: The first failure of the current window.
    window_start: Mapped[datetime]
    #: Logins with this key are refused until then.
    locked_until: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for the REST API; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    #: The widest :class:`~amazon_jobs.domain.roles.Role` the token acts with
    #: (never wider than its user's role at the time).
    scope: Mapped[str] = mapped_column(String(20), default="viewer", server_default="viewer")
    #: Refused from then on; None: until revoked.
    expires_at: Mapped[datetime | None]
    #: Set when revoked: refused from then on, kept for the list.
    revoked_at: Mapped[datetime | None]


class JobDocument(Base):
    """A document a job exchanged with Amazon (the feed sent, the result received), gzip."""

    __tablename__ = "job_documents"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    #: "feed" or "result".
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    gzipped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class SavedView(Base):
    """A named filter of the jobs table, kept per user."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    #: The jobs page's query string (``type=update_qty&failed=yes``).
    query: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime]


class Action(Base):
    """Something a person did (created, canceled, retried a job, changed an account...).

    Kept apart from the job log so account changes and history outlive their jobs;
    an action on a job is also written to that job's log.
    """

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_job", "job_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    #: The user's name, or ``cli:<OS user>`` for the command line.
    actor: Mapped[str] = mapped_column(String(100))
    #: create, cancel, retry, check, ship, acknowledge (an order), account_add,
    #: account_change, account_channel, account_pause, account_resume, account_disable,
    #: account_enable, account_delete.
    action: Mapped[str] = mapped_column(String(40))
    job_id: Mapped[int | None] = mapped_column(BigId)
    account_id: Mapped[int | None] = mapped_column(BigId)
    #: What was done, in words (no secret ever).
    detail: Mapped[str] = mapped_column(Text)
    #: The reason the person gave, if any.
    reason: Mapped[str | None] = mapped_column(Text)
