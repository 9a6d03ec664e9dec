"""Prepared statements on PostgreSQL run on libpq (store/pg_statements.py): the same
values, errors and transactions as psycopg's own cursor gives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from amazon_jobs.store import pg_statements
from amazon_jobs.store.database import Database
from amazon_jobs.store.pg_statements import LibpqCursor
from amazon_jobs.store.prepared import Prepared, binds, constants
from amazon_jobs.store.types import JsonDoc, UtcDateTime

pytestmark = pytest.mark.postgres

PROBE = Table(
    "pg_statements_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(40), unique=True),
    Column("at", UtcDateTime),
    Column("doc", JsonDoc),
    Column("amount", Numeric(12, 2)),
    Column("flag", Boolean),
    Column("blob", LargeBinary),
)
COLUMNS = ("id", "name", "at", "doc", "amount", "flag", "blob")
ADD = Prepared(insert(PROBE).values(binds(PROBE, COLUMNS)))
READ = Prepared(select(PROBE).where(PROBE.c.id == bindparam("id", type_=Integer)))
RENAME = Prepared(
    update(PROBE)
    .where(PROBE.c.id == bindparam("id", type_=Integer))
    .values(name=bindparam("name", type_=String))
)
SOME = Prepared(
    select(PROBE.c.id)
    .where(PROBE.c.id.in_(constants([1, 2, 3], Integer())), PROBE.c.name.like("p%"))
    .order_by(PROBE.c.id)
)
AT = datetime(2026, 12, 7, 15, 4, 5, 123456, tzinfo=UTC)


def row(id_: int, name: str) -> dict[str, object]:
    return {
        "id": id_,
        "name": name,
        "at": AT,
        "doc": {"sku": "A-1", "n": [1, 2], "note": None},
        "amount": Decimal("12.50"),
        "flag": True,
        "blob": b"\x00\xffbytes",
    }


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    PROBE.drop(database.engine, checkfirst=True)
    PROBE.create(database.engine)
    yield database
    PROBE.drop(database.engine)
    database.dispose()


def prepared_here(session: Session) -> list[str]:
    """The names of the statements prepared on the session's connection that use the
    probe table."""
    return list(
        session.scalars(
            text(
                "SELECT name FROM pg_prepared_statements"
                " WHERE statement LIKE '%pg_statements_probe%' ORDER BY name"
            )
        )
    )


def test_values_go_and_come_back_as_through_psycopgs_cursor(db: Database) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
        ADD.run(session, {**row(2, "q2"), "doc": None, "amount": None, "blob": None})
        ADD.run(session, row(3, "p3"))
    with db.read() as session:
        for id_ in (1, 2):
            ours = READ.first(session, {"id": id_})
            theirs = session.execute(select(PROBE).where(PROBE.c.id == id_)).one()
            assert ours == tuple(theirs)
        assert READ.first(session, {"id": 1})[2] == AT  # aware, in UTC
        assert READ.named(session, {"id": 1})[0].doc == row(1, "p1")["doc"]
        assert [r[0] for r in SOME.rows(session)] == [1, 3]
        assert READ.first(session, {"id": 99}) is None
        # A % in the SQL's own text stays one (it is doubled for psycopg's placeholders).
        percent = Prepared(
            select(PROBE.c.id, literal_column("'50%'"))
            .where(PROBE.c.name.like(literal_column("'q%'")))
            .where(text("'a%' LIKE 'a%'"))
        )
        assert percent.rows(session) == [(2, "50%")]


def test_statements_run_in_the_sessions_transaction(db: Database) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
    with pytest.raises(RuntimeError), db.transaction() as session:
        assert RENAME.run(session, {"id": 1, "name": "renamed"}) == 1
        ADD.run(session, row(2, "p2"))
        # Not committed: another connection does not see it.
        with db.read() as other:
            assert READ.first(other, {"id": 2}) is None
        raise RuntimeError("roll back")
    with db.read() as session:
        assert READ.first(session, {"id": 1})[1] == "p1"
        assert READ.first(session, {"id": 2}) is None


def test_a_statement_is_prepared_once_per_connection_and_survives_rollbacks(
    db: Database,
) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
    with Session(db.engine) as session:
        for _ in range(3):
            for _ in range(8):  # often enough for psycopg to have prepared them itself
                READ.first(session, {"id": 1})
                session.execute(select(PROBE.c.name).where(PROBE.c.id == 1)).one()
            session.rollback()
        assert READ.first(session, {"id": 1})[0] == 1
        names = prepared_here(session)  # READ's, and ADD's if it ran on this connection
        assert len(names) in (1, 2) and all(name.startswith("aj_") for name in names)
        assert not [n for n in names if n.startswith("_pg3_")]  # none of psycopg's own


def test_our_connections_open_with_psycopgs_preparing_off(db: Database) -> None:
    """Else a connection the ORM used often before its first prepared statement would
    lose that statement at its next rollback (psycopg's DEALLOCATE ALL)."""
    with db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        assert driver.prepare_threshold is None


def test_statements_dropped_under_them_are_prepared_again(db: Database) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
    with Session(db.engine) as session:
        assert READ.first(session, {"id": 1})[0] == 1
        session.execute(text("DEALLOCATE ALL"))
        with pytest.raises(DBAPIError, match="does not exist"):
            READ.first(session, {"id": 1})
        session.rollback()
        assert READ.first(session, {"id": 1})[0] == 1  # the next transaction's
        assert len(prepared_here(session)) == 1


def test_a_database_error_is_psycopgs_own_class_and_nothing_is_kept(db: Database) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
    with pytest.raises(IntegrityError) as raised, db.transaction() as session:
        ADD.run(session, row(2, "p2"))
        ADD.run(session, row(3, "p1"))  # the name is taken
    assert isinstance(raised.value.orig, psycopg.errors.UniqueViolation)
    assert "pg_statements_probe_name_key" in str(raised.value)
    with db.read() as session:
        assert READ.first(session, {"id": 2}) is None


def test_a_connection_the_server_dropped_is_invalidated_and_replaced(db: Database) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
    with Session(db.engine) as session:
        assert READ.first(session, {"id": 1})[0] == 1
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        with db.engine.begin() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            READ.first(session, {"id": 1})
        assert raised.value.connection_invalidated
    with db.read() as session:  # a new connection, its statements prepared anew
        assert READ.first(session, {"id": 1})[0] == 1
        assert session.scalar(text("SELECT pg_backend_pid()")) != pid


def test_a_connection_opened_elsewhere_gets_psycopgs_preparing_turned_off(pg_url: str) -> None:
    engine = create_engine(pg_url)  # psycopg's default: it prepares after five runs
    PROBE.create(engine, checkfirst=True)
    try:
        with Session(engine) as session:
            for _ in range(8):
                session.execute(select(PROBE.c.id).where(PROBE.c.id == 7)).all()
            assert READ.first(session, {"id": 7}) is None
            driver = session.connection().connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            assert driver.prepare_threshold is None
            session.rollback()  # psycopg's DEALLOCATE ALL for its own, this once
            with pytest.raises(DBAPIError, match="does not exist"):
                READ.first(session, {"id": 7})
            session.rollback()
            for _ in range(8):
                session.execute(select(PROBE.c.id).where(PROBE.c.id == 7)).all()
                assert READ.first(session, {"id": 7}) is None
            session.rollback()
            assert READ.first(session, {"id": 7}) is None  # and never again
    finally:
        PROBE.drop(engine)
        engine.dispose()


def test_the_cursor_offers_what_prepared_statements_read(db: Database) -> None:
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
        cursor = session.info["amazon_jobs.prepared.bound"][2]
        assert isinstance(cursor, LibpqCursor)
        cursor.execute("SELECT id, name FROM pg_statements_probe WHERE id = $1", [1])
        assert cursor.description == [("id", 23), ("name", 1043)]
        assert cursor.fetchall() == [(1, "p1")]
        cursor.execute("UPDATE pg_statements_probe SET flag = $1", [False])
        assert cursor.rowcount == 1
        assert cursor.description is None
        with pytest.raises(psycopg.ProgrammingError, match="no rows"):
            cursor.fetchall()


def test_beyond_the_cap_statements_run_unnamed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_statements, "MAX_PREPARED", 0)
    db.engine.dispose()  # new connections, nothing prepared on them yet
    with db.transaction() as session:
        ADD.run(session, row(1, "p1"))
        assert READ.first(session, {"id": 1})[1] == "p1"
        assert RENAME.run(session, {"id": 1, "name": "p2"}) == 1
        assert prepared_here(session) == []
    with db.read() as session:
        assert READ.first(session, {"id": 1})[1] == "p2"


