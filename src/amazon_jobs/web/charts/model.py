"""What a chart shows, independent of how it is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Chart", "Kind", "Series", "number"]

#: "bar": one bar per series side by side; "stacked": series on top of each other;
#: "line": one line per series.
Kind = Literal["bar", "stacked", "line"]


def number(value: float) -> str:
    """A value as an axis, a tooltip or a table shows it: ``12``, ``2.5``, ``0.25``."""
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values, one per label of its chart."""

    name: str
    values: tuple[float, ...]
    #: The colour, as a class of style.css: ``tone-0`` … ``tone-7``, or a status
    #: (``tone-done``, ``tone-error``, …).
    tone: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: labels along the x axis, series of values, what the values count."""

    #: Unique on the page: the ids of the SVG's title and description derive from it.
    key: str
    title: str
    kind: Kind
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    #: What a value is, e.g. "jobs", "min", "calls".
    unit: str
    #: One sentence summing the chart up for screen readers.
    summary: str = ""
    #: What the labels are, as the table's first column heads it ("Hour", "Job type").
    x_name: str = ""

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"series {series.name!r} has {len(series.values)} values")

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    def rows(self) -> list[tuple[str, list[str]]]:
        """The chart as table rows: a label and one value per series, as text; the
        labels where every value is 0 are left out (a week is 168 hours)."""
        return [
            (label, [number(s.values[i]) for s in self.series])
            for i, label in enumerate(self.labels)
            if any(s.values[i] for s in self.series)
        ]
