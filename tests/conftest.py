"""Shared fixtures: databases (SQLite file and PostgreSQL), clocks and runtimes.

PostgreSQL tests use their own schema in the ``test`` database on
127.0.0.1:5432. Where PostgreSQL is unreachable they are skipped, except
with ``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer.main
import typer.testing
from pydantic import SecretStr

from amazon_jobs.clock import Clock, VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import migrate
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Base

PG_BASE = os.environ.get("AMAZON_JOBS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: A key of `amazon-jobs keygen`'s format (passphrases are refused).
SECRET_KEY = "mg13Pm9XyLcm9X2LZRpoaKGJ9CBwMKaVsTszlwFPerQ="
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

# Typer's CliRunner makes the app's Click commands anew at every invoke, reading every
# command's signature: 50 ms of CPU each time, several hundred times a run. The app
# does not change, so its commands are made once per test process.
typer.testing._get_command = functools.cache(typer.main.get_command)


def _pg_available() -> str | None:
    engine = sa.create_engine(PG_BASE, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that asks for ``pg_url`` is a PostgreSQL test, and every test that
    restarts the server is a long one: ``make test-long`` runs those one after another,
    beside the long tests that do not use PostgreSQL, so none may be unmarked."""
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if item.get_closest_marker("pg_restart"):
            item.add_marker(pytest.mark.long)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, migrated."""
    problem = _pg_available()
    if problem:
        message = f"PostgreSQL at {PG_BASE} is unreachable: {problem}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with migrated_schema("aj_test") as url:
        yield url


@contextmanager
def migrated_schema(prefix: str) -> Iterator[str]:
    """A fresh schema in the ``test`` database, migrated, dropped afterwards: its URL."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_BASE, pool_pre_ping=True)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    try:
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def truncate(url: str) -> None:
    """Empty every table of the PostgreSQL test schema and restart its id sequences.

    ``DELETE``, children first, rather than ``TRUNCATE``: a test leaves a few rows,
    and ``TRUNCATE`` gives each of the tables new files (half a second a test on
    a busy machine, against a twentieth for the deletes)."""
    db = Database(url)
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.exec_driver_sql(f"DELETE FROM {table.name}")
        sequences = conn.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
        ).scalars()
        for sequence in sequences:
            conn.exec_driver_sql(f"ALTER SEQUENCE {sequence} RESTART")
    db.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test process, to copy from.

    The migrations take a fifth of a second of CPU; a copy takes a millisecond,
    and a thousand tests start from an empty database. The file is whole after
    ``dispose`` (the last connection checkpoints its WAL), so a copy is exactly
    what migrating anew would give."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template's WAL was not folded in"
    return path


def fresh_sqlite(template: Path, directory: Path) -> str:
    """The URL of a new migrated, empty SQLite database in *directory*."""
    target = directory / "amazon-jobs.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        yield fresh_sqlite(request.getfixturevalue("migrated_sqlite"), tmp_path)
    else:
        url = request.getfixturevalue("pg_url")
        truncate(url)
        yield url


@pytest.fixture
def sqlite_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    return fresh_sqlite(migrated_sqlite, tmp_path)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


def make_runtime(
    url: str,
    clock: VirtualClock,
    tmp_path: Path,
    *,
    security_clock: Clock | None = None,
    **overrides: object,
) -> Runtime:
    """A runtime on *url* and *clock*; its accounts may point at the simulator
    (allow_custom_endpoints); security timers (sessions, lockouts) run on the wall
    clock unless the test passes its own *security_clock*."""
    settings = load_settings(
        environ={},
        home=tmp_path,
        database_url=url,
        secret_key=SECRET_KEY,
        clock="virtual",
        # The suite's tests of the feed pin it; the channel's own tests choose theirs.
        **{"allow_custom_endpoints": True, "channel": "feed", **overrides},
    )
    return Runtime.build(settings, clock=clock, security_clock=security_clock)


@pytest.fixture
def runtime(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(db_url, clock, tmp_path)
    yield rt
    rt.close()


@pytest.fixture
def account_id(runtime: Runtime) -> int:
    """One account in *runtime*'s database (its credentials never used)."""
    spec = AccountSpec(
        name="acct",
        seller_id="A1",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="client",
        lwa_client_secret=SecretStr("secret"),
        refresh_token=SecretStr("refresh"),
    )
    with runtime.db.transaction() as session:
        return add_account(session, spec, runtime.cipher, runtime.clock.now()).id
