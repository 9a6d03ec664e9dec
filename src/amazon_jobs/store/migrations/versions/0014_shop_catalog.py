"""shop catalog: a product's tax-included shop price, when a full catalog pass last saw
it (its job), and the look-up of a shop's products by their shop ids

Existing products have no tax-included price and were never seen by a full pass
(entered by hand, or not synced yet). SKUs stay at 40 characters, Amazon's limit: a
longer PrestaShop reference (up to 64) is refused per item by the catalog sync.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import BigId

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEX = "ix_products_shop_item"


def upgrade() -> None:
    # Plain ADD COLUMN, never a table copy on SQLite (it would cascade-delete listings).
    op.add_column("products", sa.Column("price_tax_incl", sa.Numeric(12, 2), nullable=True))
    op.add_column("products", sa.Column("shop_pass_job_id", BigId, nullable=True))
    op.create_index(
        INDEX, "products", ["shop_id", "shop_product_id", "shop_combination_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="products")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy either.
    op.execute("ALTER TABLE products DROP COLUMN shop_pass_job_id")
    op.execute("ALTER TABLE products DROP COLUMN price_tax_incl")
