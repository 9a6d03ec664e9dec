"""One HTTP connection pool and one LWA token cache per account, for all clients.

The gateway also decides where credentials may go: unless it allows custom
endpoints, it hands out no client for an account whose SP-API endpoint or LWA
token URL is not Amazon's (an account stored before the setting was turned
off), so nothing is sent there, not even a token request. Each token granted is
reported with its account (``on_token``).

Without a transport handed in, the connections are
:class:`~amazon_jobs.amazon.transport.StdlibTransport`'s (the same requests for
half the CPU of httpx's own), unless the environment names a proxy: then httpx's
own transport, which honours it. The clients then send their requests to that
transport straight, past httpx's client layer, which none of our calls uses.
"""

from __future__ import annotations

import random
import threading
import urllib.request
from collections.abc import Callable
from functools import partial

import httpx

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.amazon.client import Observer, SpApiClient
from amazon_jobs.amazon.transport import StdlibTransport
from amazon_jobs.clock import Clock
from amazon_jobs.domain.endpoints import is_amazon_endpoint, is_amazon_token_url
from amazon_jobs.errors import EndpointNotAllowed

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
        allow_custom_endpoints: bool = False,
        on_token: Callable[[int], None] | None = None,
    ) -> None:
        self.clock = clock
        #: Called with the account's id after each token Login with Amazon grants it.
        self.on_token = on_token
        self.allow_custom_endpoints = allow_custom_endpoints
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()
        chosen = transport if transport is not None else _default_transport()
        #: Our own transport, which the clients send to straight (see ApiEngine._deliver):
        #: only when it is the default, so that no proxy httpx would mount is skipped.
        self._direct = chosen if transport is None and isinstance(chosen, StdlibTransport) else None
        self.http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            transport=chosen,
            headers={"user-agent": "amazon-jobs/0.1 (Language=Python)"},
            follow_redirects=False,
        )
        self._auth: dict[tuple[int, str], LwaAuth] = {}
        self._lock = threading.Lock()

    def client(
        self, account_id: int, endpoint: str, credentials: LwaCredentials, observer: Observer
    ) -> SpApiClient:
        """A client for the account; refused (:class:`EndpointNotAllowed`) for URLs that are
        not Amazon's unless custom endpoints are allowed."""
        self._check(endpoint, credentials.token_url)
        return SpApiClient(
            self.http,
            endpoint,
            self._auth_for(account_id, credentials),
            self.clock,
            observer=observer,
            max_attempts=self.max_attempts,
            rng=self.rng,
            direct=self._direct,
        )

    def _check(self, endpoint: str, token_url: str) -> None:
        if self.allow_custom_endpoints:
            return
        for what, url, amazon in (
            ("SP-API endpoint", endpoint, is_amazon_endpoint(endpoint)),
            ("LWA token URL", token_url, is_amazon_token_url(token_url)),
        ):
            if not amazon:
                raise EndpointNotAllowed(
                    what,
                    url,
                    f"this account's {what} {url!r} is not Amazon's and this server does not "
                    "allow custom endpoints, so nothing was sent: edit the account back to "
                    "Amazon's (entering its client secret and refresh token again), or set "
                    "allow_custom_endpoints = true (AMAZON_JOBS_ALLOW_CUSTOM_ENDPOINTS) if it "
                    "is meant to talk to the simulator or a test double",
                )

    def _auth_for(self, account_id: int, credentials: LwaCredentials) -> LwaAuth:
        key = (account_id, credentials.client_id)
        with self._lock:
            auth = self._auth.get(key)
            if auth is None or auth.credentials != credentials:
                on_token = partial(self.on_token, account_id) if self.on_token else None
                auth = self._auth[key] = LwaAuth(credentials, self.clock, on_token)
            return auth

    def close(self) -> None:
        self.http.close()

    def __repr__(self) -> str:
        return f"AmazonGateway(accounts={len(self._auth)})"


def _default_transport() -> httpx.BaseTransport | None:
    """:class:`StdlibTransport`, or None (httpx's own) when the environment names a proxy,
    as httpx reads it (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``)."""
    proxies = urllib.request.getproxies()
    if any(proxies.get(scheme) for scheme in ("http", "https", "all")):
        return None
    return StdlibTransport()
