"""The two peers of bench/peers.py, each driven the way its users drive it, on simulator time.

- :class:`SpApiPeer` is python-amazon-sp-api (``sp_api``): one client object per
  API, every call under its ``@throttle_retry()`` decorator (5 s, then x1.3, 10
  tries), orders paged by ``@load_all_pages(use_rate_limit_header=True)``
  (which sleeps 1 / the ``x-amzn-RateLimit-Limit`` rate between pages), as its
  documentation shows.
- :class:`SdkPeer` is Amazon's SDK ``amzn-sp-api`` (``spapi``): ``SPAPIClient``
  with ``endpoint`` and ``oauth_endpoint``, and the usual hand-written loop
  around each call: on HTTP 429 sleep 1 s, 2 s, 4 s, ... (at most 64 s) and
  send it again.

Both send their requests one after the other from one thread.

**Simulator time.** The simulator runs on a :class:`~amazon_jobs.clock.ScaledClock`,
``scale`` times faster than the wall clock. Every sleep and every reading of
time inside a peer is made to follow that clock, so a peer behaves in
simulator time exactly as it would at scale 1 against Amazon: the ``time``
module seen by ``sp_api.util.retry``, ``sp_api.util.load_all_pages`` and
``spapi.auth.lwa_request`` is :class:`SimulatorTime` (a sleep of *s* seconds
lasts *s* / scale real seconds; ``time()`` reads the simulator's clock), the
access-token cache of ``sp_api`` expires on the simulator's clock (and starts
empty for each run: every run has a fresh simulator), and the SDK loop's
backoff sleeps through the same clock.

**Pointing them at the simulator.** python-amazon-sp-api has no endpoint
option: the client's ``endpoint`` attribute is set to the simulator's URL and
an ``AccessTokenClient`` subclass whose scheme and host are the simulator's
is passed as ``auth_token_client_class``. The library also writes the
``Host`` header as ``endpoint[8:]``, assuming ``https://``; against the
simulator's ``http://`` URL that would name another host (the simulator
builds its presigned upload URLs from ``Host``), so a small mixin writes the
URL's real ``host:port`` there. The SDK is given a default ``Configuration``
(:meth:`SdkPeer.__enter__` says why). Nothing else of either library is changed.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from types import TracebackType
from typing import Any, TypeVar, cast
from unittest import mock
from urllib.parse import urlsplit

import requests
import spapi
from cachetools import TTLCache
from sp_api.api.catalog_items.catalog_items_2022_04_01 import CatalogItemsV20220401
from sp_api.api.feeds.feeds_2021_06_30 import FeedsV20210630
from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101
from sp_api.api.orders.orders_v0 import OrdersV0
from sp_api.api.reports.reports import Reports
from sp_api.auth import AccessTokenClient
from sp_api.base import ApiResponse, Client, Marketplaces
from sp_api.util import load_all_pages, throttle_retry
from spapi.api.catalogitems_v2022_04_01.catalog_api import CatalogApi
from spapi.api.feeds_v2021_06_30.feeds_api import FeedsApi
from spapi.api.orders_v0.orders_v0_api import OrdersV0Api
from spapi.api.orders_v2026_01_01.search_orders_api import SearchOrdersApi
from spapi.api.reports_v2021_06_30.reports_api import ReportsApi
from spapi.configuration import Configuration
from spapi.models.feeds_v2021_06_30 import (
    CreateFeedDocumentSpecification,
    CreateFeedSpecification,
)
from spapi.models.reports_v2021_06_30 import CreateReportSpecification

from amazon_jobs.clock import ScaledClock
from amazon_jobs.feeds.listings_feed import CONTENT_TYPE, FEED_TYPE

__all__ = ["PEERS", "Plan", "SdkPeer", "SimulatorTime", "SpApiPeer", "Target"]

REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
PAGE_SIZE = 100
#: What amazon-jobs asks searchOrders for; the peers ask the same.
ORDERS_2026_INCLUDED = ["FULFILLMENT", "PROCEEDS"]
CATALOG_INCLUDED = ["identifiers", "summaries"]
#: The SDK loop's backoff: first sleep after a 429, and the longest one.
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 64.0


@dataclass(frozen=True)
class Target:
    """Where and as whom a peer talks: the simulator's URL, the seller's LWA credentials."""

    url: str
    client_id: str
    client_secret: str
    refresh_token: str
    marketplace_id: str
    clock: ScaledClock

    @property
    def lwa_url(self) -> str:
        return f"{self.url}/auth/o2/token"


@dataclass(frozen=True)
class Plan:
    """What every client is asked to do in one run (the same for all three)."""

    #: JSON_LISTINGS_FEED documents, one feed each (feeds).
    feed_documents: tuple[bytes, ...] = ()
    #: Orders updated since (orders): LastUpdatedAfter / lastUpdatedAfter.
    since: datetime | None = None
    #: createReport calls (reports).
    reports: int = 0
    #: EANs of each searchCatalogItems request (catalog).
    ean_batches: tuple[tuple[str, ...], ...] = ()


class SimulatorTime:
    """Stands in for the ``time`` module inside a peer library: the simulator's clock."""

    def __init__(self, clock: ScaledClock) -> None:
        self.clock = clock

    def time(self) -> float:
        return self.clock.now().timestamp()

    def monotonic(self) -> float:
        return self.time()

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)


