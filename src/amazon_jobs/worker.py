"""The worker: claims due jobs and advances each by one step.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from amazon_jobs.runner import run_step
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import claim_due_jobs
from amazon_jobs.store.models import Job

__all__ = ["Worker", "WorkerStats", "new_worker_id"]

logger = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class WorkerStats:
    steps: int = 0
    idle_waits: int = 0


class Worker:
    """Runs job steps until told to stop (or, with ``until_idle``, until none is left)."""

    def __init__(
        self,
        rt: Runtime,
        *,
        worker_id: str | None = None,
        concurrency: int = 1,
        idle_poll_s: float = 1.0,
    ) -> None:
        self.rt = rt
        self.worker_id = worker_id or new_worker_id()
        self.concurrency = max(1, concurrency)
        self.idle_poll_s = idle_poll_s
        self.stats = WorkerStats()
        self._pool = ThreadPoolExecutor(self.concurrency) if self.concurrency > 1 else None

    def run(self, *, until_idle: bool = False, stop: threading.Event | None = None) -> WorkerStats:
        stop = stop or threading.Event()
        try:
            while not stop.is_set():
                if self.run_once():
                    continue
                wake_at = self._next_wake()
                if wake_at is None and until_idle:
                    break
                self.stats.idle_waits += 1
                self.rt.clock.sleep_until(self._cap_wait(wake_at, until_idle), stop)
        finally:
            if self._pool:
                self._pool.shutdown(wait=True)
        return self.stats

    def run_once(self) -> int:
        """Claim the due jobs (up to the concurrency) and step each once."""
        now = self.rt.clock.now()
        lease_until = now + timedelta(seconds=self.rt.settings.lease_s)
        with self.rt.db.transaction() as session:
            job_ids = claim_due_jobs(session, self.worker_id, now, lease_until, self.concurrency)
        if self._pool and len(job_ids) > 1:
            list(self._pool.map(self._step, job_ids))
        else:
            for job_id in job_ids:
                self._step(job_id)
        self.stats.steps += len(job_ids)
        return len(job_ids)

    def _step(self, job_id: int) -> None:
        run_step(self.rt, job_id, self.worker_id)

    def _next_wake(self) -> datetime | None:
        """When the earliest unfinished job can be claimed (its lease ended, if any)."""
        actionable = case(
            (Job.lease_expires_at > Job.next_run_at, Job.lease_expires_at),
            else_=Job.next_run_at,
        )
        with self.rt.db.read() as session:
            wake_at: datetime | None = session.scalar(
                select(func.min(actionable)).where(Job.next_run_at.is_not(None))
            )
        return wake_at

    def _cap_wait(self, wake_at: datetime | None, until_idle: bool) -> datetime:
        """Sleep to the next due job, but look for new jobs every ``idle_poll_s``."""
        poll_at = self.rt.clock.now() + timedelta(seconds=self.idle_poll_s)
        if wake_at is None:
            return poll_at
        return wake_at if until_idle else min(wake_at, poll_at)
