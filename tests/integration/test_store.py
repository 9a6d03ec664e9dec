"""Schema creation and the SQLite settings, on both backends."""

from __future__ import annotations

import sqlalchemy as sa

from amazon_jobs.store import migrate
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Base


def test_init_is_safe_to_run_again(db_url):
    db = Database(db_url)
    migrate.upgrade(db)
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    db.dispose()


def test_fresh_sqlite_file_is_created_in_wal_mode(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'new' / 'a.db'}")
    migrate.upgrade(db)
    with db.read() as session:
        assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(sa.text("PRAGMA busy_timeout")).scalar() == 30_000
        assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_models_match_the_migrations(db_url):
    """Autogenerate finds nothing to add: the migration and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(db_url)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        if connection.dialect.name == "sqlite":
            diff = _without_inline_references(connection, diff)
    db.dispose()
    assert diff == []


def _without_inline_references(connection, diff):
    """SQLite keeps a reference added by ADD COLUMN inline in its column (it cannot add a
    table constraint), and SQLAlchemy reflects such a reference without its name or its
    ON DELETE: autogenerate then asks to drop and re-add it. Those pairs are checked
    here against what SQLite really enforces (PRAGMA foreign_key_list) instead."""

    def key(fk):
        return (fk.table.name, tuple(c.name for c in fk.columns), fk.referred_table.name)

    added = {key(op[1]): op[1] for op in diff if op[0] == "add_fk"}
    kept = []
    for op in diff:
        if op[0] == "remove_fk" and op[1].name is None and key(op[1]) in added:
            wanted = added.pop(key(op[1]))
            table, (column,), referred = key(op[1])
            enforced = {
                (row[3], row[2]): row[6]
                for row in connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})")
            }
            assert enforced[(column, referred)] == (wanted.ondelete or "NO ACTION"), table
        elif op[0] != "add_fk":
            kept.append(op)
    return kept + [("add_fk", fk) for fk in added.values()]
