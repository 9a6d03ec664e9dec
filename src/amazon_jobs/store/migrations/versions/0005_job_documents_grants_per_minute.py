"""job documents, grants per minute

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import BigId, JsonDoc, UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_documents",
        sa.Column("job_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("gzipped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_documents_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "kind", name=op.f("pk_job_documents")),
    )
    with op.batch_alter_table("throttle_buckets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minutes", JsonDoc, server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("throttle_buckets", schema=None) as batch_op:
        batch_op.drop_column("minutes")

    op.drop_table("job_documents")
