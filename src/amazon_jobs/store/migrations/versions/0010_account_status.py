"""account states: paused after refused logins, disabled, deleted (jobs kept)

Every account that exists is active, with no refused login counted.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = ("status_changed_at", "status_reason", "auth_failures", "status")


def upgrade() -> None:
    # Plain ADD COLUMN, never a table copy on SQLite: dropping the old accounts table
    # would cascade-delete every job, listing and order of every account.
    op.add_column(
        "accounts",
        sa.Column("status", sa.String(length=20), nullable=False, server_default="active"),
    )
    op.add_column(
        "accounts",
        sa.Column("auth_failures", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("accounts", sa.Column("status_reason", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("status_changed_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason: no table copy.
    for column in COLUMNS:
        op.execute(f"ALTER TABLE accounts DROP COLUMN {column}")