class _Peer:
    """A peer as a context manager: its libraries see simulator time while it is open."""

    name = ""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._patches = ExitStack()

    def __enter__(self) -> _Peer:
        for module, name, value in self._time_patches():
            self._patches.enter_context(mock.patch.object(module, name, value))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._patches.close()

    def _time_patches(self) -> list[tuple[Any, str, Any]]:
        raise NotImplementedError

    def run(self, method: str, plan: Plan) -> None:
        """Send the workload named *method* (feeds, orders_v0, orders_2026, reports, catalog)."""
        getattr(self, method)(plan)


# python-amazon-sp-api


class _SimulatorHost:
    """Writes the real ``host:port`` of ``endpoint`` into the Host header (not endpoint[8:])."""

    endpoint: str

    @property
    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = super().headers  # type: ignore[misc]
        headers["host"] = urlsplit(self.endpoint).netloc
        return headers


F = TypeVar("F", bound=Callable[..., Any])
Paged = Callable[..., Iterator[ApiResponse]]


def _throttle_retry() -> Callable[[F], F]:
    """``@throttle_retry()`` with its defaults, typed (the library has no annotations)."""
    return cast("Callable[[F], F]", throttle_retry())


def _load_all_pages(**options: Any) -> Callable[[Callable[..., ApiResponse]], Paged]:
    """``@load_all_pages(**options)``, typed: the function becomes a generator of pages."""
    return cast("Callable[[Callable[..., ApiResponse]], Paged]", load_all_pages(**options))


@_throttle_retry()
def _create_document(feeds: FeedsV20210630, content: bytes) -> str:
    """createFeedDocument, then the upload to its URL (the library does both)."""
    answer = feeds.create_feed_document(io.BytesIO(content), CONTENT_TYPE)
    return str(answer.payload["feedDocumentId"])


@_throttle_retry()
def _create_feed(feeds: FeedsV20210630, document_id: str, marketplace_id: str) -> ApiResponse:
    return feeds.create_feed(FEED_TYPE, document_id, marketplaceIds=[marketplace_id])


@_throttle_retry()
@_load_all_pages(use_rate_limit_header=True)
def _orders_v0(orders: OrdersV0, **kwargs: Any) -> ApiResponse:
    return orders.get_orders(**kwargs)


@_throttle_retry()
@_load_all_pages(next_token_param="paginationToken", use_rate_limit_header=True)
def _orders_2026(orders: OrdersV20260101, **kwargs: Any) -> ApiResponse:
    return orders.search_orders(**kwargs)


