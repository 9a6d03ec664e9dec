"""PostgreSQL: each schema's jobs notify their own channel, not the database's one.

A NOTIFY channel belongs to the whole database, not to a schema. Two installations in
one database (an integrator's schemas, or the tests' parallel workers) woke each
other's idle workers with every new job: a wasted claim each time, and a worker that
waits for "its" notification could take another installation's for it. The channel
is now ``amazon_jobs_due_`` and the first 16 hex digits of the md5 of the jobs
table's schema (a channel name has at most 63 bytes, a schema name as many); the
workers listen on the channel of their connection's ``current_schema()``
(``amazon_jobs.store.wakeups.CHANNEL_SQL``).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _notify_function(channel: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION amazon_jobs_notify_due() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- the job's id when one row changed; '' for an insert (one per statement)
            IF TG_LEVEL = 'ROW' THEN
                PERFORM pg_notify({channel}, NEW.id::text);
            ELSE
                PERFORM pg_notify({channel}, '');
            END IF;
            RETURN NULL;
        END
        $$
        """


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_notify_function("'amazon_jobs_due_' || substr(md5(TG_TABLE_SCHEMA), 1, 16)"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_notify_function("'amazon_jobs_due'"))
