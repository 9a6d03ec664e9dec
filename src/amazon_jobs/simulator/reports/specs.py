"""Reading and checking Reports API request bodies.

createReport (``CreateReportSpecification``): ``reportType`` one the simulator
makes (``simulator.reports.report_types``); ``marketplaceIds`` 1 to 25 non-empty
strings; ``dataStartTime`` and ``dataEndTime`` ISO 8601, "prior to or equal to
the current date and time" [reports_2021-06-30.json], start not after end;
``reportOptions`` an object of strings, each an option the report type accepts
with a value it accepts. :func:`report_spec` returns the spec or raises
:class:`ApiError` 400 ``InvalidInput`` with a message that says what to fix.
getReports is read by ``simulator.common.processing_query``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amazon_jobs.simulator.common.body import (
    json_object,
    marketplace_ids,
    required_string,
    string_map,
)
from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.common.timefmt import parse_time
from amazon_jobs.simulator.reports.report_types import checked_options, report_kind
from amazon_jobs.simulator.reports.requests import ReportSpec

__all__ = ["report_spec"]


def report_spec(body: bytes, now: datetime) -> ReportSpec:
    """A ``CreateReportSpecification``."""
    data = json_object(body)
    kind = report_kind(required_string(data, "reportType"))
    markets = marketplace_ids(data.get("marketplaceIds"))
    start, end = _data_time(data, "dataStartTime", now), _data_time(data, "dataEndTime", now)
    if start is not None and end is not None and start > end:
        raise invalid_input("dataStartTime must not be later than dataEndTime.")
    options = string_map(data.get("reportOptions"), "reportOptions")
    return ReportSpec(
        report_type=kind.name,
        marketplace_ids=markets,
        data_start=start,
        data_end=end,
        options=checked_options(kind, options),
    )


def _data_time(data: dict[str, Any], name: str, now: datetime) -> datetime | None:
    raw = data.get(name)
    if raw is None:
        return None
    try:
        value = parse_time(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        raise invalid_input(f"{name} must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z.")
    if value > now:
        raise invalid_input(f"{name} must not be in the future.")
    return value
