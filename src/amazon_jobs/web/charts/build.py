"""The dashboard's charts, made from the store's grouped counts and the clock's now.

Pure functions: the page reads the numbers (:mod:`amazon_jobs.store.charts`)
in one read transaction and hands them here with *now*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.store.charts import BucketMinutes, Durations, bucket_start
from amazon_jobs.web.charts.model import Chart, Series, number

__all__ = [
    "HOUR",
    "RANGES",
    "Range",
    "Window",
    "errors_chart",
    "errors_window",
    "jobs_chart",
    "jobs_window",
    "quota_chart",
    "quota_charts",
    "time_to_done_chart",
    "window",
]

HOUR, DAY = 3600, 86400
Range = Literal["day", "week"]
RANGES: tuple[Range, ...] = ("day", "week")
#: Codes drawn one by one; the rest are summed as "other".
TOP_CODES = 7
#: The job statuses in the order their bars stack, bottom first.
STATUS_ORDER = (
    JobStatus.DONE,
    JobStatus.ERROR,
    JobStatus.CANCELED,
    JobStatus.WAITING_FOR_RESULT,
    JobStatus.PROCESSING,
    JobStatus.CREATED,
    JobStatus.RESERVED,
)


@dataclass(frozen=True, slots=True)
class Window:
    """The buckets a chart shows: *count* buckets of *seconds*, the last one holding now."""

    first: int
    count: int
    seconds: int

    @property
    def since(self) -> datetime:
        return bucket_start(self.first, self.seconds)

    @property
    def buckets(self) -> range:
        return range(self.first, self.first + self.count)

    def label(self, bucket: int) -> str:
        start = bucket_start(bucket, self.seconds)
        if self.seconds >= DAY:
            return start.strftime("%a %d %b")
        if self.count > 24:
            return start.strftime("%a %H:00")
        if self.seconds >= HOUR:
            return start.strftime("%H:00")
        return start.strftime("%H:%M")


def window(now: datetime, seconds: int, count: int) -> Window:
    """The last *count* buckets of *seconds* up to *now* (UTC)."""
    current = int(now.timestamp() // seconds)
    return Window(current - count + 1, count, seconds)


def jobs_window(span: Range, now: datetime) -> Window:
    return window(now, HOUR, 24 if span == "day" else 24 * 7)


def errors_window(span: Range, now: datetime) -> Window:
    return window(now, HOUR, 24) if span == "day" else window(now, DAY, 7)


def jobs_chart(counts: Mapping[tuple[int, str], int], w: Window, span: Range) -> Chart:
    """Jobs created per hour, stacked by their status now."""
    present = {status for _, status in counts}
    statuses = [s for s in STATUS_ORDER if s.value in present] or [JobStatus.DONE]
    series = tuple(
        Series(
            status.label,
            tuple(float(counts.get((b, status.value), 0)) for b in w.buckets),
            f"tone-{status.value}",
        )
        for status in statuses
    )
    total = sum(counts.get((b, s), 0) for b in w.buckets for s in present)
    return Chart(
        key=f"jobs-{span}",
        title=f"Jobs created per hour, by status, last {span}",
        kind="stacked",
        labels=tuple(w.label(b) for b in w.buckets),
        series=series,
        unit="jobs",
        summary=f"Jobs created in the last {span}: {total}.",
        x_name="Hour (UTC)",
    )


def errors_chart(counts: Mapping[tuple[int, str], int], w: Window, span: Range) -> Chart:
    """Failed items by Amazon's error code, per bucket of their job's finish."""
    in_window = {(b, c): n for (b, c), n in counts.items() if b in w.buckets}
    totals: dict[str, int] = {}
    for (_, code), n in in_window.items():
        totals[code] = totals.get(code, 0) + n
    ranked = sorted(totals, key=lambda c: (-totals[c], c))
    shown, rest = ranked[:TOP_CODES], set(ranked[TOP_CODES:])
    series = [
        Series(code, tuple(float(in_window.get((b, code), 0)) for b in w.buckets), f"tone-{k}")
        for k, code in enumerate(shown)
    ]
    if rest:
        values = tuple(float(sum(in_window.get((b, c), 0) for c in rest)) for b in w.buckets)
        series.append(Series("other codes", values, "tone-7"))
    worst = f"; most often {ranked[0]} ({totals[ranked[0]]})" if ranked else ""
    per = "hour" if w.seconds == HOUR else "day"
    return Chart(
        key=f"errors-{span}",
        title=f"Failed items by Amazon error code, per {per}, last {span}",
        kind="stacked",
        labels=tuple(w.label(b) for b in w.buckets),
        series=tuple(series),
        unit="items",
        summary=f"Items failed in the last {span}: {sum(totals.values())}{worst}.",
        x_name="Hour (UTC)" if per == "hour" else "Day (UTC)",
    )


def _unit(seconds: float) -> tuple[str, float]:
    if seconds >= 2 * HOUR:
        return "h", HOUR
    if seconds >= 120:
        return "min", 60
    return "s", 1


def time_to_done_chart(durations: Mapping[str, Durations], span: Range) -> Chart:
    """Median and 95th percentile of creation to Done, per job type."""
    types = [t for t in JobType if t.value in durations]
    unit, scale = _unit(max((d.p95 for d in durations.values()), default=0.0))
    p50 = tuple(round(durations[t.value].p50 / scale, 2) for t in types)
    p95 = tuple(round(durations[t.value].p95 / scale, 2) for t in types)
    done = sum(d.count for d in durations.values())
    return Chart(
        key=f"done-{span}",
        title=f"Time from creation to Done, per job type, last {span}",
        kind="bar",
        labels=tuple(t.label for t in types),
        series=(Series("median (p50)", p50, "tone-0"), Series("p95", p95, "tone-1")),
        unit=unit,
        summary=f"Jobs done in the last {span}: {done}.",
        x_name="Job type",
    )


def quota_chart(bucket: BucketMinutes, now: datetime, group: int = 5) -> Chart:
    """Calls and 429s of one bucket over the last hour, per *group* minutes."""
    w = window(now, 60 * group, 60 // group)
    first_minute = w.first * group

    def per_group(counts: Mapping[int, int]) -> tuple[float, ...]:
        values = [0.0] * w.count
        for minute, n in counts.items():
            index = (minute - first_minute) // group
            if 0 <= index < w.count:
                values[index] += n
        return tuple(values)

    calls, throttled = per_group(bucket.grants), per_group(bucket.throttled)
    return Chart(
        key=f"quota-{bucket.account_id}-{bucket.operation}",
        title=f"{bucket.operation} on {bucket.account}: calls and 429s per {group} min",
        kind="bar",
        labels=tuple(w.label(b) for b in w.buckets),
        series=(Series("calls", calls, "tone-0"), Series("429s", throttled, "tone-error")),
        unit="calls",
        summary=(
            f"{bucket.operation}: {number(sum(calls))} calls and {number(sum(throttled))} "
            "429s in the last hour."
        ),
        x_name="Minute (UTC)",
    )


def quota_charts(
    buckets: Sequence[BucketMinutes], now: datetime
) -> list[tuple[BucketMinutes, Chart]]:
    """The buckets used in the last hour, each with its chart."""
    since = int(now.timestamp() // 60) - 59
    used = [
        b
        for b in buckets
        if any(m >= since for m in b.grants) or any(m >= since for m in b.throttled)
    ]
    return [(b, quota_chart(b, now)) for b in used]
