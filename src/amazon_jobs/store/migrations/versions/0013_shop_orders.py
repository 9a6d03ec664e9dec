"""shop orders: what Orders to Shop and Shipments from Shop need on each Amazon order

The delivery address and buyer as Amazon gave them (only what the application may
see: without the PII roles, city, postal code and country at most), the shop objects
created for the order so far (a resumed job reuses them), the order's last seen
state in the shop, the shop's refusal and when an Amazon cancellation reached the
shop. Existing orders get nothing: they were imported before any shop existed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import JsonDoc, UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: Columns added to ``orders`` (plain ADD COLUMN: never a table copy on SQLite).
ADDED = (
    ("ship_to", JsonDoc),
    ("buyer", JsonDoc),
    ("shop_refs", JsonDoc),
    ("shop_state", sa.Integer()),
    ("shop_error", sa.Text()),
    ("shop_canceled_at", UtcDateTime()),
)


def upgrade() -> None:
    for name, type_ in ADDED:
        op.add_column("orders", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(ADDED):
        op.execute(f"ALTER TABLE orders DROP COLUMN {name}")
