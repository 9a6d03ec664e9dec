"""The simulator's settings, one frozen value passed to :class:`Simulator`.

The defaults are Amazon as it is, unpleasant parts included: accepted changes
become visible late and a few never do, answers fail now and then, unknown SKUs
are accepted silently. :meth:`SimulatorConfig.focused` turns every such harshness
off, for a test that looks at one thing at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

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
    #: Per-operation overrides of the application-wide limits (every seller of one LWA
    #: client together), e.g. ``{"patchListingsItem": {"burst": 20, "rate": 20}}``; see
    #: :func:`amazon_jobs.domain.limits.application_limits_for`.
    application_limit_overrides: Mapping[str, Mapping[str, Any]] | None = None
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
    #: Seconds a report stays IN_QUEUE after createReport.
    report_queue_s: float = 30.0
    #: Seconds a report stays IN_PROGRESS; the listings are read when it ends.
    report_processing_s: float = 60.0
    #: Product codes of the generated catalog of ``marketplace_id`` (0: empty catalog).
    #: See :func:`amazon_jobs.simulator.catalog.generator.generate_catalog`.
    catalog_size: int = 0
    #: Seed of the generated catalog.
    catalog_seed: int = 0
    #: Generated codes (EANs) that match two ASINs.
    catalog_ambiguous: int = 0
    #: Generated codes left out of the catalog (searches find nothing).
    catalog_unknown: int = 0
    #: Generated codes that are UPC-A codes instead of EANs (the last ones).
    catalog_upcs: int = 0
    #: Share (0 to 1) of SP-API requests answered 500 or 503 at random (Amazon answers
    #: InternalFailure and ServiceUnavailable now and then; the demo uses more).
    error_rate: float = 0.002
    #: Seed of the random 500/503 answers, so a run can be repeated exactly.
    error_seed: int = 0
    #: Real seconds every SP-API answer is held back (0: none), for client timeouts.
    answer_delay_s: float = 0.0
    #: Seed of every seller's stream of orders (with the seller id).
    order_seed: int = 0
    #: Orders each seller receives per hour on average; 0 = none (tests place their own).
    orders_per_hour: float = 0.0
    #: Hours of orders already placed when the simulator starts.
    order_backlog_h: float = 0.0
    #: Seconds an order stays Pending before payment is authorized, on average.
    order_pending_s: float = 300.0
    #: Share of streamed orders the buyer cancels (half while Pending, half later).
    order_cancel_rate: float = 0.05
    #: How long before a search request its window must end (Amazon: two minutes); only
    #: the wall-clock soak shortens it, so that an order placed is found within seconds.
    order_settling_s: float = 120.0
    #: Lifetime of a searchOrders paginationToken, in seconds (Amazon: 24 h).
    pagination_token_ttl_s: int = 86_400

    # -- Amazon as it really is (issue 15); :meth:`focused` turns each one off ---------

    #: Median seconds between the end of a feed (or an accepted Listings Items call) and
    #: the moment an accepted change shows in reports and listings calls. Amazon: seconds
    #: to many minutes. The delay of each change is drawn from a log-normal distribution
    #: around this median, seeded by :attr:`visibility_seed`; 0 applies changes at once.
    visibility_delay_s: float = 60.0
    #: Longest such delay, in seconds.
    visibility_delay_max_s: float = 1800.0
    #: Seed of the visibility delays and of the downstream failures.
    visibility_seed: int = 0
    #: Share (0 to 1) of accepted changes that fail downstream: never applied, and an
    #: issue on the listing afterwards (as Amazon reports it after acceptance).
    downstream_failure_rate: float = 0.002
    #: Accepted messages may carry WARNING issues, as Amazon's do (e.g. a price far from
    #: the listing's previous one); False: never a warning.
    warnings: bool = True
    #: A PATCH, PARTIAL_UPDATE or DELETE of a SKU the seller has no listing for is
    #: accepted with no issue, as Amazon does; False refuses it (the kind behaviour).
    silent_unknown_skus: bool = True
    #: Share (0 to 1) of orders that Amazon or the seller changes after placing without
    #: a status change (an address fix, a new ship date): LastUpdateDate moves anyway.
    order_update_rate: float = 0.2
    #: Share (0 to 1) of order pages that repeat an order of the page before, as
    #: Amazon's have been seen to (0: perfectly stable pages; the demo uses some).
    order_page_duplicates: float = 0.0
    #: Share (0 to 1) of SP-API answers held back :attr:`slow_answer_s` real seconds.
    slow_answer_rate: float = 0.0
    #: Real seconds a slow answer is held back.
    slow_answer_s: float = 2.0

    @classmethod
    def focused(cls, **settings: Any) -> Self:
        """A kind Amazon: every harshness above off (changes visible at once, none
        failing downstream, no random 500s, no warnings, unknown SKUs refused, orders
        changed only by their status, stable pages), then *settings* on top."""
        return dataclasses.replace(cls(**_KIND), **settings)


#: What :meth:`SimulatorConfig.focused` sets.
_KIND: dict[str, Any] = {
    "error_rate": 0.0,
    "visibility_delay_s": 0.0,
    "downstream_failure_rate": 0.0,
    "warnings": False,
    "silent_unknown_skus": False,
    "order_update_rate": 0.0,
    "order_page_duplicates": 0.0,
    "slow_answer_rate": 0.0,
}
