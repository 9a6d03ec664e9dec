"""The report types the simulator makes, the ``reportOptions`` each accepts, and how
each document is written.

Amazon's "Report Type Values — Inventory" page lists, per report type, the
``reportOptions`` it accepts [amzn/selling-partner-api-docs
references/reports-api/reporttype-values.md; sp-api-facts.md §6]:

- ``GET_FLAT_FILE_OPEN_LISTINGS_DATA`` (Inventory Report): ``custom`` ("A Boolean
  value that indicates whether a custom report is returned. Default: false") and
  ``preferredReportDocumentLocale`` (a locale such as ``en_US``);
- ``GET_MERCHANT_LISTINGS_ALL_DATA`` (All Listings Report): ``custom``;
- ``GET_MERCHANT_LISTINGS_DATA`` (Active Listings Report): none.

Both options are checked and kept with the report; neither changes the
document here: a seller of the simulator has no custom report layout set up in
Seller Central, and the header names of another locale are not known to us,
so the document keeps Amazon's documented column names.

A ``reportType`` the simulator does not make is refused at createReport with
400 ``InvalidInput`` "Invalid Report Type …", the code and wording Amazon
answers for a report type it does not know [amzn/selling-partner-api-models
#1926]; so is an option the type does not take, or a value it does not
accept, with a message that says what to fix. Amazon's ``ErrorList`` code for
every createReport refusal is ``InvalidInput`` [#1810, #1926].

``dataStartTime`` and ``dataEndTime`` are checked for every type (ISO 8601, not
in the future, start not after end: ``simulator.reports.specs``) and echoed in
the ``Report``, but the three listings reports are snapshots of the listings
as they are when the report runs and do not use them: the model says of both
"Not all report types make use of this" [reports_2021-06-30.json,
``CreateReportSpecification``], and the Inventory page gives none of these
reports a date range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from amazon_jobs.domain.marketplaces import MARKETPLACES
from amazon_jobs.simulator.common.errors import invalid_input
from amazon_jobs.simulator.reports.listings_report import (
    LISTINGS_ACTIVE,
    LISTINGS_ALL,
    ListingsReport,
    render_listings_report,
)
from amazon_jobs.simulator.reports.open_listings_report import (
    OPEN_LISTINGS,
    render_open_listings_report,
)
from amazon_jobs.simulator.reports.tsv import RenderedReport

__all__ = ["REPORT_TYPES", "ReportKind", "checked_options", "render_report", "report_kind"]

_BOOLEAN = frozenset({"true", "false"})
#: The language tags of Amazon's marketplaces (``en_US``, ``de_DE``…).
_LOCALES = frozenset(m.language for m in MARKETPLACES.values())


class Renderer(Protocol):
    """Writes the document of a report, or returns None when it has no row."""

    def __call__(self, report: ListingsReport, *, compress: bool) -> RenderedReport | None: ...


@dataclass(frozen=True, slots=True)
class ReportKind:
    """One report type: the options it accepts (each with its values) and its writer."""

    name: str
    render: Renderer
    options: Mapping[str, frozenset[str]] = field(default_factory=dict)


REPORT_TYPES: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind(
            OPEN_LISTINGS,
            render_open_listings_report,
            {"custom": _BOOLEAN, "preferredReportDocumentLocale": _LOCALES},
        ),
        ReportKind(LISTINGS_ALL, render_listings_report, {"custom": _BOOLEAN}),
        ReportKind(LISTINGS_ACTIVE, render_listings_report),
    )
}


def report_kind(report_type: str) -> ReportKind:
    """The kind of *report_type*; 400 InvalidInput when the simulator does not make it."""
    kind = REPORT_TYPES.get(report_type)
    if kind is None:
        raise invalid_input(
            f"Invalid Report Type {report_type}",
            f"The simulator makes these report types: {', '.join(sorted(REPORT_TYPES))}.",
        )
    return kind


def checked_options(kind: ReportKind, options: Mapping[str, str]) -> dict[str, str]:
    """*options* when *kind* accepts each of them with its value; else 400 InvalidInput."""
    for name, value in options.items():
        values = kind.options.get(name)
        if values is None:
            accepted = ", ".join(sorted(kind.options)) or "none"
            raise invalid_input(
                f"reportOptions {name!r} is not an option of {kind.name}.",
                f"Options of {kind.name}: {accepted}.",
            )
        if value not in values:
            raise invalid_input(
                f"reportOptions {name!r} of {kind.name} cannot be {value!r}.",
                f"Accepted values: {', '.join(sorted(values))}.",
            )
    return dict(options)


def render_report(report: ListingsReport, *, compress: bool) -> RenderedReport | None:
    """The document of *report* (of a type in :data:`REPORT_TYPES`), or None when it has
    no row: Amazon then cancels the report."""
    return REPORT_TYPES[report.report_type].render(report, compress=compress)
