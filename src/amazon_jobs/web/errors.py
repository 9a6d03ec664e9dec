"""One JSON shape for every API error, with a message a person can act on.

    {"error": {"status": 404, "code": "not_found", "message": "job 7 does not exist",
               "details": [...]}}

A bad request is a 4xx with this shape, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from amazon_jobs.errors import (
    AmazonJobsError,
    ConfigError,
    CsvError,
    IllegalTransition,
    JobNotFound,
    NotCancelable,
    SelectionError,
)

__all__ = ["ApiError", "LoginRequired", "error_body", "install_error_handlers"]

logger = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}


class ApiError(Exception):
    """An error answered in the one JSON shape."""

    def __init__(self, status: int, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []


class LoginRequired(Exception):
    """A page needs a logged-in user: the browser is sent to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def error_body(status: int, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": _CODES.get(status, "error"),
            "message": message,
            "details": details or [],
        }
    }


def _json(status: int, message: str, details: list[Any] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(status, message, details), status, headers=headers)


def _status_of(exc: AmazonJobsError) -> int:
    if isinstance(exc, JobNotFound):
        return 404
    if isinstance(exc, (NotCancelable, IllegalTransition)):
        return 409
    if isinstance(exc, (SelectionError, CsvError, ConfigError)):
        return 422
    return 400


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return _json(exc.status, exc.message, exc.details)

    @app.exception_handler(AmazonJobsError)
    async def domain_error(_: Request, exc: AmazonJobsError) -> Response:
        return _json(_status_of(exc), exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        details = [
            {
                "where": ".".join(str(p) for p in error.get("loc", ())),
                "problem": str(error.get("msg", "")),
            }
            for error in exc.errors()
        ]
        summary = "; ".join(f"{d['where']}: {d['problem']}" for d in details[:5])
        return _json(422, f"the request is not valid: {summary}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        return _json(exc.status_code, str(exc.detail))

    @app.exception_handler(LoginRequired)
    async def login(_: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        logger.exception("unexpected error", exc_info=exc)
        return _json(500, "something went wrong on our side; the log has the details")
