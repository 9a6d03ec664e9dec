"""application_buckets.line_until: the turn of the last job waiting in line for the
application's tokens.

Every account of one LWA client id draws from the application's buckets. When they
run dry, the jobs that wait used to be sent back all at the same time, the next
token's, and all but one found it taken: on a crowded application a verification job
took 208 steps instead of 3 (bench/capacity.py, the application's limits cut to 1 %).
Now a job that has to wait takes a turn in line (the column holds the last turn
given), and a job that comes later waits behind it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amazon_jobs.store.types import UtcDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application_buckets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_until", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application_buckets", schema=None) as batch_op:
        batch_op.drop_column("line_until")
