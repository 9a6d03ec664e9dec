"""jobs (account_id, status, finished_at): what a job's steps ask about its account's
other jobs, read without the jobs the account has kept (30 days of them by default).

- Whether another active job of the account holds an intent for the same call
  (``handlers/intents.py``, before every createFeed and createReport): SQLite read it
  through ix_jobs_account_to_verify, that is every job of the account, kept ones
  included: 4.5 ms a feed job with 20,000 of them.
- The account's last five finished feeds, whose median turnaround the channel choice
  uses (``store/channels.py``, as each listings job enters processing): read through
  ix_jobs_account_type_status and sorted, every finished feed of the account each time.
  They are now the last entries of the account's ``done`` range of this index.

``bench/aged_step.py`` measures a step with and without kept jobs.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

NAME = "ix_jobs_account_status_finished"


def upgrade() -> None:
    op.create_index(NAME, "jobs", ["account_id", "status", "finished_at"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="jobs")
