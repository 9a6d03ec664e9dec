"""orders (account_id) WHERE open on Amazon: the units held back from Amazon are summed
over the account's open orders, read without the closed ones it keeps (a year of them).

The held-back units of a product were a subquery per listing that found the SKU's order
items through ix_order_items_sku, every order of the SKU ever imported, then looked each
order up to see whether it was still open. With a year of orders an idle scheduler tick
grew from 12 to 82 ms for one account of 200 listings (SQLite, 20,000 shipped orders of
two items), and a feed's build with it. Now the statement groups the held-back units once
from the account's open orders (``store/available.py``), found through this index.

``bench/capacity.py``'s aged probe keeps a year of orders.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

NAME = "ix_orders_open"
#: As models.OPEN_ORDERS is today (a migration keeps its own copy).
OPEN_ORDERS = "status NOT IN ('CANCELLED', 'SHIPPED')"


def upgrade() -> None:
    op.create_index(
        NAME,
        "orders",
        ["account_id"],
        sqlite_where=sa.text(OPEN_ORDERS),
        postgresql_where=sa.text(OPEN_ORDERS),
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="orders")
