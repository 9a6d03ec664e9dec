"""Running one step of one job, with the one policy for what goes wrong.

- 429 from Amazon: our bucket is emptied and the step waits for the refill;
  this does not count as a failed attempt.
- 5xx, timeouts, unreadable documents, a shop that does not answer
  (:class:`~amazon_jobs.shop.webservice.ShopUnavailable`), our own unexpected errors: retried
  with exponential backoff through the clock, up to ``max_attempts``; then
  the job fails (or, if nothing was sent yet, is rolled back and canceled).
- Refused credentials or a request Amazon calls invalid: the job fails now,
  since repeating it cannot help. Refused logins are counted per account:
  ``auth_failures_before_pause`` in a row pause it, so credentials Amazon keeps
  refusing stop failing job after job (see :mod:`amazon_jobs.domain.account_status`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from amazon_jobs.domain.account_status import paused_line
from amazon_jobs.domain.backoff import retry_delay
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import (
    AmazonAuthError,
    AmazonClientError,
    AmazonError,
    AmazonJobsError,
    AmazonThrottled,
    LeaseLost,
)
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.base import Handler
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop.webservice import ShopUnavailable
from amazon_jobs.store import log_buffer
from amazon_jobs.store.account_status import login_refused
from amazon_jobs.store.jobs import (
    append_log,
    get_job,
    handing_over,
    holding,
    lock_job,
    release,
)
from amazon_jobs.store.models import Account, Job

__all__ = ["run_step"]

logger = logging.getLogger(__name__)


def run_step(
    rt: Runtime,
    job_id: int,
    worker_id: str,
    job_type: str | None = None,
    *,
    release_lease: bool = True,
    snapshot: tuple[Job, Account] | None = None,
) -> None:
    """Advance *job_id* (of *job_type*, read if not given) by one step and release
    the worker's lease on it. The step's call log lines are written with its
    records (see :mod:`amazon_jobs.store.log_buffer`), at the latest as the step ends.

    ``release_lease=False`` leaves the lease to the caller, which gives it up in
    its next claim's transaction (:class:`~amazon_jobs.worker.Worker`), and *snapshot* is
    the job and its account as that claim read them (the step does not read them again)."""
    if job_type is None:
        with rt.db.read() as session:
            job_type = get_job(session, job_id).type
    handler = handler_for(job_type)
    with log_buffer.deferred_logs(), handing_over(snapshot):
        _run(rt, handler, job_id, worker_id, release_lease)


def _run(rt: Runtime, handler: Handler, job_id: int, worker_id: str, release_lease: bool) -> None:
    try:
        with holding(worker_id):
            _step(rt, handler, job_id)
    except LeaseLost as lost:
        logger.warning("%s", lost, extra={"action": "lease_lost", "job_id": job_id})
    finally:
        if release_lease or log_buffer.pending():
            with rt.db.transaction() as session:  # writes the lines still pending
                if release_lease:
                    release(session, job_id, worker_id)


def _step(rt: Runtime, handler: Handler, job_id: int) -> None:
    """The step, and what its outcome does to the job (all fenced by the lease)."""
    try:
        handler.step(rt, job_id)
    except LeaseLost:
        raise
    except AmazonThrottled as exc:
        _throttled(rt, job_id, exc)
    except AmazonAuthError as exc:
        _fail(rt, handler, job_id, exc.message, refused_login=exc.refusal)
    except AmazonClientError as exc:
        _fail(rt, handler, job_id, exc.message)
    except (AmazonError, ShopUnavailable) as exc:  # a shop's progress so far is kept
        _retry(rt, handler, job_id, exc.message)
    except AmazonJobsError as exc:
        _fail(rt, handler, job_id, exc.message)
    except Exception as exc:
        logger.exception("job %s: unexpected error", job_id, extra={"action": "step_failed"})
        _retry(rt, handler, job_id, f"internal error {type(exc).__name__}: {exc}")


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


def _fail(
    rt: Runtime, handler: Handler, job_id: int, reason: str, *, refused_login: str | None = None
) -> None:
    """End the job; a *refused_login* (what Login with Amazon said) is counted against
    the account in the same transaction, and may pause it."""
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        if not JobStatus(job.status).is_terminal:
            handler.fail(session, job, now, reason)
        if refused_login is None:
            return
        pause_after = rt.settings.auth_failures_before_pause
        paused = login_refused(session, job.account_id, now, pause_after, refused_login)
        if paused is not None:
            append_log(
                session, job_id, now, paused_line(paused.name, paused.auth_failures), level="error"
            )
