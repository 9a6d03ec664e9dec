"""read-after-write verification and warnings (issue 15)

Each item Amazon accepted is verified against what Amazon then shows
(``job_items.verification``, ``verify_checked_at``, ``verification_detail``);
jobs count their items accepted with warnings, still to verify and flagged.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import JsonDoc, UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

JOB_COUNTERS = ("items_warned", "items_to_verify", "items_flagged")


def upgrade() -> None:
    for name in JOB_COUNTERS:
        op.add_column("jobs", sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    op.create_index("ix_jobs_to_verify", "jobs", ["items_to_verify"])
    op.add_column("job_items", sa.Column("verification", sa.String(length=20), nullable=True))
    op.add_column("job_items", sa.Column("verify_checked_at", UtcDateTime(), nullable=True))
    op.add_column("job_items", sa.Column("verification_detail", JsonDoc, nullable=True))
    op.create_index("ix_job_items_verification", "job_items", ["verification"])


def downgrade() -> None:
    op.drop_index("ix_job_items_verification", table_name="job_items")
    op.drop_index("ix_jobs_to_verify", table_name="jobs")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy.
    for column in ("verification_detail", "verify_checked_at", "verification"):
        op.execute(f"ALTER TABLE job_items DROP COLUMN {column}")
    for name in JOB_COUNTERS:
        op.execute(f"ALTER TABLE jobs DROP COLUMN {name}")
