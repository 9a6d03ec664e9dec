"""Running one step of one job, with the one policy for what goes wrong.

- 429 from Amazon: our bucket is emptied and the step waits for the refill;
  this does not count as a failed attempt.
- 5xx, timeouts, unreadable documents, our own unexpected errors: retried
  with exponential backoff through the clock, up to ``max_attempts``; then
  the job fails (or, if nothing was sent yet, is rolled back and canceled).
- Refused credentials or a request Amazon calls invalid: the job fails now,
  since repeating it cannot help.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from amazon_jobs.domain.backoff import retry_delay
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import (
    AmazonAuthError,
    AmazonClientError,
    AmazonError,
    AmazonJobsError,
    AmazonThrottled,
)
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.base import Handler
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import log_buffer
from amazon_jobs.store.jobs import append_log, get_job, lock_job, release

__all__ = ["run_step"]

logger = logging.getLogger(__name__)


def run_step(rt: Runtime, job_id: int, worker_id: str, job_type: str | None = None) -> None:
    """Advance *job_id* (of *job_type*, read if not given) by one step and release
    the worker's lease on it. The step's call log lines are written with its
    records (see :mod:`amazon_jobs.store.log_buffer`), at the latest as the lease
    is released."""
    if job_type is None:
        with rt.db.read() as session:
            job_type = get_job(session, job_id).type
    handler = handler_for(job_type)
    with log_buffer.deferred_logs():
        _run(rt, handler, job_id, worker_id)


def _run(rt: Runtime, handler: Handler, job_id: int, worker_id: str) -> None:
    try:
        handler.step(rt, job_id)
    except AmazonThrottled as exc:
        _throttled(rt, job_id, exc)
    except (AmazonAuthError, AmazonClientError) as exc:
        _fail(rt, handler, job_id, exc.message)
    except AmazonError as exc:
        _retry(rt, handler, job_id, exc.message)
    except AmazonJobsError as exc:
        _fail(rt, handler, job_id, exc.message)
    except Exception as exc:
        logger.exception("job %s: unexpected error", job_id, extra={"action": "step_failed"})
        _retry(rt, handler, job_id, f"internal error {type(exc).__name__}: {exc}")
    finally:
        with rt.db.transaction() as session:
            release(session, job_id, worker_id)


def _throttled(rt: Runtime, job_id: int, exc: AmazonThrottled) -> None:
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if JobStatus(job.status).is_terminal:
            return
        try:
            operation = Operation(exc.operation or "")
        except ValueError:
            retry_at = now + timedelta(seconds=60)
        else:
            retry_at = rt.throttle.throttled(session, job.account_id, operation, now)
        job.next_run_at = retry_at
        append_log(
            session,
            job_id,
            now,
            f"Amazon throttled {exc.operation} (429) although our bucket allowed it; "
            f"retrying at {retry_at:%H:%M:%S} UTC",
            level="warning",
            request_id=exc.request_id,
        )


def _retry(rt: Runtime, handler: Handler, job_id: int, reason: str) -> None:
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if JobStatus(job.status).is_terminal:
            return
        job.attempts += 1
        if job.attempts >= rt.settings.max_attempts:
            handler.fail(session, job, now, f"{reason} (gave up after {job.attempts} attempts)")
            return
        delay = retry_delay(job.attempts, rt.rng)
        job.next_run_at = now + timedelta(seconds=delay)
        append_log(
            session,
            job_id,
            now,
            f"{reason}; attempt {job.attempts} of {rt.settings.max_attempts} failed, "
            f"retrying in {delay:.0f} s",
            level="warning",
        )


def _fail(rt: Runtime, handler: Handler, job_id: int, reason: str) -> None:
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if not JobStatus(job.status).is_terminal:
            handler.fail(session, job, now, reason)
