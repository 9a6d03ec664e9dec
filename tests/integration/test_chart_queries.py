"""The charts' grouped queries, on SQLite and PostgreSQL, against rows written at known times."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Limit, Operation
from amazon_jobs.store import charts
from amazon_jobs.store.models import Job, JobItem
from amazon_jobs.throttle import Throttle

HOUR = 3600
CF = Operation.CREATE_FEED


def add_job(
    runtime,
    account_id: int,
    created: datetime,
    status: JobStatus,
    job_type: JobType = JobType.UPDATE_QTY,
    took: timedelta | None = None,
    errors: tuple[str | None, ...] = (),
) -> int:
    finished = created + took if took is not None else None
    with runtime.db.transaction() as session:
        job = Job(
            account_id=account_id,
            type=job_type.value,
            status=status.value,
            priority=0,
            created_at=created,
            updated_at=finished or created,
            finished_at=finished,
            data={},
        )
        session.add(job)
        session.flush()
        for n, code in enumerate(errors):
            session.add(
                JobItem(
                    job_id=job.id,
                    ref=f"SKU-{n}",
                    prior={},
                    requested={},
                    outcome="error",
                    error_code=code,
                    error_message="failed",
                )
            )
        session.add(JobItem(job_id=job.id, ref="SKU-ok", prior={}, requested={}, outcome="ok"))
        return job.id


def hour_of(at: datetime) -> int:
    return int(at.timestamp() // HOUR)


def test_jobs_by_hour_and_status_in_the_window_only(runtime, account_id):
    now = runtime.clock.now()
    since = now - timedelta(hours=24)
    add_job(runtime, account_id, now - timedelta(minutes=10), JobStatus.DONE, took=timedelta(1))
    add_job(runtime, account_id, now - timedelta(minutes=5), JobStatus.DONE)
    add_job(runtime, account_id, now - timedelta(minutes=1), JobStatus.ERROR)
    add_job(runtime, account_id, now - timedelta(hours=5, seconds=1), JobStatus.CREATED)
    add_job(runtime, account_id, now - timedelta(hours=30), JobStatus.DONE)  # outside
    with runtime.db.read() as session:
        counts = charts.jobs_by_hour_status(session, since)
    assert counts == {
        (hour_of(now - timedelta(minutes=10)), "done"): 2,
        (hour_of(now - timedelta(minutes=1)), "error"): 1,
        (hour_of(now - timedelta(hours=5, seconds=1)), "created"): 1,
    }


def test_hour_buckets_split_at_the_hour(runtime, account_id):
    # T0 is 09:00:00 UTC: a job a second before is in the 08:00 bucket.
    now = runtime.clock.now()
    add_job(runtime, account_id, now - timedelta(seconds=1), JobStatus.DONE)
    add_job(runtime, account_id, now, JobStatus.DONE)
    add_job(runtime, account_id, now + timedelta(minutes=59, seconds=59), JobStatus.DONE)
    with runtime.db.read() as session:
        counts = charts.jobs_by_hour_status(session, now - timedelta(hours=2))
    assert counts == {(hour_of(now) - 1, "done"): 1, (hour_of(now), "done"): 2}
    assert charts.bucket_start(hour_of(now), HOUR) == now


def test_time_to_done_percentiles_per_type(runtime, account_id):
    now = runtime.clock.now()
    start = now - timedelta(hours=6)
    for minutes in range(1, 21):  # 1..20 minutes
        add_job(runtime, account_id, start, JobStatus.DONE, took=timedelta(minutes=minutes))
    add_job(runtime, account_id, start, JobStatus.DONE, JobType.STOP, timedelta(seconds=30))
    add_job(runtime, account_id, start, JobStatus.ERROR, JobType.STOP, timedelta(hours=2))
    add_job(runtime, account_id, start - timedelta(days=3), JobStatus.DONE, took=timedelta(1))
    with runtime.db.read() as session:
        found = charts.time_to_done(session, now - timedelta(hours=24))
    assert set(found) == {"update_qty", "stop"}
    qty = found["update_qty"]
    assert qty.count == 20
    assert qty.p50 == pytest.approx(10 * 60, abs=0.01)
    assert qty.p95 == pytest.approx(19 * 60, abs=0.01)
    assert found["stop"] == charts.Durations(
        1, pytest.approx(30, abs=0.01), pytest.approx(30, abs=0.01)
    )


def test_errors_by_code_per_bucket_of_the_job_finish(runtime, account_id):
    now = runtime.clock.now()
    early = now - timedelta(hours=3)
    add_job(
        runtime,
        account_id,
        early,
        JobStatus.DONE,
        took=timedelta(minutes=5),
        errors=("8541", "8541", None),
    )
    add_job(
        runtime,
        account_id,
        early,
        JobStatus.DONE,
        took=timedelta(hours=2, minutes=5),
        errors=("90220",),
    )
    add_job(
        runtime,
        account_id,
        early - timedelta(days=2),
        JobStatus.DONE,
        took=timedelta(0),
        errors=("OLD",),
    )
    add_job(runtime, account_id, early, JobStatus.PROCESSING, errors=("RUNNING",))
    with runtime.db.read() as session:
        counts = charts.errors_by_code(session, now - timedelta(hours=24), HOUR)
    assert counts == {
        (hour_of(early), "8541"): 2,
        (hour_of(early), charts.NO_CODE): 1,
        (hour_of(early) + 2, "90220"): 1,
    }


def test_quota_minutes_keep_calls_and_429s(runtime, account_id):
    throttle = Throttle({CF: Limit(2, 1 / 60)})
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        assert throttle.try_acquire(session, account_id, [CF], now) is None
        assert throttle.try_acquire(session, account_id, [CF], now) is None
        throttle.throttled(session, account_id, CF, now)
        assert throttle.hourly_use(session, account_id, now) == {"createFeed": 2}
    with runtime.db.read() as session:
        (bucket,) = charts.quota_minutes(session)
    minute = int(now.timestamp() // 60)
    assert (bucket.account, bucket.operation) == ("acct", "createFeed")
    assert bucket.grants == {minute: 2}
    assert bucket.throttled == {minute: 1}