def test_many_runs_in_one_transaction_and_a_failure_keeps_none(db: Database) -> None:
    with db.transaction() as session:  # the batch begins the transaction itself
        ADD.many(session, [row(1, "p1"), row(2, "q2"), row(3, "p3")])
        assert [r[0] for r in SOME.rows(session)] == [1, 3]
    with pytest.raises(IntegrityError) as raised, db.transaction() as session:
        ADD.many(session, [row(4, "p4"), row(5, "p1"), row(6, "p6")])  # p1 is taken
    assert isinstance(raised.value.orig, psycopg.errors.UniqueViolation)
    with pytest.raises(RuntimeError), db.transaction() as session:
        ADD.many(session, [row(7, "p7"), row(8, "p8")])
        raise RuntimeError("roll back")
    with db.read() as session:
        ids = [r[0] for r in Prepared(select(PROBE.c.id).order_by(PROBE.c.id)).rows(session)]
        assert ids == [1, 2, 3]


def test_a_connection_dropped_under_a_batch_is_invalidated_and_replaced(db: Database) -> None:
    """The batch that begins the transaction meets a connection the server has closed
    meanwhile."""
    with db.engine.connect() as connection, Session(bind=connection) as session:
        ADD.many(session, [row(1, "p1"), row(2, "p2")])
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        session.commit()  # the connection stays this session's, idle
        with db.engine.begin() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            ADD.many(session, [row(3, "p3"), row(4, "p4")])
        assert raised.value.connection_invalidated
    with db.transaction() as session:
        ADD.many(session, [row(3, "p3"), row(4, "p4")])
    with db.read() as session:
        assert [r[0] for r in Prepared(select(PROBE.c.id)).rows(session)] == [1, 2, 3, 4]
