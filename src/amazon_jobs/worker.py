"""The worker: claims due jobs and advances each by one step.

- Up to ``concurrency`` steps run at once, each on its own claimed job; as
  soon as one finishes, its thread claims the next due job and steps it.
- A claimed job carries the worker's id and a lease, renewed by a heartbeat
  thread while its step runs; if the worker dies, the job is claimed again
  once the lease has expired (and the job's log says so).
- When the database is unreachable (restart, network), the worker logs it,
  waits and reconnects instead of dying.
- ``stop`` (set on SIGTERM) lets the running steps finish, then returns.

Every wait goes through the clock: on a virtual clock an idle worker jumps
straight to the next due job, so a whole lifecycle of Amazon waits runs in
milliseconds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import DBAPIError

from amazon_jobs.runner import run_step
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import account_runs_jobs, claim_due_jobs, step_snapshot
from amazon_jobs.store.models import Account, Job
from amazon_jobs.store.wakeups import listener_for

__all__ = ["MIN_LEASE_REAL_S", "Worker", "WorkerStats", "lease_seconds", "new_worker_id"]

logger = logging.getLogger(__name__)

#: Real seconds between looks for new jobs while idle: a new job waits at most this.
IDLE_POLL_S = 0.1
#: Longest wait, in clock seconds, between attempts to reach a database that is down.
RECONNECT_MAX_S = 10.0
#: Shortest lease in real seconds, whatever ``lease_s`` and the clock's speed: a lease
#: the heartbeat cannot renew in time on a busy machine is lost by a live worker,
#: and its steps would be cut short again and again.
MIN_LEASE_REAL_S = 2.0


def lease_seconds(rt: Runtime) -> float:
    """A worker's lease on a job, in clock seconds: ``lease_s``, but never shorter than
    :data:`MIN_LEASE_REAL_S` of real time (on a virtual clock, ``lease_s``)."""
    return max(rt.settings.lease_s, rt.clock.from_real(MIN_LEASE_REAL_S))


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job the worker claimed: its type, and it with its account as the claim read them."""

    job_type: str
    snapshot: tuple[Job, Account] | None


@dataclass
class WorkerStats:
    steps: int = 0
    idle_waits: int = 0
    #: Idle waits ended by a notification of a new job (PostgreSQL).
    wakeups: int = 0
    database_errors: int = 0


