"""shops: the PrestaShop connector's shops, the account's shop, where products come from
and whether an Amazon order is in the shop yet

Existing accounts keep the manual shop (no shop), existing products stay entered
by hand and active, and no imported order is in a shop yet.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import BigId, JsonDoc, UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: (table, column) pairs added to existing tables, dropped in reverse by downgrade().
ADDED = (
    ("accounts", "shop_id"),
    ("products", "shop_id"),
    ("products", "shop_product_id"),
    ("products", "shop_combination_id"),
    ("products", "active"),
    ("products", "deleted_at"),
    ("orders", "shop_order_id"),
    ("orders", "in_shop_at"),
)


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("key_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("settings", JsonDoc, nullable=False),
        sa.Column("catalog_synced_until", UtcDateTime(), nullable=True),
        sa.Column("catalog_full_at", UtcDateTime(), nullable=True),
        sa.Column("orders_synced_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
        sa.UniqueConstraint("name", name=op.f("uq_shops_name")),
    )
    # Plain ADD COLUMN, never a table copy on SQLite (dropping the old accounts or
    # products table would cascade-delete their jobs, listings and orders); the
    # foreign keys go inline, which SQLite accepts for a column that defaults to NULL.
    _add_reference("accounts", "shop_id", "shops")
    _add_reference("products", "shop_id", "shops")
    op.add_column("products", sa.Column("shop_product_id", BigId, nullable=True))
    op.add_column("products", sa.Column("shop_combination_id", BigId, nullable=True))
    op.add_column(
        "products", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column("products", sa.Column("deleted_at", UtcDateTime(), nullable=True))
    op.add_column("orders", sa.Column("shop_order_id", BigId, nullable=True))
    op.add_column("orders", sa.Column("in_shop_at", UtcDateTime(), nullable=True))
    op.create_index(op.f("ix_accounts_shop_id"), "accounts", ["shop_id"], unique=False)
    op.create_index(op.f("ix_products_shop_id"), "products", ["shop_id"], unique=False)


def _add_reference(table: str, column: str, referred: str) -> None:
    name = f"fk_{table}_{column}_{referred}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {name} REFERENCES {referred} (id) ON DELETE SET NULL"
        )
    else:
        op.add_column(table, sa.Column(column, BigId, nullable=True))
        op.create_foreign_key(name, table, referred, [column], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_products_shop_id"), table_name="products")
    op.drop_index(op.f("ix_accounts_shop_id"), table_name="accounts")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason: no table copy.
    # SQLite refuses to drop a column a foreign key constraint names, so the two
    # references go on PostgreSQL only through their constraint first.
    for table, column in reversed(ADDED):
        if column == "shop_id" and op.get_bind().dialect.name != "sqlite":
            op.drop_constraint(f"fk_{table}_{column}_shops", table, type_="foreignkey")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_table("shops")
