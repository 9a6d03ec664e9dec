"""One JSON shape for every API error, with a message a person can act on.

    {"error": {"status": 404, "code": "not_found", "message": "job 7 does not exist",
               "details": [...]}}

A bad request is a 4xx with this shape, never a 500. An API request whose body
is larger than :data:`MAX_API_BODY_BYTES` is answered 413 without being read:
at once when its Content-Length says so, else as soon as that many bytes came.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_jobs.errors import (
    AccountUnavailable,
    AmazonJobsError,
    ConfigError,
    CredentialsRequired,
    CsvError,
    IllegalTransition,
    JobNotFound,
    NotCancelable,
    OrderConflict,
    OrderNotFound,
    SelectionError,
)
from amazon_jobs.web.headers import NO_STORE, SECURITY_HEADERS

__all__ = [
    "API_PREFIX",
    "MAX_API_BODY_BYTES",
    "ApiError",
    "LoginRequired",
    "error_body",
    "install_error_handlers",
]

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
#: The largest request body the API reads: 10 000 product rows with 500-character
#: titles fit, even with every character written as a \uXXXX escape.
MAX_API_BODY_BYTES = 32 * 1024 * 1024
TOO_LARGE = (
    f"the request body is larger than {MAX_API_BODY_BYTES // (1024 * 1024)} MiB: "
    "send fewer rows per request"
)
UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's words

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

    def __init__(self, next_url: str, *, expired: bool = False) -> None:
        super().__init__(next_url)
        self.next_url, self.expired = next_url, expired


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
    if isinstance(exc, (JobNotFound, OrderNotFound)):
        return 404
    if isinstance(exc, (NotCancelable, IllegalTransition, AccountUnavailable, OrderConflict)):
        return 409
    if isinstance(exc, (SelectionError, CsvError, ConfigError, CredentialsRequired)):
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
        if exc.status_code == 413:
            return _json(413, TOO_LARGE)
        if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
            return _json(
                400, "the request body cannot be read: it is not JSON, or nested too deeply"
            )
        return _json(exc.status_code, str(exc.detail))

    app.add_middleware(DeclaredBodyLimit)

    @app.exception_handler(LoginRequired)
    async def login(_: Request, exc: LoginRequired) -> Response:
        # A browser whose session cookie is over is told so on the login page.
        expired = "&expired=1" if exc.expired else ""
        return RedirectResponse(f"/login?next={exc.next_url}{expired}", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        logger.exception("unexpected error", exc_info=exc)
        # Sent by Starlette's outermost middleware, around ours: the headers go on here.
        answer = _json(500, "something went wrong on our side; the log has the details")
        answer.headers.update({**SECURITY_HEADERS, **NO_STORE})
        return answer


class DeclaredBodyLimit:
    """Answer 413 in the one shape, without reading the body, to an API request whose
    Content-Length is over the limit. (A body of no declared length is counted as it
    comes by the API router's ``max_body_size``, whose 413 the handlers above shape.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_API_BODY_BYTES:
                await _json(413, TOO_LARGE)(scope, receive, send)
                return
        await self.app(scope, receive, send)
