"""selling policies: an account's quantity and price rules; order items found by SKU

No account has a policy yet: every account keeps sending the shop's values. The
index on order_items.sku lets the units held back from Amazon (open orders not yet
in the shop) be summed per SKU without a scan.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import BigId, JsonDoc, UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selling_policies",
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("rules", JsonDoc, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_selling_policies_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_selling_policies")),
    )
    op.create_index(op.f("ix_order_items_sku"), "order_items", ["sku"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_order_items_sku"), table_name="order_items")
    op.drop_table("selling_policies")
