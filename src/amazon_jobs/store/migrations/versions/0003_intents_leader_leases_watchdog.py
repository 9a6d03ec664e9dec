"""intents, leader leases, watchdog

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leader_leases",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leader_leases")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intent_op", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("intent_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("stuck_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancel_requested_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", UtcDateTime(), nullable=True))
        batch_op.create_index("ix_jobs_status_finished", ["status", "finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_finished")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("cancel_requested_at")
        batch_op.drop_column("stuck_at")
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("intent_at")
        batch_op.drop_column("intent_op")

    op.drop_table("leader_leases")
