"""One HTTP connection pool and one LWA token cache per account, for all clients."""

from __future__ import annotations

import random
import threading

import httpx

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.amazon.client import Observer, SpApiClient
from amazon_jobs.clock import Clock

__all__ = ["AmazonGateway"]


class AmazonGateway:
    """Hands out :class:`SpApiClient` objects that share connections and tokens."""

    def __init__(
        self,
        clock: Clock,
        *,
        timeout_s: float = 30.0,
        max_attempts: int = 4,
        transport: httpx.BaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.clock = clock
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()
        self.http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            headers={"user-agent": "amazon-jobs/0.1 (Language=Python)"},
            follow_redirects=False,
        )
        self._auth: dict[tuple[int, str], LwaAuth] = {}
        self._lock = threading.Lock()

    def client(
        self, account_id: int, endpoint: str, credentials: LwaCredentials, observer: Observer
    ) -> SpApiClient:
        return SpApiClient(
            self.http,
            endpoint,
            self._auth_for(account_id, credentials),
            self.clock,
            observer=observer,
            max_attempts=self.max_attempts,
            rng=self.rng,
        )

    def _auth_for(self, account_id: int, credentials: LwaCredentials) -> LwaAuth:
        key = (account_id, credentials.client_id)
        with self._lock:
            auth = self._auth.get(key)
            if auth is None or auth.credentials != credentials:
                auth = self._auth[key] = LwaAuth(credentials, self.clock)
            return auth

    def close(self) -> None:
        self.http.close()

    def __repr__(self) -> str:
        return f"AmazonGateway(accounts={len(self._auth)})"
