"""user roles and states, API token scopes, expiry and revocation

Users that exist already become admins (before roles, everyone could do
everything), and their tokens keep acting with their user's full role.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite: copying users would cascade-delete
    # their sessions and tokens). Rows added later without a role get the narrowest.
    op.add_column(
        "users",
        sa.Column("role", sa.String(length=20), nullable=False, server_default="viewer"),
    )
    op.add_column("users", sa.Column("disabled_at", UtcDateTime(), nullable=True))
    op.add_column(
        "api_tokens",
        sa.Column("scope", sa.String(length=20), nullable=False, server_default="viewer"),
    )
    op.add_column("api_tokens", sa.Column("expires_at", UtcDateTime(), nullable=True))
    op.add_column("api_tokens", sa.Column("revoked_at", UtcDateTime(), nullable=True))
    # Before roles everyone could do everything: existing users and tokens keep that.
    op.execute("UPDATE users SET role = 'admin'")
    op.execute("UPDATE api_tokens SET scope = 'admin'")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("role")
