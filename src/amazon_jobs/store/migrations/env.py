"""Alembic environment: runs against the connection handed over by ``migrate.upgrade``."""

from __future__ import annotations

from alembic import context

from amazon_jobs.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
