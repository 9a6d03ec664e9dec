"""per-application quota: application_buckets, one per LWA client id and operation

Amazon meters an application as a whole (every seller that authorized it) on top
of each seller-application pair; the accounts of one installation that share a
client id share these buckets (issue 15).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import JsonDoc, UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application_buckets",
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("grants", JsonDoc, nullable=False),
        sa.Column("granted", sa.Integer(), nullable=False),
        sa.Column("throttled", sa.Integer(), nullable=False),
        sa.Column("minutes", JsonDoc, server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("client_id", "operation", name=op.f("pk_application_buckets")),
    )


def downgrade() -> None:
    op.drop_table("application_buckets")