@_throttle_retry()
def _create_report(reports: Reports, marketplace_id: str) -> ApiResponse:
    return reports.create_report(reportType=REPORT_TYPE, marketplaceIds=[marketplace_id])


@_throttle_retry()
def _search_catalog(
    catalog: CatalogItemsV20220401, codes: tuple[str, ...], marketplace_id: str
) -> ApiResponse:
    return catalog.search_catalog_items(
        identifiers=",".join(codes),
        identifiersType="EAN",
        marketplaceIds=[marketplace_id],
        includedData=",".join(CATALOG_INCLUDED),
        pageSize=len(codes),
    )


class SpApiPeer(_Peer):
    """python-amazon-sp-api with ``throttle_retry`` and ``load_all_pages``."""

    name = "python-amazon-sp-api"

    def _time_patches(self) -> list[tuple[Any, str, Any]]:
        now = SimulatorTime(self.target.clock)
        fresh_tokens: TTLCache[str, Any] = TTLCache(maxsize=10, ttl=3200, timer=now.time)
        return [
            (importlib.import_module("sp_api.util.retry"), "time", now),
            (importlib.import_module("sp_api.util.load_all_pages"), "time", now),
            (importlib.import_module("sp_api.auth.access_token_client"), "cache", fresh_tokens),
        ]

    def client(self, api: type[Client], version: str | None = None) -> Any:
        """An *api* client on the simulator (its ``endpoint`` set, its token client ours)."""
        token_client = type(
            "SimulatorTokenClient",
            (AccessTokenClient,),
            {"scheme": "http://", "host": urlsplit(self.target.url).netloc},
        )
        cls = type(f"Simulator{api.__name__}", (_SimulatorHost, api), {})
        extra = {"version": version} if version else {}
        made = cls(
            Marketplaces.US,
            credentials={
                "lwa_app_id": self.target.client_id,
                "lwa_client_secret": self.target.client_secret,
                "refresh_token": self.target.refresh_token,
            },
            auth_token_client_class=token_client,
            **extra,
        )
        made.endpoint = self.target.url
        return made

    def feeds(self, plan: Plan) -> None:
        feeds = self.client(FeedsV20210630, "2021-06-30")
        for content in plan.feed_documents:
            document_id = _create_document(feeds, content)
            _create_feed(feeds, document_id, self.target.marketplace_id)

    def orders_v0(self, plan: Plan) -> None:
        assert plan.since is not None
        pages = _orders_v0(
            self.client(OrdersV0, "v0"),
            LastUpdatedAfter=plan.since.isoformat(),
            MarketplaceIds=[self.target.marketplace_id],
            MaxResultsPerPage=PAGE_SIZE,
        )
        _drain(pages)

    def orders_2026(self, plan: Plan) -> None:
        assert plan.since is not None
        pages = _orders_2026(
            self.client(OrdersV20260101, "2026-01-01"),
            lastUpdatedAfter=plan.since.isoformat(),
            marketplaceIds=[self.target.marketplace_id],
            maxResultsPerPage=PAGE_SIZE,
            includedData=",".join(ORDERS_2026_INCLUDED),
        )
        _drain(pages)

    def reports(self, plan: Plan) -> None:
        reports = self.client(Reports)
        for _ in range(plan.reports):
            _create_report(reports, self.target.marketplace_id)

    def catalog(self, plan: Plan) -> None:
        catalog = self.client(CatalogItemsV20220401, "2022-04-01")
        for codes in plan.ean_batches:
            _search_catalog(catalog, codes, self.target.marketplace_id)


def _drain(pages: Iterator[ApiResponse]) -> None:
    for _ in pages:
        pass


# amzn-sp-api


