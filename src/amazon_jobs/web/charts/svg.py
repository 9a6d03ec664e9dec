"""SVG drawing of a :class:`~amazon_jobs.web.charts.model.Chart`.

Everything a browser needs is in the markup: geometry as attributes, colours
as classes of style.css (the CSP allows no inline style), every text escaped.
The SVG is ``role="img"`` with a ``<title>`` and a ``<desc>``; each bar and
point carries its own ``<title>`` (the value on hover). The table behind the
chart is the page's business.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from markupsafe import Markup, escape

from amazon_jobs.web.charts.model import Chart, number

__all__ = ["nice_max", "render_svg", "sparkline"]

#: Rough width of a character of the axis font, in SVG units, to lay out labels.
CHAR_W = 6.5
LEFT, RIGHT, TOP = 52.0, 12.0, 20.0
X_LABELS_H = 22.0
LEGEND_ROW_H = 18.0
#: Above this many labels, lines are drawn without a dot per point.
MAX_DOTS = 72


def ticks(y_max: float) -> int:
    """How many steps the y axis has: round steps for every nice maximum (2 → 0.5, 5 → 1)."""
    leading = y_max / 10.0 ** math.floor(math.log10(y_max))
    return 4 if round(leading, 6) == 2 else 5


def nice_max(value: float) -> float:
    """The least of 1, 2, 2.5, 5 times a power of ten not below *value* (1 for nothing)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power  # pragma: no cover - the loop always returns


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _legend_rows(chart: Chart, width: float) -> list[list[tuple[float, int]]]:
    """The legend's items as rows of (x, series index) that fit *width*."""
    rows: list[list[tuple[float, int]]] = [[]]
    x = LEFT
    for index, series in enumerate(chart.series):
        item_w = 14 + CHAR_W * len(series.name) + 16
        if rows[-1] and x + item_w > width - RIGHT:
            rows.append([])
            x = LEFT
        rows[-1].append((x, index))
        x += item_w
    return rows if chart.series else []


def render_svg(chart: Chart, width: int = 600, height: int = 260) -> Markup:
    """The chart as an ``<svg>`` element with axes, labels and a legend."""
    legend = _legend_rows(chart, width)
    bottom = X_LABELS_H + LEGEND_ROW_H * len(legend) + 4
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - bottom
    if chart.kind == "stacked":
        tallest = max(
            (sum(s.values[i] for s in chart.series) for i in range(len(chart.labels))), default=0.0
        )
    else:
        tallest = max((v for s in chart.series for v in s.values), default=0.0)
    y_max = nice_max(tallest)
    title_id, desc_id = f"{chart.key}-title", f"{chart.key}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(title_id)}" aria-describedby="{escape(desc_id)}" '
        f'data-y-max="{_f(y_max)}">',
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(chart.summary or chart.title)}</desc>',
        f'<text class="axis-unit" x="{_f(LEFT - 6)}" y="12" text-anchor="end">'
        f"{escape(chart.unit)}</text>",
    ]
    parts.extend(_y_axis(y_max, plot_w, plot_h))
    parts.extend(_x_labels(chart, plot_w, plot_h))
    if chart.empty:
        parts.append(
            f'<text class="chart-empty" x="{_f(LEFT + plot_w / 2)}" y="{_f(TOP + plot_h / 2)}" '
            'text-anchor="middle">Nothing in this period</text>'
        )
    elif chart.kind == "line":
        parts.extend(_lines(chart, y_max, plot_w, plot_h))
    else:
        parts.extend(_bars(chart, y_max, plot_w, plot_h))
    parts.extend(_legend(chart, legend, TOP + plot_h + X_LABELS_H))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts is escaped


def _y_axis(y_max: float, plot_w: float, plot_h: float) -> Iterator[str]:
    steps = ticks(y_max)
    for k in range(steps + 1):
        value = y_max * k / steps
        y = TOP + plot_h - plot_h * k / steps
        yield (
            f'<line class="{"axis" if k == 0 else "grid"}" x1="{_f(LEFT)}" y1="{_f(y)}" '
            f'x2="{_f(LEFT + plot_w)}" y2="{_f(y)}"></line>'
        )
        yield (
            f'<text class="axis-label" x="{_f(LEFT - 6)}" y="{_f(y + 4)}" '
            f'text-anchor="end">{escape(number(value))}</text>'
        )


