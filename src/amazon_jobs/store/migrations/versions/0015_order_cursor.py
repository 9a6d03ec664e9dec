"""order cursor: each order's change sequence number, the counter that hands them out,
and the shop's reference of an acknowledged order

Existing orders get their id as their change number (the order they were imported
in), so a shop that starts paging from cursor 0 receives every order once; the
counter starts after the largest of them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: The counters row that numbers order changes (see :mod:`amazon_jobs.store.order_feed`).
ORDER_CHANGES = "order_changes"
ADDED = ("change_seq", "shop_order_ref")


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    # Plain ADD COLUMN, never a table copy on SQLite (dropping the old orders table
    # would cascade-delete every order item and shipment).
    op.add_column("orders", sa.Column("change_seq", sa.BigInteger(), nullable=True))
    op.add_column("orders", sa.Column("shop_order_ref", sa.String(length=64), nullable=True))
    op.execute("UPDATE orders SET change_seq = id")
    op.execute(
        sa.text(
            "INSERT INTO counters (name, value) SELECT :name, COALESCE(MAX(id), 0) FROM orders"
        ).bindparams(name=ORDER_CHANGES)
    )
    op.create_index(
        "ix_orders_account_change_seq", "orders", ["account_id", "change_seq"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_orders_account_change_seq", table_name="orders")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason: no table copy.
    for column in reversed(ADDED):
        op.execute(f"ALTER TABLE orders DROP COLUMN {column}")
    op.drop_table("counters")
