"""Charts drawn on the server as SVG: no script, no inline style, nothing from a CDN.

:mod:`.model` holds what a chart shows (labels, series, unit); :mod:`.svg`
draws it as bars, stacked bars or lines with axes and a legend. The page puts
the same data in a table next to each picture (``_charts.html``), for screen
readers and for tests.
"""

from __future__ import annotations

from amazon_jobs.web.charts.model import Chart, Kind, Series, number
from amazon_jobs.web.charts.svg import render_svg, sparkline

__all__ = ["Chart", "Kind", "Series", "number", "render_svg", "sparkline"]
