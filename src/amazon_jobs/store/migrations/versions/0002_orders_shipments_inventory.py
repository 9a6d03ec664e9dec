"""orders, shipments, inventory

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import BigId, JsonDoc, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "amazon_inventory",
        sa.Column("id", BigId, nullable=False),
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("snapshot_id", BigId, nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("asin", sa.String(length=20), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("product_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_amazon_inventory_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_amazon_inventory_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_inventory")),
    )
    with op.batch_alter_table("amazon_inventory", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_amazon_inventory_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_snapshot_sku", ["account_id", "snapshot_id", "sku"], unique=False
        )

    op.create_table(
        "orders",
        sa.Column("id", BigId, nullable=False),
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("amazon_order_id", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("purchased_at", UtcDateTime(), nullable=False),
        sa.Column("amazon_updated_at", UtcDateTime(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=20), nullable=True),
        sa.Column("fulfilled_by", sa.String(length=10), nullable=True),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_orders_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("account_id", "amazon_order_id", name=op.f("uq_orders_account_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_account_updated", ["account_id", "amazon_updated_at"], unique=False
        )

    op.create_table(
        "order_items",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("order_item_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=True),
        sa.Column("asin", sa.String(length=10), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("quantity_ordered", sa.Integer(), nullable=False),
        sa.Column("quantity_shipped", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("product_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_order_items_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
        sa.UniqueConstraint("order_id", "order_item_id", name=op.f("uq_order_items_order_id")),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_items_product_id"), ["product_id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("id", BigId, nullable=False),
        sa.Column("order_id", BigId, nullable=False),
        sa.Column("package_reference_id", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(length=60), nullable=False),
        sa.Column("carrier_name", sa.String(length=100), nullable=True),
        sa.Column("shipping_method", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("ship_date", UtcDateTime(), nullable=False),
        sa.Column("items", JsonDoc, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("locked_by_job_id", BigId, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("confirmed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["locked_by_job_id"],
            ["jobs.id"],
            name=op.f("fk_shipments_locked_by_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_shipments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("order_id", "package_reference_id", name=op.f("uq_shipments_order_id")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipments_locked_by_job_id"), ["locked_by_job_id"], unique=False
        )
        batch_op.create_index("ix_shipments_state", ["state"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "orders_api", sa.String(length=12), nullable=False, server_default="2026-01-01"
            )
        )
        batch_op.add_column(sa.Column("orders_imported_until", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("inventory_snapshot_id", BigId, nullable=True))

    with op.batch_alter_table("job_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment_id", BigId, nullable=True))
        batch_op.create_index(batch_op.f("ix_job_items_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_job_items_shipment_id_shipments"),
            "shipments",
            ["shipment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("job_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_job_items_shipment_id_shipments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_job_items_shipment_id"))
        batch_op.drop_column("shipment_id")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("inventory_snapshot_id")
        batch_op.drop_column("orders_imported_until")
        batch_op.drop_column("orders_api")

    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_state")
        batch_op.drop_index(batch_op.f("ix_shipments_locked_by_job_id"))

    op.drop_table("shipments")
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_items_product_id"))

    op.drop_table("order_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_account_updated")

    op.drop_table("orders")
    with op.batch_alter_table("amazon_inventory", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_snapshot_sku")
        batch_op.drop_index(batch_op.f("ix_amazon_inventory_product_id"))

    op.drop_table("amazon_inventory")
