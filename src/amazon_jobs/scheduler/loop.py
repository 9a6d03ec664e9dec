"""The scheduler loop: hold the leader lease, tick every ``scheduler_interval_s``.

Any number of processes may run a scheduler; the one holding the
``scheduler`` lease acts, the others tick idle and take over when it stops
(its lease is released) or dies (its lease expires, ``LEASE_TTL_INTERVALS``
intervals after its last renewal). The lease is renewed at the start of each
tick and, between accounts, once a ``RENEW_FRACTION`` of it has passed, so a long
tick keeps it (until then nobody else can hold it: it has not expired, and only
its owner gives it up). Only active accounts get jobs: a paused or disabled one
is skipped until it is active again.

Between two ticks the scheduler pauses at least ``MIN_PAUSE_REAL_S`` of real time. On
a clock far faster than the wall's (the demo's 600x: an interval of a tenth of a
second) a tick takes longer than its interval, and ticking back to back kept a core
busy; on the wall clock a tick that long is one of tens of thousands of accounts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler import periodic, shop_sync, sync
from amazon_jobs.scheduler.retention import prune_jobs
from amazon_jobs.scheduler.shop_jobs import create_shop_jobs
from amazon_jobs.scheduler.verify import verification_tick
from amazon_jobs.scheduler.watchdog import flag_stuck_jobs
from amazon_jobs.store import leases
from amazon_jobs.store.accounts import usable_accounts
from amazon_jobs.store.users import prune_sessions

__all__ = ["LEASE_NAME", "LEASE_TTL_INTERVALS", "Scheduler", "TickReport"]

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
#: The lease outlives this many missed ticks before another process takes over.
LEASE_TTL_INTERVALS = 3
MIN_LEASE_TTL_S = 30.0
#: Between accounts, the lease is renewed once this share of it has passed (not for
#: each account: a renewal is a write transaction).
RENEW_FRACTION = 1 / 3
#: Real seconds the scheduler rests between ticks, however fast its clock runs.
MIN_PAUSE_REAL_S = 0.5

T = TypeVar("T")


@dataclass
class TickReport:
    """What one tick did, for logs and tests."""

    at: datetime
    #: Whether this scheduler held the lease; a tick without it does nothing.
    leader: bool
    #: Ids of the jobs created, by type.
    created: dict[JobType, list[int]] = field(default_factory=dict)
    #: Accounts whose sync waits for an update job not sent yet.
    sync_deferred: list[int] = field(default_factory=list)
    #: Listings added to sync jobs not sent yet, by job id.
    topped_up: dict[int, int] = field(default_factory=dict)
    #: Jobs flagged stuck by the watchdog.
    stuck: list[int] = field(default_factory=list)
    #: Jobs deleted by retention.
    pruned: int = 0
    #: What failed (the rest of the tick went on).
    errors: list[str] = field(default_factory=list)

    def jobs(self, job_type: JobType) -> list[int]:
        return self.created.get(job_type, [])

    @property
    def acted(self) -> bool:
        return bool(self.created or self.topped_up or self.stuck or self.pruned or self.errors)

    def __str__(self) -> str:
        if not self.leader:
            return "not the leader: idle"
        parts = [f"{t.label}: {len(ids)} job(s) {ids}" for t, ids in self.created.items()]
        for job_id, count in self.topped_up.items():
            parts.append(f"{count} changed listing(s) added to job {job_id}")
        if self.sync_deferred:
            parts.append(f"sync deferred for account(s) {self.sync_deferred}")
        if self.stuck:
            parts.append(f"stuck: jobs {self.stuck}")
        if self.pruned:
            parts.append(f"pruned {self.pruned} job(s)")
        parts += [f"error: {e}" for e in self.errors]
        return "; ".join(parts) or "nothing to do"


class Scheduler:
    """Creates jobs on its own while it holds the scheduler lease."""

    def __init__(self, rt: Runtime, owner: str) -> None:
        self.rt = rt
        self.owner = owner
        interval = rt.settings.scheduler_interval_s
        self.lease_ttl = timedelta(seconds=max(LEASE_TTL_INTERVALS * interval, MIN_LEASE_TTL_S))
        #: When this scheduler last took or renewed the lease (None: it does not hold it).
        self._held_at: datetime | None = None

    def run(self, stop: threading.Event) -> None:
        """Tick every ``scheduler_interval_s`` (resting at least ``MIN_PAUSE_REAL_S`` of
        real time between ticks) until *stop* is set; then let the lease go."""
        interval = self.rt.settings.scheduler_interval_s
        rest = self.rt.clock.from_real(MIN_PAUSE_REAL_S)  # 0 on a virtual clock
        try:
            while not stop.is_set():
                started = self.rt.clock.now()
                try:
                    report = self.tick()
                except Exception:
                    logger.exception("scheduler tick failed", extra={"action": "tick_failed"})
                else:
                    if report.acted:
                        logger.info("scheduler: %s", report, extra={"action": "tick"})
                elapsed = (self.rt.clock.now() - started).total_seconds()
                if not self.rt.clock.sleep(max(rest, interval - elapsed), stop):
                    break
        finally:
            self.release()

    def tick(self) -> TickReport:
        """One pass over every account, if this scheduler holds (or takes) the lease."""
        now = self.rt.clock.now()
        report = TickReport(at=now, leader=self._hold())
        if not report.leader:
            return report
        with self.rt.db.read() as session:
            # A paused, disabled or deleted account gets no job of any kind.
            account_ids = [account.id for account in usable_accounts(session)]
        for account_id in account_ids:
            if not self._still_hold():
                report.errors.append("lost the scheduler lease: tick cut short")
                return report
            self._account(account_id, report)
        for shop_id in (
            self._guard(report, "shops", lambda: shop_sync.active_shop_ids(self.rt)) or []
        ):
            created = self._guard(
                report,
                f"shop {shop_id}: {JobType.SHOP_CATALOG_SYNC.label}",
                partial(shop_sync.create_due_catalog_sync, self.rt, shop_id),
            )
            self._add(report, JobType.SHOP_CATALOG_SYNC, created)
        report.stuck = self._guard(report, "watchdog", lambda: flag_stuck_jobs(self.rt, now)) or []
        report.pruned = self._guard(report, "retention", self._prune) or 0
        self._guard(report, "expired logins", self._prune_sessions)
        return report

    def release(self) -> None:
        """Give up the lease (if held), so another scheduler takes over at once."""
        self._held_at = None
        try:
            with self.rt.db.transaction() as session:
                leases.release(session, LEASE_NAME, self.owner)
        except Exception:
            logger.exception("could not release the scheduler lease")

    # One account

    def _account(self, account_id: int, report: TickReport) -> None:
        rt, where = self.rt, f"account {account_id}"
        if rt.settings.auto_sync:
            self._guard(report, f"{where}: sync", lambda: self._sync(account_id, report))
        for job_type in periodic.PERIODIC_JOB_TYPES:
            created = self._guard(
                report,
                f"{where}: {job_type.label}",
                partial(periodic.create_periodic, rt, account_id, job_type),
            )
            self._add(report, job_type, created)
        created = self._guard(
            report,
            f"{where}: {JobType.ORDERS_FULFILLMENT.label}",
            lambda: periodic.create_due_fulfillment(rt, account_id),
        )
        self._add(report, JobType.ORDERS_FULFILLMENT, created)
        shop_jobs = self._guard(
            report, f"{where}: shop jobs", lambda: create_shop_jobs(rt, account_id)
        )
        for job_type, job_id in (shop_jobs or {}).items():
            self._add(report, job_type, job_id)
        resent = self._guard(
            report, f"{where}: verification", partial(verification_tick, rt, account_id)
        )
        for job_type, job_ids in (resent or {}).items():
            for job_id in job_ids:
                self._add(report, job_type, job_id)

    def _sync(self, account_id: int, report: TickReport) -> None:
        report.topped_up.update(sync.top_up_waiting_jobs(self.rt, account_id))
        with self.rt.db.read() as session:
            waiting = sync.waiting_update_job(session, account_id)
        if waiting is not None:
            report.sync_deferred.append(account_id)
            return
        for job_id in sync.create_sync_jobs(self.rt, account_id):
            self._add(report, sync.SYNC_JOB_TYPE, job_id)

    def _prune(self) -> int:
        return prune_jobs(self.rt.db, self.rt.clock.now(), self.rt.settings.retention_days)

    def _prune_sessions(self) -> int:
        idle = timedelta(seconds=self.rt.settings.session_idle_s)
        with self.rt.db.transaction() as session:
            return prune_sessions(session, self.rt.security_clock.now(), idle)

    # Helpers

    def _hold(self) -> bool:
        """Take or renew the lease; True while this scheduler is the leader."""
        now = self.rt.clock.now()
        with self.rt.db.transaction() as session:
            held = leases.acquire(session, LEASE_NAME, self.owner, now, self.lease_ttl)
        self._held_at = now if held else None
        return held

    def _still_hold(self) -> bool:
        """Between accounts: renew the lease once a ``RENEW_FRACTION`` of it has passed."""
        held_at = self._held_at
        if held_at is not None and self.rt.clock.now() < held_at + self.lease_ttl * RENEW_FRACTION:
            return True
        return self._hold()

    @staticmethod
    def _add(report: TickReport, job_type: JobType, job_id: int | None) -> None:
        if job_id is not None:
            report.created.setdefault(job_type, []).append(job_id)

    @staticmethod
    def _guard(report: TickReport, what: str, action: Callable[[], T]) -> T | None:
        """Run one part of a tick; a failure is logged and reported, the rest goes on."""
        try:
            return action()
        except Exception as exc:
            logger.exception("scheduler: %s failed", what, extra={"action": "tick_part_failed"})
            report.errors.append(f"{what}: {exc}")
            return None

    def __repr__(self) -> str:
        return f"Scheduler(owner={self.owner!r})"