class SdkPeer(_Peer):
    """Amazon's SDK with a hand-written retry-on-429 loop (exponential backoff)."""

    name = "amzn-sp-api"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._api_client: Any = None
        self._default_configuration: Any = None

    def _time_patches(self) -> list[tuple[Any, str, Any]]:
        module = importlib.import_module("spapi.auth.lwa_request")
        return [(module, "time", SimulatorTime(self.target.clock))]

    def __enter__(self) -> SdkPeer:
        super().__enter__()
        # Every model the SDK builds from an answer makes a Configuration, and each
        # adds one more logging handler to the "spapi" and "urllib3" loggers: ~2 s
        # of CPU per page of 100 orders here, growing with every model the process
        # has built, and times the clock's scale in simulator time. With a default
        # Configuration set, models copy it instead; the HTTP exchanges are the same.
        self._default_configuration = Configuration._default
        Configuration.set_default(Configuration())
        config = spapi.SPAPIConfig(
            client_id=self.target.client_id,
            client_secret=self.target.client_secret,
            refresh_token=self.target.refresh_token,
            region="NA",
        )
        client = spapi.SPAPIClient(
            config, oauth_endpoint=self.target.lwa_url, endpoint=self.target.url
        )
        self._api_client = client.api_client
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        Configuration.set_default(self._default_configuration)
        super().__exit__(exc_type, exc, traceback)

    def retrying(self, call: Callable[[], Any]) -> Any:
        """*call* until it is not answered 429, sleeping 1, 2, 4 ... 64 s in between."""
        delay = FIRST_BACKOFF_S
        while True:
            try:
                return call()
            except spapi.ApiException as refused:
                if refused.status != 429:
                    raise
            self.target.clock.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_S)

    def feeds(self, plan: Plan) -> None:
        api = FeedsApi(self._api_client)
        document_spec = CreateFeedDocumentSpecification(content_type=CONTENT_TYPE)
        for content in plan.feed_documents:
            document = self.retrying(lambda: api.create_feed_document(document_spec))
            upload = requests.put(
                document.url, data=content, headers={"Content-Type": CONTENT_TYPE}, timeout=30
            )
            upload.raise_for_status()
            spec = CreateFeedSpecification(
                feed_type=FEED_TYPE,
                marketplace_ids=[self.target.marketplace_id],
                input_feed_document_id=document.feed_document_id,
            )
            self.retrying(partial(api.create_feed, spec))

    def orders_v0(self, plan: Plan) -> None:
        assert plan.since is not None
        api = OrdersV0Api(self._api_client)
        since, token = plan.since.isoformat(), None
        while True:
            kwargs = {"last_updated_after": since, "max_results_per_page": PAGE_SIZE}
            if token:
                kwargs["next_token"] = token
            answer = self.retrying(partial(api.get_orders, [self.target.marketplace_id], **kwargs))
            token = answer.payload.next_token
            if not token:
                return

    def orders_2026(self, plan: Plan) -> None:
        assert plan.since is not None
        api = SearchOrdersApi(self._api_client)
        since, token = plan.since.isoformat(), None
        while True:
            kwargs: dict[str, Any] = {
                "marketplace_ids": [self.target.marketplace_id],
                "last_updated_after": since,
                "max_results_per_page": PAGE_SIZE,
                "included_data": ORDERS_2026_INCLUDED,
            }
            if token:
                kwargs["pagination_token"] = token
            answer = self.retrying(partial(api.search_orders, **kwargs))
            token = answer.pagination.next_token if answer.pagination else None
            if not token:
                return

    def reports(self, plan: Plan) -> None:
        api = ReportsApi(self._api_client)
        spec = CreateReportSpecification(
            report_type=REPORT_TYPE, marketplace_ids=[self.target.marketplace_id]
        )
        for _ in range(plan.reports):
            self.retrying(lambda: api.create_report(spec))

    def catalog(self, plan: Plan) -> None:
        api = CatalogApi(self._api_client)
        for codes in plan.ean_batches:
            self.retrying(
                partial(
                    api.search_catalog_items,
                    [self.target.marketplace_id],
                    identifiers=list(codes),
                    identifiers_type="EAN",
                    included_data=CATALOG_INCLUDED,
                    page_size=len(codes),
                )
            )


PEERS: dict[str, type[_Peer]] = {SpApiPeer.name: SpApiPeer, SdkPeer.name: SdkPeer}
