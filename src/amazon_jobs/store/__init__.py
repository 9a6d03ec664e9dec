"""Persistence: SQLAlchemy 2 models, migrations and intent-level queries."""
