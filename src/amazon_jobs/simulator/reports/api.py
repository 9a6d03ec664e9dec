"""The Reports API 2021-06-30 operations, run by the gateway under the simulator's lock.

Each function takes the admitted :class:`Call` and the request's inputs and
returns a :class:`Reply`, or raises :class:`ApiError` (400/404). Field names
are the model's; how reports run and end is in ``simulator.reports.requests``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amazon_jobs.simulator.common.errors import invalid_input, not_found
from amazon_jobs.simulator.common.gateway import Call, Reply
from amazon_jobs.simulator.common.processing_query import Entry, newest_page, processing_query
from amazon_jobs.simulator.common.query import Params
from amazon_jobs.simulator.common.timefmt import format_time
from amazon_jobs.simulator.common.urls import document_json
from amazon_jobs.simulator.reports.requests import ReportStatus, SimReport
from amazon_jobs.simulator.reports.specs import report_spec

__all__ = [
    "cancel_report",
    "create_report",
    "get_report",
    "get_report_document",
    "get_reports",
    "report_json",
]


def create_report(call: Call, body: bytes) -> Reply:
    """POST /reports/2021-06-30/reports -> 202 {reportId}."""
    spec = report_spec(body, call.now)
    config = call.simulator.config
    report = call.simulator.reports.add(
        call.seller_id, spec, call.now, config.report_queue_s, config.report_processing_s
    )
    return Reply(202, {"reportId": report.report_id})


def get_report(call: Call, report_id: str) -> Reply:
    """GET /reports/2021-06-30/reports/{reportId} -> 200 Report."""
    return Reply(200, report_json(_report(call, report_id), call.now))


def get_reports(call: Call, params: Params) -> Reply:
    """GET /reports/2021-06-30/reports -> 200 {reports, nextToken?}, newest first."""
    query = processing_query(params, call.now, "reportTypes")

    def entry(report: SimReport) -> Entry:
        spec = report.spec
        status = report.status_at(call.now)
        return Entry(
            report.sequence, report.created_at, spec.report_type, status, spec.marketplace_ids
        )

    reports = reversed(call.simulator.reports.of(call.seller_id))
    page, next_token = newest_page(reports, entry, query)
    body: dict[str, Any] = {"reports": [report_json(report, call.now) for report in page]}
    if next_token is not None:
        body["nextToken"] = next_token
    return Reply(200, body)


def cancel_report(call: Call, report_id: str) -> Reply:
    """DELETE /reports/2021-06-30/reports/{reportId} -> 200, only while IN_QUEUE."""
    report = _report(call, report_id)
    status = report.status_at(call.now)
    if status != ReportStatus.IN_QUEUE:
        raise invalid_input(
            f"Report {report_id} cannot be cancelled: its processingStatus is {status}; "
            "only IN_QUEUE reports can be cancelled."
        )
    call.simulator.reports.cancel(report, call.now)
    return Reply(200)


def get_report_document(call: Call, document_id: str, params: Params) -> Reply:
    """GET /reports/2021-06-30/documents/{reportDocumentId} -> 200 ReportDocument."""
    document = call.simulator.documents.get(document_id)
    if document is None or document.seller_id != call.seller_id or not document.report:
        raise not_found(f"Report document {document_id} does not exist.")
    signer = call.simulator.signer
    return Reply(
        200, document_json(signer, call.base_url, document, call.now, params, "reportDocumentId")
    )


def report_json(report: SimReport, now: datetime) -> dict[str, Any]:
    """The model's ``Report`` for *report* at *now*."""
    status = report.status_at(now)
    spec = report.spec
    data: dict[str, Any] = {
        "reportId": report.report_id,
        "reportType": spec.report_type,
        "marketplaceIds": list(spec.marketplace_ids),
        "dataStartTime": format_time(spec.data_start or report.created_at),
        "dataEndTime": format_time(spec.data_end or report.created_at),
        "createdTime": format_time(report.created_at),
        "processingStatus": str(status),
    }
    if status != ReportStatus.IN_QUEUE and report.cancelled_at is None:
        data["processingStartTime"] = format_time(report.starts_at)
    if report.outcome is not None:
        data["processingEndTime"] = format_time(report.ends_at)
    if report.document_id is not None:
        data["reportDocumentId"] = report.document_id
    return data


def _report(call: Call, report_id: str) -> SimReport:
    report = call.simulator.reports.find(call.seller_id, report_id)
    if report is None:
        raise not_found(f"Report {report_id} does not exist.")
    return report
