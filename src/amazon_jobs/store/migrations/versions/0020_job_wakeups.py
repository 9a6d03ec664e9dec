"""PostgreSQL: NOTIFY amazon_jobs_due when a job may have become due, so that idle
workers (LISTEN, see ``amazon_jobs.store.wakeups``) claim it at once instead of at
their next look. SQLite: nothing (its workers look every ``IDLE_POLL_S``).

A new job notifies (once per inserting statement); so does a job no worker holds whose
next run was moved earlier (a cancel, a retry, the scheduler). A worker's own changes to
the jobs it holds do not: it claims them itself in its next transaction.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

CHANNEL = "amazon_jobs_due"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION amazon_jobs_notify_due() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- the job's id when one row changed; '' for an insert (one per statement)
            IF TG_LEVEL = 'ROW' THEN
                PERFORM pg_notify('{CHANNEL}', NEW.id::text);
            ELSE
                PERFORM pg_notify('{CHANNEL}', '');
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER jobs_inserted_notify AFTER INSERT ON jobs
        FOR EACH STATEMENT EXECUTE FUNCTION amazon_jobs_notify_due()
        """
    )
    op.execute(
        """
        CREATE TRIGGER jobs_due_earlier_notify AFTER UPDATE OF next_run_at ON jobs
        FOR EACH ROW
        WHEN (
            NEW.lease_owner IS NULL
            AND NEW.next_run_at IS NOT NULL
            AND (OLD.next_run_at IS NULL OR NEW.next_run_at < OLD.next_run_at)
        )
        EXECUTE FUNCTION amazon_jobs_notify_due()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS jobs_due_earlier_notify ON jobs")
    op.execute("DROP TRIGGER IF EXISTS jobs_inserted_notify ON jobs")
    op.execute("DROP FUNCTION IF EXISTS amazon_jobs_notify_due()")
