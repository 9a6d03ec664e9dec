"""The runtime: settings, database, clock, buckets and Amazon gateway, built once.

CLI commands, the web app, workers, the demo and tests each build one
:class:`Runtime` (an app factory, not import-time globals) and pass it down.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial

import httpx

from amazon_jobs.amazon.auth import LwaCredentials
from amazon_jobs.amazon.client import Observer, SpApiClient
from amazon_jobs.amazon.gateway import AmazonGateway
from amazon_jobs.clock import Clock, SystemClock
from amazon_jobs.config import Settings
from amazon_jobs.crypto import Cipher
from amazon_jobs.store import accounts, log_buffer
from amazon_jobs.store.account_status import login_accepted
from amazon_jobs.store.database import Database
from amazon_jobs.store.job_writes import save_changed_jobs
from amazon_jobs.store.models import Account
from amazon_jobs.throttle import Throttle

__all__ = ["Runtime", "open_runtime"]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    throttle: Throttle
    gateway: AmazonGateway
    rng: random.Random = field(default_factory=random.Random)
    #: Real time, for security timers only (session idle time and lifetime, login
    #: lockouts): always the wall clock, whatever ``clock`` is. The demo's clock runs
    #: 60x faster; a login must not end after a minute there. Tests pass their own.
    security_clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        rng: random.Random | None = None,
        security_clock: Clock | None = None,
    ) -> Runtime:
        clock = clock or settings.make_clock()
        rng = rng or random.Random()
        db = Database(settings.resolved_database_url)
        db.on_write.append(log_buffer.open_batch)
        db.before_commit.append(save_changed_jobs)
        db.before_commit.append(log_buffer.write_batch)
        return cls(
            settings=settings,
            db=db,
            clock=clock,
            throttle=Throttle(
                settings.operation_limits(),
                clock.from_real(settings.throttle_margin_s),
                settings.application_operation_limits(),
            ),
            gateway=AmazonGateway(
                clock,
                timeout_s=settings.http_timeout_s,
                transport=transport,
                rng=rng,
                allow_custom_endpoints=settings.allow_custom_endpoints,
                on_token=partial(login_accepted, db),
            ),
            rng=rng,
            security_clock=security_clock or SystemClock(),
        )

    @cached_property
    def cipher(self) -> Cipher:
        return Cipher(self.settings.secret_key)

    def credentials(self, account: Account) -> LwaCredentials:
        return accounts.credentials(account, self.cipher)

    def amazon(self, account: Account, observer: Observer) -> SpApiClient:
        """A client for *account* whose calls are reported to *observer*."""
        return self.gateway.client(
            account.id, account.endpoint, self.credentials(account), observer
        )

    def close(self) -> None:
        self.gateway.close()
        self.db.dispose()


@contextmanager
def open_runtime(settings: Settings, **kwargs: object) -> Iterator[Runtime]:
    runtime = Runtime.build(settings, **kwargs)  # type: ignore[arg-type]
    try:
        yield runtime
    finally:
        runtime.close()
