"""SP-API operations and their throttling limits, in two profiles and at two levels.

``sp-api`` is Amazon's usage plans today (the default); ``seed`` is the limits
the product manual documents. Limits are configuration: a TOML ``[limits]``
table can override any operation of either profile.

Amazon meters each selling partner-application pair (the table above, one
bucket per account and operation) *and*, for some operations, the application
as a whole: every seller that authorized the same LWA client draws from one
bucket per operation ("Requests are rate-limited by whichever threshold you
reach first", docs: usage-plans-and-rate-limits and each API's "Rate Limits"
page). :func:`application_limits_for` gives that second table, overridable by a
TOML ``[application_limits]`` table in the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "APPLICATION_PROFILES",
    "DEFAULT_PROFILE",
    "PROFILES",
    "Limit",
    "Operation",
    "application_limits_for",
    "limits_for",
]


class Operation(StrEnum):
    """A throttled SP-API operation (or an extra limit on one)."""

    CREATE_FEED_DOCUMENT = "createFeedDocument"
    CREATE_FEED = "createFeed"
    GET_FEED = "getFeed"
    GET_FEEDS = "getFeeds"
    CANCEL_FEED = "cancelFeed"
    GET_FEED_DOCUMENT = "getFeedDocument"
    #: JSON_LISTINGS_FEED's own cap on submissions, on top of createFeed.
    JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
    CREATE_REPORT = "createReport"
    GET_REPORT = "getReport"
    GET_REPORTS = "getReports"
    CANCEL_REPORT = "cancelReport"
    GET_REPORT_DOCUMENT = "getReportDocument"
    GET_ORDERS = "getOrders"
    GET_ORDER = "getOrder"
    GET_ORDER_ITEMS = "getOrderItems"
    CONFIRM_SHIPMENT = "confirmShipment"
    SEARCH_ORDERS = "searchOrders"
    GET_ORDER_2026 = "getOrder2026"
    SEARCH_CATALOG_ITEMS = "searchCatalogItems"
    GET_CATALOG_ITEM = "getCatalogItem"
    PUT_LISTINGS_ITEM = "putListingsItem"
    PATCH_LISTINGS_ITEM = "patchListingsItem"
    DELETE_LISTINGS_ITEM = "deleteListingsItem"
    GET_LISTINGS_ITEM = "getListingsItem"


@dataclass(frozen=True, slots=True)
class Limit:
    """A token bucket, optionally with a cap on grants in a rolling window."""

    #: Bucket size: requests that may go at once.
    burst: int
    #: Tokens restored per second.
    rate: float
    #: Length of the rolling window of the cap, in seconds.
    window_s: float | None = None
    #: Grants allowed within any window of ``window_s``.
    window_max: int | None = None

    def __post_init__(self) -> None:
        if self.burst < 1 or self.rate <= 0:
            raise ValueError("a limit needs burst >= 1 and rate > 0")
        if (self.window_s is None) != (self.window_max is None):
            raise ValueError("window_s and window_max go together")

    @property
    def interval_s(self) -> float:
        """Seconds to restore one token."""
        return 1.0 / self.rate


def _per(seconds: float) -> float:
    return 1.0 / seconds


Op = Operation

_SP_API: dict[Operation, Limit] = {
    Op.CREATE_FEED_DOCUMENT: Limit(15, 0.5),
    Op.CREATE_FEED: Limit(15, _per(120)),
    Op.GET_FEED: Limit(15, 2.0),
    Op.GET_FEEDS: Limit(10, 0.0222),
    Op.CANCEL_FEED: Limit(15, 2.0),
    Op.GET_FEED_DOCUMENT: Limit(10, 0.0222),
    Op.JSON_LISTINGS_FEED: Limit(5, _per(60), window_s=300, window_max=5),
    Op.CREATE_REPORT: Limit(15, _per(60)),
    Op.GET_REPORT: Limit(15, 2.0),
    Op.GET_REPORTS: Limit(10, 0.0222),
    Op.CANCEL_REPORT: Limit(10, 0.0222),
    Op.GET_REPORT_DOCUMENT: Limit(15, _per(60)),
    Op.GET_ORDERS: Limit(20, _per(60)),
    Op.GET_ORDER: Limit(30, 0.5),
    Op.GET_ORDER_ITEMS: Limit(30, 0.5),
    Op.CONFIRM_SHIPMENT: Limit(10, 2.0),
    Op.SEARCH_ORDERS: Limit(20, _per(180)),
    Op.GET_ORDER_2026: Limit(30, 0.5),
    Op.SEARCH_CATALOG_ITEMS: Limit(2, 2.0),
    Op.GET_CATALOG_ITEM: Limit(2, 2.0),
    Op.PUT_LISTINGS_ITEM: Limit(10, 5.0),
    Op.PATCH_LISTINGS_ITEM: Limit(5, 5.0),
    Op.DELETE_LISTINGS_ITEM: Limit(5, 5.0),
    Op.GET_LISTINGS_ITEM: Limit(10, 5.0),
}

_SEED: dict[Operation, Limit] = {
    **_SP_API,
    Op.CREATE_FEED: Limit(15, _per(120), window_s=3600, window_max=30),
    # The manual knows no separate JSON_LISTINGS_FEED cap: createFeed's governs.
    Op.JSON_LISTINGS_FEED: Limit(30, _per(120)),
    Op.GET_ORDERS: Limit(6, _per(60)),
    Op.SEARCH_ORDERS: Limit(6, _per(60)),
    Op.CREATE_REPORT: Limit(15, _per(60), window_s=3600, window_max=60),
    Op.SEARCH_CATALOG_ITEMS: Limit(20, 5.0, window_s=3600, window_max=18_000),
}

PROFILES: Mapping[str, Mapping[Operation, Limit]] = {"sp-api": _SP_API, "seed": _SEED}
DEFAULT_PROFILE = "sp-api"


def _per_application(rate: float) -> Limit:
    """An application-wide limit of *rate* requests a second. Amazon gives one burst
    column, for the pair; the application's bucket is taken to hold one second of
    its rate (an assumption: Amazon documents no burst of its own for it)."""
    return Limit(int(rate), rate)


#: The per-application limits Amazon documents; an operation not here has none
#: ("Not applicable" for every Feeds API operation, docs: feeds-api-rate-limits;
#: none are listed for the Reports and Orders APIs).
_SP_API_APPLICATION: dict[Operation, Limit] = {
    # docs: listings-items-api-rate-limits, Listings Items API v2021-08-01 table
    # ("Per-application rate limit (requests per second)").
    Op.DELETE_LISTINGS_ITEM: _per_application(100),
    Op.GET_LISTINGS_ITEM: _per_application(100),
    Op.PATCH_LISTINGS_ITEM: _per_application(500),
    Op.PUT_LISTINGS_ITEM: _per_application(100),
    # docs: catalog-items-api-rate-limits, Catalog Items API v2022-04-01 table.
    Op.GET_CATALOG_ITEM: _per_application(250),
    Op.SEARCH_CATALOG_ITEMS: _per_application(500),
}

#: The manual knows nothing of application-wide limits: Amazon's apply all the same.
APPLICATION_PROFILES: Mapping[str, Mapping[Operation, Limit]] = {
    "sp-api": _SP_API_APPLICATION,
    "seed": _SP_API_APPLICATION,
}


def limits_for(
    profile: str, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[Operation, Limit]:
    """The limits of *profile*, with per-operation *overrides* applied.

    *overrides* maps an operation name to any of ``burst``, ``rate``,
    ``window_s`` and ``window_max``, e.g. ``{"createFeed": {"burst": 5}}``.
    """
    return _resolved(PROFILES, profile, overrides, "limits")


def application_limits_for(
    profile: str, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[Operation, Limit]:
    """The per-application limits of *profile*, with *overrides* applied as in
    :func:`limits_for`; an override of an operation without one gives it one (it then
    needs ``burst`` and ``rate``)."""
    return _resolved(APPLICATION_PROFILES, profile, overrides, "application_limits")


def _resolved(
    profiles: Mapping[str, Mapping[Operation, Limit]],
    profile: str,
    overrides: Mapping[str, Mapping[str, Any]] | None,
    table: str,
) -> dict[Operation, Limit]:
    if profile not in profiles:
        known = ", ".join(sorted(profiles))
        raise ValueError(f"unknown limits profile {profile!r} (known: {known})")
    limits = dict(profiles[profile])
    for name, fields in (overrides or {}).items():
        try:
            operation = Operation(name)
        except ValueError:
            raise ValueError(f"unknown operation {name!r} in {table}") from None
        current = limits.get(operation)
        limits[operation] = replace(current, **fields) if current else Limit(**fields)
    return limits
