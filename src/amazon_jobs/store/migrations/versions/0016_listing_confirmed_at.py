"""listings.confirmed_at: when one of our jobs last had a change of the listing accepted

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("listings", sa.Column("confirmed_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy.
    op.execute("ALTER TABLE listings DROP COLUMN confirmed_at")
