"""Liveness under crashes: every due job is claimed soon, whoever held it before.

:class:`LivenessMonitor` samples the jobs table from a thread while a fleet
runs. A job is *due and unclaimed* when its ``next_run_at`` has passed and no
live lease holds it (none, or one that has expired: its worker died). The
monitor measures how long each job stays so, in clock seconds, and reports a
violation when that exceeds :meth:`LivenessMonitor.bound_s`:

    bound = 3 leases + the clock's worth of ``REAL_SLACK_S`` real seconds

(a lease as the workers take it: ``lease_s``, but at least 2 real seconds,
:data:`~amazon_jobs.worker.MIN_LEASE_REAL_S`)

Why this bound: a dead worker's job becomes claimable when its lease runs
out (1 lease); a job due for longer than a lease is *starved* and claimed
before every fresher job, longest-waiting first (:func:`~amazon_jobs.store.
jobs.claim_due_jobs`; 1 lease), so what remains is the queue of starved jobs
ahead of it, each claimed once. That queue is work, not a stall: dozens of
jobs waiting for one token all come due at the same moment, and on a busy
2-core machine, with workers restarting after kills, they take up to a few
real seconds to pass through the fleet's slots. ``REAL_SLACK_S`` covers it
with room to spare; the stalls this guards against lasted hours. The
takeover delays themselves (from the "Taken over" log lines, which say how
long after the lease expired) are reported and held to the same bound.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.models import Job, JobLog
from amazon_jobs.worker import lease_seconds

__all__ = ["REAL_SLACK_S", "LivenessMonitor", "LivenessReport"]

#: Real seconds of slack in the bound (the queue of due jobs, restarts, claims).
REAL_SLACK_S = 15.0
#: Real seconds between two samples.
SAMPLE_EVERY_S = 0.2

_TAKEOVER = re.compile(r"Taken over by worker .*, ([0-9.]+) s ago\)")


@dataclass
class LivenessReport:
    bound_s: float
    lease_s: float
    samples: int = 0
    longest_unclaimed_s: float = 0.0
    takeovers: int = 0
    longest_takeover_s: float = 0.0
    violations: list[str] = field(default_factory=list)


class LivenessMonitor:
    """Watches a running fleet's jobs; see the module docstring."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        #: The workers' lease, as they compute it (``lease_s``, at least 2 real seconds).
        self.lease_s = lease_seconds(rt)
        self._stop = threading.Event()
        self._report = LivenessReport(bound_s=self.bound_s, lease_s=self.lease_s)
        self._worst: dict[int, float] = {}

    @property
    def bound_s(self) -> float:
        """Longest time, in clock seconds, a due job may stay unclaimed."""
        return 3 * self.lease_s + self.rt.clock.from_real(REAL_SLACK_S)

    def wait_for_the_fleet(self, timeout_s: float = 120.0) -> None:
        """Wait (real time) until a worker has claimed a first job: starting Python
        processes on a busy machine is not what the bound is about."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.rt.db.read() as session:
                started = session.scalar(
                    select(Job.id).where(
                        (Job.lease_owner.is_not(None)) | (Job.status != JobStatus.RESERVED.value)
                    )
                )
            if started is not None:
                return
            time.sleep(SAMPLE_EVERY_S)
        raise AssertionError(f"no worker claimed a job within {timeout_s} s")

    @contextmanager
    def running(self, *, after_first_claim: bool = True) -> Iterator[LivenessMonitor]:
        """Sample from a thread while the block runs (from the first claim on, unless
        the jobs only come once the fleet is up)."""
        if after_first_claim:
            self.wait_for_the_fleet()
        thread = threading.Thread(target=self._run, name="liveness", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            try:
                self._sample()
            except DBAPIError:  # a restart of the database: the next sample looks again
                self.rt.db.engine.dispose()

    def _sample(self) -> None:
        terminal = [s.value for s in JobStatus if s.is_terminal]
        now = self.rt.clock.now()
        with self.rt.db.read() as session:
            rows = session.execute(
                select(Job.id, Job.status, Job.next_run_at, Job.lease_expires_at).where(
                    Job.status.not_in(terminal), Job.next_run_at.is_not(None)
                )
            ).all()
        self._report.samples += 1
        for row in rows:
            age = _unclaimed_for(now, row.next_run_at, row.lease_expires_at)
            if age is None:
                continue
            self._report.longest_unclaimed_s = max(self._report.longest_unclaimed_s, age)
            if age > self.bound_s and age > self._worst.get(row.id, self.bound_s):
                if row.id not in self._worst:
                    self._report.violations.append(
                        f"job {row.id} ({row.status}) due and unclaimed for {age:.0f} clock s "
                        f"(bound {self.bound_s:.0f} s) at {now:%H:%M:%S}"
                    )
                self._worst[row.id] = age

    def report(self, rt: Runtime) -> LivenessReport:
        """The report so far, with the takeover delays read from the jobs' logs."""
        with rt.db.read() as session:
            lines = session.scalars(
                select(JobLog.message).where(JobLog.message.like("Taken over by worker %"))
            ).all()
        delays = [float(m.group(1)) for line in lines if (m := _TAKEOVER.search(line))]
        self._report.takeovers = len(delays)
        self._report.longest_takeover_s = max(delays, default=0.0)
        if self._report.longest_takeover_s > self.bound_s:
            self._report.violations.append(
                f"a takeover came {self._report.longest_takeover_s:.0f} clock s after the "
                f"lease expired (bound {self.bound_s:.0f} s)"
            )
        return self._report


def _unclaimed_for(
    now: datetime, next_run_at: datetime, lease_expires_at: datetime | None
) -> float | None:
    """Clock seconds a job has been due with no live lease, or None if it is not."""
    due_since = next_run_at
    if lease_expires_at is not None:
        if lease_expires_at >= now:
            return None  # a live worker holds it
        due_since = max(due_since, lease_expires_at)
    if due_since > now:
        return None
    return (now - due_since).total_seconds()