class Worker:
    """Runs job steps until told to stop (or, with ``until_idle``, until none is left)."""

    def __init__(
        self,
        rt: Runtime,
        *,
        worker_id: str | None = None,
        concurrency: int = 1,
        idle_poll_s: float = IDLE_POLL_S,
    ) -> None:
        self.rt = rt
        self.worker_id = worker_id or new_worker_id()
        self.concurrency = max(1, concurrency)
        #: Real seconds between looks for new jobs while idle.
        self.idle_poll_s = idle_poll_s
        #: A job due for longer than this (a lease) is claimed before fresher ones,
        #: whatever its priority (see :func:`claim_due_jobs`).
        self.lease_s = lease_seconds(rt)
        self.starved_after = timedelta(seconds=self.lease_s)
        self.stats = WorkerStats()
        self._running: set[int] = set()
        #: Jobs whose steps ended, their leases still held: given up in the next claim.
        self._ended: list[int] = []
        self._lock = threading.Lock()
        #: PostgreSQL's notifications of new jobs while idle (None: SQLite, or a virtual
        #: clock, on which an idle worker jumps to the next due job without waiting).
        self._wakeups = listener_for(rt.db.engine) if rt.clock.from_real(1.0) > 0 else None

    # The loop

    def run(self, *, until_idle: bool = False, stop: threading.Event | None = None) -> WorkerStats:
        stop = stop or threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(stop,), daemon=True)
        heartbeat.start()
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="step")
        in_flight: dict[Future[None], int] = {}
        try:
            self._loop(pool, in_flight, until_idle, stop)
        finally:
            wait(in_flight)
            pool.shutdown(wait=True)
            self._release_ended()
            if self._wakeups is not None:
                self._wakeups.close()
            stop.set()
            heartbeat.join(timeout=5)
        return self.stats

    def _loop(
        self,
        pool: ThreadPoolExecutor,
        in_flight: dict[Future[None], int],
        until_idle: bool,
        stop: threading.Event,
    ) -> None:
        failures = 0
        while not stop.is_set():
            try:
                claimed = self._claim(self.concurrency - len(in_flight))
                failures = 0
            except DBAPIError as exc:
                failures += 1
                self._database_down(exc, failures, stop)
                continue
            for job_id, claim in claimed.items():
                in_flight[pool.submit(self._chain, job_id, claim, stop)] = job_id
            if in_flight:
                self._collect(in_flight)
                continue
            if not self._idle(until_idle, stop):
                return

    def _collect(self, in_flight: dict[Future[None], int]) -> None:
        """Wait for at least one running step; account for the finished ones."""
        done, _ = wait(in_flight, timeout=self.idle_poll_s, return_when=FIRST_COMPLETED)
        for future in done:
            in_flight.pop(future)
            exc = future.exception()
            if isinstance(exc, DBAPIError):
                self.stats.database_errors += 1
                logger.warning("database error during a step: %s", _first_line(exc))
            elif exc is not None:
                logger.error("step failed outside the job's error handling", exc_info=exc)

    def _idle(self, until_idle: bool, stop: threading.Event) -> bool:
        """Wait for the next due job; False when there is nothing left (until_idle)."""
        try:
            wake_at = self._next_wake()
        except DBAPIError as exc:
            self._database_down(exc, 1, stop)
            return True
        if wake_at is None and until_idle:
            return False
        self.stats.idle_waits += 1
        until = self._cap_wait(wake_at, until_idle)
        if self._wakeups is not None and not stop.is_set():
            # a new job wakes the worker at once (at most idle_poll_s, as below)
            left = self.rt.clock.real_seconds((until - self.rt.clock.now()).total_seconds())
            woken = self._wakeups.wait(left)
            if woken is not None:
                self.stats.wakeups += woken
                return True
        self.rt.clock.sleep_until(until, stop)
        return True

    def run_once(self) -> int:
        """Claim the due jobs (up to the concurrency), step each once, and return."""
        claimed = self._claim(self.concurrency)
        if self.concurrency > 1 and len(claimed) > 1:
            with ThreadPoolExecutor(len(claimed)) as pool:
                list(pool.map(self._step, claimed, claimed.values()))
        else:
            for job_id, claim in claimed.items():
                self._step(job_id, claim)
        self.stats.steps += len(claimed)
        return len(claimed)

    # One step

    def _claim(self, slots: int) -> dict[int, Claimed]:
        """Claim up to *slots* due jobs, giving up the leases of the steps that ended
        in the same transaction (one transaction per step for both), and read each
        claimed job with its account there (its step does not read them again)."""
        with self._lock:
            ended = list(self._ended)
        if slots <= 0 and not ended:
            return {}
        now = self.rt.clock.now()
        lease_until = now + timedelta(seconds=self.lease_s)
        with self.rt.db.transaction() as session:
            claimed = claim_due_jobs(
                session,
                self.worker_id,
                now,
                lease_until,
                slots,
                starved_after=self.starved_after,
                release=ended,
            )
            found = {
                job_id: Claimed(job_type, step_snapshot(session, job_id))
                for job_id, job_type in claimed.items()
            }
        with self._lock:
            del self._ended[: len(ended)]
        return found

    def _release_ended(self) -> None:
        """Give up the leases of the steps that ended (as the worker stops)."""
        try:
            self._claim(0)
        except DBAPIError as exc:  # their leases run out by themselves
            logger.warning("could not release leases: %s", _first_line(exc))

    def _chain(self, job_id: int, claim: Claimed, stop: threading.Event) -> None:
        """Step *job_id*, then, on this thread, the next due job, for as long as there is
        one. A slot whose step ended is filled at once, without handing over to the loop's
        thread and back: two thread switches less per step, each of which costs a turn of
        the GIL. The loop takes over again when the queue is empty, to wait."""
        while True:
            self._step(job_id, claim, False)
            with self._lock:
                self.stats.steps += 1
            if stop.is_set():
                return
            claimed = self._claim(1)
            if not claimed:
                return
            ((job_id, claim),) = claimed.items()

    def _step(self, job_id: int, claim: Claimed, release_lease: bool = True) -> None:
        """One step; without *release_lease*, the lease is given up by the next claim."""
        with self._lock:
            self._running.add(job_id)
        try:
            run_step(
                self.rt,
                job_id,
                self.worker_id,
                claim.job_type,
                release_lease=release_lease,
                snapshot=claim.snapshot,
            )
        finally:
            with self._lock:
                self._running.discard(job_id)
                if not release_lease:
                    self._ended.append(job_id)

    # Leases

    def _heartbeat(self, stop: threading.Event) -> None:
        """Renew the leases of the jobs whose steps are running, a third of a lease apart."""
        interval = self.rt.clock.real_seconds(self.lease_s / 3)
        while not stop.wait(interval):
            with self._lock:
                running = sorted(self._running)
            if running:
                try:
                    self._renew(running)
                except DBAPIError as exc:
                    logger.warning("could not renew leases: %s", _first_line(exc))

    def _renew(self, job_ids: list[int]) -> None:
        until = self.rt.clock.now() + timedelta(seconds=self.lease_s)
        with self.rt.db.transaction() as session:
            session.execute(
                update(Job)
                .where(Job.id.in_(job_ids), Job.lease_owner == self.worker_id)
                .values(lease_expires_at=until)
            )

    # Waiting

    def _database_down(self, exc: DBAPIError, failures: int, stop: threading.Event) -> None:
        self.stats.database_errors += 1
        delay = min(RECONNECT_MAX_S, 0.5 * 2 ** min(failures, 5))
        logger.warning("database unreachable (%s); retrying in %.1f s", _first_line(exc), delay)
        self.rt.db.engine.dispose()
        self.rt.clock.sleep(delay, stop)

    def _next_wake(self) -> datetime | None:
        """When the earliest unfinished job can be claimed (its lease ended, if any);
        the jobs of a paused or disabled account wait, so they are left out."""
        actionable = case(
            (Job.lease_expires_at > Job.next_run_at, Job.lease_expires_at),
            else_=Job.next_run_at,
        )
        with self.rt.db.read() as session:
            wake_at: datetime | None = session.scalar(
                select(func.min(actionable)).where(
                    Job.next_run_at.is_not(None), account_runs_jobs()
                )
            )
        return wake_at

    def _cap_wait(self, wake_at: datetime | None, until_idle: bool) -> datetime:
        """Sleep to the next due job, but look again every ``idle_poll_s`` (real): for
        new jobs, and for jobs another worker releases before its lease ends.

        On a virtual clock, where no time passes by itself, an idle worker with
        nothing due looks again one clock second later, and one draining the
        queue (``until_idle``) jumps straight to the next due job.
        """
        poll_s = self.rt.clock.from_real(self.idle_poll_s)
        poll_at = self.rt.clock.now() + timedelta(seconds=poll_s or 1.0)
        if wake_at is None:
            return poll_at
        return wake_at if until_idle and not poll_s else min(wake_at, poll_at)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