def _x_labels(chart: Chart, plot_w: float, plot_h: float) -> Iterator[str]:
    n = len(chart.labels)
    if not n:
        return
    band = plot_w / n
    longest = max(len(label) for label in chart.labels)
    room = max(1, int(plot_w // (CHAR_W * longest + 10)))
    step = max(1, math.ceil(n / room))
    for i in range(0, n, step):
        x = LEFT + band * (i + 0.5)
        yield (
            f'<text class="axis-label" x="{_f(x)}" y="{_f(TOP + plot_h + 15)}" '
            f'text-anchor="middle">{escape(chart.labels[i])}</text>'
        )


def _tip(chart: Chart, i: int, name: str, value: float) -> str:
    text = f"{chart.labels[i]} · {name}: {number(value)} {chart.unit}"
    return f"<title>{escape(text.strip())}</title>"


def _bars(chart: Chart, y_max: float, plot_w: float, plot_h: float) -> Iterator[str]:
    n, count = len(chart.labels), len(chart.series)
    band = plot_w / n
    gap = band * 0.15 if band >= 4 else 0.0
    for i in range(n):
        x0 = LEFT + band * i + gap / 2
        base = TOP + plot_h
        for s, series in enumerate(chart.series):
            value = series.values[i]
            if value <= 0:
                continue
            h = plot_h * value / y_max
            if chart.kind == "stacked":
                x, w, y = x0, band - gap, base - h
                base = y
            else:
                w = (band - gap) / count
                x, y = x0 + w * s, TOP + plot_h - h
            yield (
                f'<rect class="bar {escape(series.tone)}" x="{_f(x)}" y="{_f(y)}" '
                f'width="{_f(w)}" height="{_f(h)}" data-value="{_f(value)}">'
                f"{_tip(chart, i, series.name, value)}</rect>"
            )


def _lines(chart: Chart, y_max: float, plot_w: float, plot_h: float) -> Iterator[str]:
    n = len(chart.labels)
    band = plot_w / n
    for series in chart.series:
        points = [
            (LEFT + band * (i + 0.5), TOP + plot_h - plot_h * v / y_max)
            for i, v in enumerate(series.values)
        ]
        coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
        yield f'<polyline class="line {escape(series.tone)}" points="{coords}"></polyline>'
        if n > MAX_DOTS:
            continue
        for i, (x, y) in enumerate(points):
            value = series.values[i]
            yield (
                f'<circle class="dot {escape(series.tone)}" cx="{_f(x)}" cy="{_f(y)}" r="2.5" '
                f'data-value="{_f(value)}">{_tip(chart, i, series.name, value)}</circle>'
            )


def _legend(chart: Chart, rows: list[list[tuple[float, int]]], top: float) -> Iterator[str]:
    for r, row in enumerate(rows):
        y = top + LEGEND_ROW_H * r + 4
        for x, index in row:
            series = chart.series[index]
            yield (
                f'<g class="legend-item"><rect class="swatch {escape(series.tone)}" x="{_f(x)}" '
                f'y="{_f(y)}" width="10" height="10" rx="2"></rect>'
                f'<text class="legend-label" x="{_f(x + 14)}" y="{_f(y + 9)}">'
                f"{escape(series.name)}</text></g>"
            )


def sparkline(chart: Chart, width: int = 120, height: int = 24) -> Markup:
    """A small stacked-bar version of *chart*, without axes or legend, for a table cell.

    Its only text is its ``aria-label`` (no ``<title>`` per bar): the cell reads as
    the number next to it."""
    n = len(chart.labels)
    totals = [sum(s.values[i] for s in chart.series) for i in range(n)]
    y_max = max(totals, default=0.0) or 1.0
    band = width / n if n else float(width)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(chart.summary or chart.title)}">',
        f'<line class="axis" x1="0" y1="{height}" x2="{width}" y2="{height}"></line>',
    ]
    for i in range(n):
        base = float(height)
        for series in chart.series:
            value = series.values[i]
            if value <= 0:
                continue
            h = height * value / y_max
            base -= h
            parts.append(
                f'<rect class="bar {escape(series.tone)}" x="{_f(band * i)}" y="{_f(base)}" '
                f'width="{_f(max(band - 0.5, 0.5))}" height="{_f(h)}" data-value="{_f(value)}">'
                "</rect>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts is escaped
