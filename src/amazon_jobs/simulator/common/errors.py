"""Refusals the SP-API answers with an ``ErrorList`` body, and the bodies themselves.

``ErrorList`` = ``{"errors": [{"code", "message", "details"?}]}`` in every model.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FAULT_ANSWERS",
    "QUOTA_EXCEEDED",
    "SERVER_ERRORS",
    "ApiError",
    "Throttled",
    "error_list",
    "invalid_input",
    "not_found",
]


def error_list(code: str, message: str, details: str = "") -> dict[str, Any]:
    """An ``ErrorList`` with one error."""
    return {"errors": [{"code": code, "message": message, "details": details}]}


#: The 429 body, exactly as Amazon sends it.
QUOTA_EXCEEDED = error_list("QuotaExceeded", "You exceeded your quota for the requested resource.")
#: Amazon's bodies for the 5xx answers it gives.
SERVER_ERRORS = {
    500: error_list("InternalFailure", "We encountered an internal error. Please try again."),
    503: error_list("ServiceUnavailable", "Service is temporarily unavailable. Please try again."),
}
#: The answers a queued or random fault can give (``simulator.common.faults``): a 5xx, or a 429.
FAULT_ANSWERS = {**SERVER_ERRORS, 429: QUOTA_EXCEEDED}


class ApiError(Exception):
    """The operation refuses the request with *status* and an ``ErrorList``."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = error_list(code, message, details)


class Throttled(Exception):
    """A bucket the operation needs is empty: answer 429 with *body* and take no token.

    *application* says the application's bucket was the empty one (the pair's had a
    token), for the simulator's counters.
    """

    def __init__(self, body: dict[str, Any] | None = None, *, application: bool = False) -> None:
        super().__init__("throttled")
        self.body = body if body is not None else QUOTA_EXCEEDED
        self.application = application


def invalid_input(message: str, details: str = "") -> ApiError:
    """400 ``InvalidInput``."""
    return ApiError(400, "InvalidInput", message, details)


def not_found(message: str) -> ApiError:
    """404 ``NotFound``."""
    return ApiError(404, "NotFound", message)
