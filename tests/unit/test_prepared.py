"""Prepared statements, job writes and snapshots: the ORM's results, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, create_engine, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from amazon_jobs.crypto import Cipher, generate_key
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import ConfigError
from amazon_jobs.store.jobs import create_job, lock_job
from amazon_jobs.store.models import Job, JobLog
from amazon_jobs.store.prepared import Prepared, constants
from amazon_jobs.store.snapshots import Snapshot

JOB_ID = bindparam("job_id", type_=Job.id.type)
READ_JOB = Prepared(select(Job.id, Job.created_at, Job.data, Job.status).where(Job.id == JOB_ID))
SET_DATA = Prepared(
    update(Job)
    .where(Job.id == JOB_ID)
    .values(data=bindparam("data", type_=Job.data.type), next_run_at=bindparam("at"))
)


def new_job(runtime, account_id, **data):
    with runtime.db.transaction() as session:
        job = create_job(session, account_id, JobType.UPDATE_QTY, runtime.clock.now(), data=data)
        return job.id


def test_rows_come_back_as_the_orm_reads_them(runtime, account_id):
    job_id = new_job(runtime, account_id, phase="built", n=3)
    with runtime.db.read() as session:
        (row,) = READ_JOB.rows(session, {"job_id": job_id})
        orm = session.get(Job, job_id)
        assert orm is not None
        assert row == (orm.id, orm.created_at, orm.data, orm.status)
    assert row[1].tzinfo is not None  # aware, like the ORM's
    assert row[2] == {"phase": "built", "n": 3}


def test_parameters_go_through_their_types(runtime, account_id):
    job_id = new_job(runtime, account_id)
    later = runtime.clock.now() + timedelta(hours=1)
    with runtime.db.transaction() as session:
        changed = SET_DATA.run(session, {"job_id": job_id, "data": {"a": [1, 2]}, "at": later})
    assert changed == 1
    with runtime.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.data == {"a": [1, 2]}
        assert job.next_run_at == later


def test_many_named_scalar_and_constants(runtime, account_id):
    ids = [new_job(runtime, account_id) for _ in range(3)]
    with runtime.db.transaction() as session:
        SET_DATA.many(
            session,
            [{"job_id": i, "data": {"i": i}, "at": runtime.clock.now()} for i in ids],
        )
    waiting = Prepared(
        select(Job.id, Job.data)
        .where(Job.status.in_(constants(["reserved", "created"], Job.status.type)))
        .order_by(Job.id)
    )
    with runtime.db.read() as session:
        rows = waiting.named(session)
        assert [(r.id, r.data) for r in rows] == [(i, {"i": i}) for i in ids]
        assert READ_JOB.scalar(session, {"job_id": ids[0]}) == ids[0]
        assert READ_JOB.first(session, {"job_id": -1}) is None


def test_an_expanding_in_is_refused(runtime):
    listed = Prepared(select(Job.id).where(Job.id.in_(bindparam("ids", expanding=True))))
    with runtime.db.read() as session, pytest.raises(ValueError, match="expanding IN"):
        listed.rows(session, {"ids": [1]})


def test_a_missing_parameter_is_named(runtime, account_id):
    with runtime.db.read() as session, pytest.raises(KeyError, match="job_id"):
        READ_JOB.rows(session, {})


def test_a_driver_error_is_sqlalchemys_and_nothing_is_kept(runtime, account_id):
    job_id = new_job(runtime, account_id)
    line = Prepared(
        insert(JobLog).values(
            job_id=bindparam("job_id", type_=JobLog.job_id.type),
            at=bindparam("at", type_=JobLog.at.type),
            level="info",
            message=bindparam("message"),
        )
    )
    with pytest.raises(IntegrityError), runtime.db.transaction() as session:
        line.run(session, {"job_id": job_id, "at": runtime.clock.now(), "message": "kept?"})
        line.run(session, {"job_id": -5, "at": runtime.clock.now(), "message": "no job"})
    assert issubclass(IntegrityError, DBAPIError)
    with runtime.db.read() as session:
        assert session.scalars(select(JobLog).where(JobLog.job_id == job_id)).all() == []


def test_a_session_used_for_several_transactions_runs_each_in_its_own(runtime, account_id):
    """The connection a session's statements run on is looked up once per transaction:
    each statement runs in the session's transaction of its time, so a rollback undoes
    it and a commit keeps it, however many transactions the session went through. (No
    pool: each transaction has a connection of its own, and the last one is closed.)"""
    job_id = new_job(runtime, account_id)
    later = runtime.clock.now() + timedelta(hours=1)
    engine = create_engine(runtime.db.url, poolclass=NullPool)

    def data(session):
        return READ_JOB.first(session, {"job_id": job_id})[2]

    with Session(engine) as session:
        for attempt in (1, 2):
            session.execute(select(1))  # the transaction begun by the ORM, not a statement
            SET_DATA.run(session, {"job_id": job_id, "data": {"try": attempt}, "at": later})
            assert data(session) == {"try": attempt}
            session.rollback()
            assert data(session) == {}
            session.rollback()
        session.execute(select(1))
        SET_DATA.run(session, {"job_id": job_id, "data": {"try": 3}, "at": later})
        session.commit()
    engine.dispose()
    with runtime.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.data == {"try": 3}


def test_a_changed_job_is_written_by_the_commit(runtime, account_id):
    job_id = new_job(runtime, account_id)
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        job = lock_job(session, job_id)
        assert object_session(job) is session
        job.status = JobStatus.CREATED.value
        job.data = {**job.data, "phase": "x"}
        job.updated_at = now + timedelta(seconds=1)
    with runtime.db.read() as session:
        stored = session.get(Job, job_id)
        assert stored is not None
        assert (stored.status, stored.data, stored.updated_at) == (
            "created",
            {"phase": "x"},
            now + timedelta(seconds=1),
        )


def test_locking_twice_in_a_transaction_gives_the_same_job_with_its_changes(runtime, account_id):
    job_id = new_job(runtime, account_id)
    with runtime.db.transaction() as session:
        first = lock_job(session, job_id)
        first.priority = 99
        again = lock_job(session, job_id)
        assert again is first
        assert again.priority == 99
    with runtime.db.read() as session:
        assert session.scalar(select(Job.priority).where(Job.id == job_id)) == 99


def test_a_job_whose_row_is_gone_is_not_silently_lost(runtime, account_id):
    job_id = new_job(runtime, account_id)
    with pytest.raises(StaleDataError), runtime.db.transaction() as session:
        job = lock_job(session, job_id)
        # behind the session's back (Core): the session still holds the job
        session.connection().execute(delete(Job.__table__).where(Job.__table__.c.id == job_id))
        job.priority = 7
    with runtime.db.read() as session:  # rolled back: the job is still there
        assert session.get(Job, job_id) is not None


def test_a_snapshot_is_a_clean_object_of_the_model(runtime, account_id):
    job_id = new_job(runtime, account_id, k=1)
    snapshot = Snapshot(Job)
    with runtime.db.read() as session:
        row = Prepared(select(*snapshot.columns).where(Job.id == JOB_ID)).first(
            session, {"job_id": job_id}
        )
        orm = session.get(Job, job_id)
    assert row is not None and orm is not None
    job = snapshot.build(row)
    assert isinstance(job, Job)
    assert object_session(job) is None
    for column in snapshot.columns:
        key = column.key
        assert getattr(job, key) == getattr(orm, key), key


def test_decrypted_values_are_kept_per_cipher():
    cipher = Cipher(generate_key())
    token = cipher.encrypt("refresh-token")
    assert cipher.decrypt(token).get_secret_value() == "refresh-token"
    assert cipher.decrypt(token) is cipher.decrypt(token)
    with pytest.raises(ConfigError):
        Cipher(generate_key()).decrypt(token)
