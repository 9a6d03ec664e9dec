"""accounts.channel: how the account's listings jobs reach Amazon (auto, feed, listings-api;
NULL: the installation's ``channel`` setting)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("channel", sa.String(16), nullable=True),
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy.
    op.execute("ALTER TABLE accounts DROP COLUMN channel")
