"""jobs.parent_id index

A retry job points at its parent: the job page lists a job's retries, and
deleting a job (retention) looks up the jobs pointing at it to unlink them.
Without an index both scan the whole jobs table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_jobs_parent_id"), "jobs", ["parent_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_jobs_parent_id"), table_name="jobs")
