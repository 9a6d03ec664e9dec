"""Routes of the Reports API 2021-06-30, each handed to the gateway."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.gateway import Gateway
from amazon_jobs.simulator.reports import api as reports_api
from amazon_jobs.simulator.routes.operations import OperationRoute, Reads, operations_router

__all__ = ["PREFIX", "reports_router"]

PREFIX = "/reports/2021-06-30"

_ROUTES = (
    OperationRoute(
        "POST", "/reports", Operation.CREATE_REPORT, reports_api.create_report, Reads.BODY
    ),
    OperationRoute("GET", "/reports", Operation.GET_REPORTS, reports_api.get_reports, Reads.QUERY),
    OperationRoute("GET", "/reports/{report_id}", Operation.GET_REPORT, reports_api.get_report),
    OperationRoute(
        "DELETE", "/reports/{report_id}", Operation.CANCEL_REPORT, reports_api.cancel_report
    ),
    OperationRoute(
        "GET",
        "/documents/{document_id}",
        Operation.GET_REPORT_DOCUMENT,
        reports_api.get_report_document,
        Reads.QUERY,
    ),
)


def reports_router(gateway: Gateway) -> APIRouter:
    """createReport, getReports, getReport, cancelReport and getReportDocument."""
    return operations_router(PREFIX, gateway, _ROUTES)
