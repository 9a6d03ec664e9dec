"""Reports API 2021-06-30: request a report, follow it, locate its document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amazon_jobs.amazon.engine import ApiEngine, Call, segment
from amazon_jobs.amazon.models import DocumentLocation, format_time, parse_time, require
from amazon_jobs.domain.limits import Operation

__all__ = ["Report", "ReportsApi"]

REPORTS = "/reports/2021-06-30"


@dataclass(frozen=True, slots=True)
class Report:
    """getReport's answer."""

    report_id: str
    report_type: str
    processing_status: str
    created_time: datetime | None
    report_document_id: str | None

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Report:
        require(body, "reportId", "reportType", "processingStatus")
        return cls(
            report_id=str(body["reportId"]),
            report_type=str(body["reportType"]),
            processing_status=str(body["processingStatus"]),
            created_time=parse_time(body.get("createdTime")),
            report_document_id=body.get("reportDocumentId") or None,
        )


class ReportsApi(ApiEngine):
    def create_report(self, report_type: str, marketplace_ids: list[str]) -> str:
        call = Call(
            Operation.CREATE_REPORT,
            "POST",
            f"{REPORTS}/reports",
            frozenset({202}),
            retry_safe=False,
        )
        body = {"reportType": report_type, "marketplaceIds": marketplace_ids}
        return str(self._json(call, json=body)["reportId"])

    def get_reports(
        self, report_types: list[str], created_since: datetime, next_token: str | None = None
    ) -> tuple[list[Report], str | None]:
        """One page of reports; with *next_token* the other filters are not sent."""
        call = Call(Operation.GET_REPORTS, "GET", f"{REPORTS}/reports")
        params = (
            {"nextToken": next_token}
            if next_token
            else {
                "reportTypes": ",".join(report_types),
                "createdSince": format_time(created_since),
                "pageSize": 100,
            }
        )
        body = self._json(call, params=params)
        return [Report.from_api(r) for r in body.get("reports") or []], body.get("nextToken")

    def get_report(self, report_id: str) -> Report:
        call = Call(Operation.GET_REPORT, "GET", f"{REPORTS}/reports/{segment(report_id)}")
        return Report.from_api(self._json(call))

    def get_report_document(self, document_id: str) -> DocumentLocation:
        path = f"{REPORTS}/documents/{segment(document_id)}"
        call = Call(Operation.GET_REPORT_DOCUMENT, "GET", path)
        return DocumentLocation.from_api(self._json(call), id_field="reportDocumentId")
