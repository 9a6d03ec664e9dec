"""Indexes for the scheduler's questions about one account, so that a tick's cost per
account depends neither on the number of accounts nor on the jobs kept for 30 days
(bench/capacity.py's scheduler probe):

- listings (account_id, state, locked_by_job_id): an account's free listings in a state,
  which every selection reads (automatic sync, for each account at each tick). Without
  it SQLite answered through ix_listings_locked_by_job_id ("IS NULL" counts as an
  equality there) and read every free listing of the installation for each account: a
  tick grew with the square of the number of accounts.
- jobs (account_id, type, created_at): the account's latest job of a type (periodic
  jobs, the orders reconciliation) is read at the end of the index instead of over
  every job of the type kept.
- jobs (account_id, items_to_verify): the account's jobs with items to verify.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_listings_account_state_free": ("listings", ["account_id", "state", "locked_by_job_id"]),
    "ix_jobs_account_type_created": ("jobs", ["account_id", "type", "created_at"]),
    "ix_jobs_account_to_verify": ("jobs", ["account_id", "items_to_verify"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
