"""Reports requested through the Reports API 2021-06-30, and when each one runs.

A report stays ``IN_QUEUE`` for ``report_queue_s`` after createReport, then
``IN_PROGRESS`` for ``report_processing_s``; reports of a seller run side by
side (unlike feeds, which run one at a time). Nothing runs in the background:
the simulator finishes every report whose end has passed whenever it is asked
anything, reading the seller's listings as they are at that end.

How a report ends:

- ``DONE`` with a document, written as its type says
  (``simulator.reports.report_types``: the Inventory Report and the merchant
  listings reports; createReport refuses every other type);
- ``CANCELLED`` when the document would hold no row (a seller without
  listings, or without active ones for ``GET_MERCHANT_LISTINGS_DATA``): Amazon
  cancels a report automatically "if there is no data to return"
  [reports_2021-06-30.json, ``processingStatus``];
- ``FATAL`` without a document when hit by an injected fault
  (:meth:`.Faults.fail_next_reports`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from amazon_jobs.simulator.models import FeedStatus

__all__ = ["ReportBook", "ReportSpec", "ReportStatus", "SimReport"]

#: A report's ``processingStatus``: the same five values as a feed's.
ReportStatus = FeedStatus
_FIRST_REPORT_ID = 51_000_019_001


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """A valid ``CreateReportSpecification``."""

    report_type: str
    marketplace_ids: tuple[str, ...]
    data_start: datetime | None = None
    data_end: datetime | None = None
    options: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SimReport:
    """A requested report. Its status follows from the clock until it is finished."""

    report_id: str
    seller_id: str
    spec: ReportSpec
    created_at: datetime
    #: Creation order across the simulator; getReports pages on it.
    sequence: int
    starts_at: datetime
    ends_at: datetime
    cancelled_at: datetime | None = None
    #: DONE, FATAL or CANCELLED once finished.
    outcome: ReportStatus | None = None
    document_id: str | None = None
    #: Data rows of the document, once DONE.
    rows: int | None = None

    def status_at(self, now: datetime) -> ReportStatus:
        """The ``processingStatus`` at *now*."""
        if self.cancelled_at is not None:
            return ReportStatus.CANCELLED
        if self.outcome is not None:
            return self.outcome
        return ReportStatus.IN_QUEUE if now < self.starts_at else ReportStatus.IN_PROGRESS


class ReportBook:
    """Every seller's reports; not thread-safe (the simulator holds its lock)."""

    def __init__(self) -> None:
        self._numbers = itertools.count(_FIRST_REPORT_ID)
        self._reports: dict[str, list[SimReport]] = {}
        self._open: list[SimReport] = []

    def add(
        self, seller_id: str, spec: ReportSpec, now: datetime, queue_s: float, processing_s: float
    ) -> SimReport:
        """Queue a report of *spec* for *seller_id*."""
        number = next(self._numbers)
        starts_at = now + timedelta(seconds=queue_s)
        report = SimReport(
            report_id=str(number),
            seller_id=seller_id,
            spec=spec,
            created_at=now,
            sequence=number,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(seconds=processing_s),
        )
        self._reports.setdefault(seller_id, []).append(report)
        self._open.append(report)
        return report

    def of(self, seller_id: str) -> list[SimReport]:
        """The seller's reports, oldest first."""
        return self._reports.get(seller_id, [])

    def find(self, seller_id: str, report_id: str) -> SimReport | None:
        return next((r for r in self.of(seller_id) if r.report_id == report_id), None)

    def all(self) -> list[SimReport]:
        """Every report, oldest first."""
        return sorted(
            (report for reports in self._reports.values() for report in reports),
            key=lambda report: report.sequence,
        )

    def due(self, seller_id: str, now: datetime) -> list[SimReport]:
        """The seller's open reports whose processing has ended by *now*, by end time."""
        due = [r for r in self._open if r.seller_id == seller_id and r.ends_at <= now]
        return sorted(due, key=lambda report: (report.ends_at, report.sequence))

    def cancel(self, report: SimReport, now: datetime) -> None:
        """Cancel an open report (the caller checked it is IN_QUEUE)."""
        report.cancelled_at = now
        self._open.remove(report)

    def close(self, report: SimReport, outcome: ReportStatus, document_id: str | None) -> None:
        """Record how a finished report ended."""
        report.outcome, report.document_id = outcome, document_id
        self._open.remove(report)
