"""The quota page: Amazon's token buckets per account and operation, as gauges."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import insight
from amazon_jobs.domain.limits import Operation
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import list_accounts
from amazon_jobs.store.charts import quota_minutes
from amazon_jobs.store.models import Account
from amazon_jobs.store.quota_waits import quota_waiters
from amazon_jobs.throttle import BucketView
from amazon_jobs.web.access import Viewer
from amazon_jobs.web.charts import sparkline
from amazon_jobs.web.charts.build import quota_chart
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages.common import render
from amazon_jobs.web.templating import duration

router = APIRouter()

#: What each operation is used for, in a seller's words.
PURPOSES = {
    "createFeed": "Send a feed: every listings job (send, quantity, price, stop)",
    "JSON_LISTINGS_FEED": "Listings feeds: Amazon's extra cap per region",
    "createFeedDocument": "Make room to upload a feed",
    "getFeed": "Ask whether a feed is processed",
    "getFeeds": "List feeds (recovery after a crash, test connection)",
    "cancelFeed": "Cancel a feed Amazon still has queued",
    "getFeedDocument": "Download a feed's result",
    "createReport": "Request the inventory report",
    "getReport": "Ask whether a report is ready",
    "getReports": "List reports (recovery after a crash)",
    "cancelReport": "Cancel a report",
    "getReportDocument": "Download a report",
    "searchOrders": "Orders import",
    "getOrders": "Orders import (Orders API v0)",
    "getOrder": "Read one order (v0)",
    "getOrder2026": "Read one order",
    "getOrderItems": "Read an order's items (v0)",
    "confirmShipment": "Orders Fulfillment: confirm a shipped package",
    "searchCatalogItems": "Find the ASIN of a product by its EAN/UPC",
    "getCatalogItem": "Read a catalog item",
    "putListingsItem": "Create a listing",
    "patchListingsItem": "Change a listing",
    "deleteListingsItem": "Delete a listing",
    "getListingsItem": "Read a listing",
}


@dataclass(frozen=True)
class Gauge:
    """One bucket as the page draws it."""

    view: BucketView
    purpose: str
    used_last_hour: int
    #: How full the bucket is, 0 to 100.
    percent: float
    #: "full", "ok", "low" or "empty": the colour of the bar.
    level: str
    #: Amazon's extra cap over a rolling window, e.g. "at most 5 per 5 min".
    cap: str | None


@dataclass(frozen=True)
class AccountQuota:
    account: Account
    gauges: list[Gauge]


def _level(tokens: float, burst: int) -> str:
    if tokens >= burst - 1e-9:
        return "full"
    if tokens < 1:
        return "empty"
    return "low" if tokens < burst / 4 else "ok"


def _cap(rt: Runtime, operation: str) -> str | None:
    try:
        limit = rt.throttle.limits[Operation(operation)]
    except (KeyError, ValueError):
        return None
    if limit.window_s is None or limit.window_max is None:
        return None
    return f"at most {limit.window_max} per {duration(limit.window_s)}"


def _gauges(rt: Runtime, account: Account, views: list[BucketView]) -> list[Gauge]:
    used = insight.hourly_use(rt, account.id)
    return [
        Gauge(
            view=view,
            purpose=PURPOSES.get(view.operation, ""),
            used_last_hour=used.get(view.operation, 0),
            percent=round(100 * min(max(view.tokens / view.burst, 0.0), 1.0), 1),
            level=_level(view.tokens, view.burst),
            cap=_cap(rt, view.operation),
        )
        for view in views
    ]


@router.get("/quota", response_class=HTMLResponse)
def quota_page(request: Request, rt: RuntimeDep, me: Viewer) -> Response:
    now = rt.clock.now()
    with rt.db.read() as session:
        accounts = list_accounts(session)
        views = {a.id: rt.throttle.views(session, a.id, now) for a in accounts}
        minutes = quota_minutes(session)
        waiting = quota_waiters(session)
    quotas = [AccountQuota(a, _gauges(rt, a, views[a.id])) for a in accounts]
    # Calls and 429s per minute of the last hour, small, in the "Last hour" cell.
    sparks = {(b.account_id, b.operation): sparkline(quota_chart(b, now, 1)) for b in minutes}
    context = {
        "me": me,
        "quotas": quotas,
        "waiting": waiting,
        "now": now,
        "profile": rt.settings.limits_profile,
        "sparks": sparks,
    }
    return render(request, "quota.html", context)
