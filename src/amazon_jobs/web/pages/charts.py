"""The charts page: jobs per hour, time to Done, errors by Amazon code, quota use.

Each picture is server-drawn SVG with its table behind it (``_charts.html``).
``?range=day`` (default) or ``week``; anything else is read as ``day``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from amazon_jobs.store import charts as numbers
from amazon_jobs.web.access import Viewer
from amazon_jobs.web.charts import Chart, render_svg
from amazon_jobs.web.charts.build import (
    RANGES,
    Range,
    errors_chart,
    errors_window,
    jobs_chart,
    jobs_window,
    quota_charts,
    time_to_done_chart,
)
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages.common import render

router = APIRouter()


@router.get("/charts", response_class=HTMLResponse)
def charts_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    range_: Annotated[str, Query(alias="range", max_length=10)] = "day",
) -> Response:
    span: Range = "week" if range_ == "week" else "day"
    now = rt.clock.now()
    jobs_w, errors_w = jobs_window(span, now), errors_window(span, now)
    with rt.db.read() as session:
        jobs = numbers.jobs_by_hour_status(session, jobs_w.since)
        errors = numbers.errors_by_code(session, errors_w.since, errors_w.seconds)
        durations = numbers.time_to_done(session, jobs_w.since)
        minutes = numbers.quota_minutes(session)
    main = [
        jobs_chart(jobs, jobs_w, span),
        time_to_done_chart(durations, span),
        errors_chart(errors, errors_w, span),
    ]
    accounts: dict[str, list[tuple[Chart, Markup]]] = {}
    for bucket, chart in quota_charts(minutes, now):
        accounts.setdefault(bucket.account, []).append((chart, render_svg(chart, 380, 200)))
    context = {
        "me": me,
        "span": span,
        "ranges": RANGES,
        "now": now,
        "figures": [(chart, render_svg(chart)) for chart in main],
        "quota": accounts,
    }
    return render(request, "charts.html", context)
