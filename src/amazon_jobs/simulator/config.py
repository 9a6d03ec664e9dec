"""The simulator's settings, one frozen value passed to :class:`Simulator`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SimulatorConfig"]


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """How the fake Amazon behaves. Every default matches Amazon where Amazon has one."""

    #: LWA client id of the one application the simulator knows.
    client_id: str = "amzn1.application-oa2-client.simulator"
    #: LWA client secret of that application.
    client_secret: str = "simulator-client-secret"
    #: Refresh token of the seller that exists from the start.
    refresh_token: str = "Atzr|simulator-refresh-token"
    #: Seller id (merchant token) of that seller.
    seller_id: str = "A1SIMULATORSELLER"
    #: Marketplace of that seller (amazon.com).
    marketplace_id: str = "ATVPDKIKX0DER"
    #: Limits profile of :func:`amazon_jobs.domain.limits.limits_for`: "sp-api" or "seed".
    profile: str = "sp-api"
    #: Per-operation limit overrides, e.g. ``{"createFeed": {"burst": 5}}``.
    limit_overrides: Mapping[str, Mapping[str, Any]] | None = None
    #: Seconds a feed stays IN_QUEUE before it may start.
    feed_queue_s: float = 30.0
    #: Seconds a feed stays IN_PROGRESS.
    feed_processing_s: float = 60.0
    #: Lifetime of an LWA access token, in seconds.
    access_token_ttl_s: int = 3600
    #: Lifetime of a presigned upload or download URL, in seconds.
    url_ttl_s: int = 300
    #: Serve processing reports gzip-compressed (``compressionAlgorithm: GZIP``).
    gzip_results: bool = True
    #: Most messages one JSON_LISTINGS_FEED may carry (Amazon: 25 000).
    max_feed_messages: int = 25_000
