"""The exceptions of amazon-jobs, all under one root.

    AmazonJobsError
    ├── AccountUnavailable             the account is paused, disabled or deleted
    ├── ConfigError                    settings missing or invalid
    │   └── EndpointNotAllowed(url)    a URL not Amazon's, without allow_custom_endpoints
    ├── CredentialsRequired            re-pointing an account without its secrets again
    ├── IllegalTransition(job_id, from_, to)
    ├── JobNotFound(job_id)
    ├── LeaseLost(job_id, holder)      another worker took the job over mid-step
    ├── NotCancelable(job_id, status)
    ├── OrderNotFound(ref)             no imported order has that id
    ├── OrderConflict                  the order cannot take this change (acknowledge)
    ├── PolicyError(field, message)    a selling policy value a merchant must correct
    ├── SelectionError                 a job's selection names nothing usable
    ├── CsvError                       a whole file cannot be read
    │   └── CsvRowError(line, message) one row is invalid
    └── AmazonError                    talking to the SP-API failed
        ├── AmazonAuthError            LWA refused the credentials
        ├── AmazonThrottled(retry_after_s)
        ├── AmazonServerError(status)  5xx or the connection failed, after retries
        ├── AmazonClientError(status)  4xx other than 429: the request was wrong
        └── AmazonDocumentError        a document could not be downloaded or read

Each exception's default message is its docstring. Messages never carry
credentials: the client builds them from status, error codes and request ids.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccountUnavailable",
    "AmazonAuthError",
    "AmazonClientError",
    "AmazonDocumentError",
    "AmazonError",
    "AmazonJobsError",
    "AmazonServerError",
    "AmazonThrottled",
    "ConfigError",
    "CredentialsRequired",
    "CsvError",
    "CsvRowError",
    "EndpointNotAllowed",
    "IllegalTransition",
    "JobNotFound",
    "LeaseLost",
    "NotCancelable",
    "OrderConflict",
    "OrderNotFound",
    "PolicyError",
    "SelectionError",
]


class AmazonJobsError(Exception):
    """Something went wrong in amazon-jobs."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self.args[0])


class AccountUnavailable(AmazonJobsError):
    """The account is paused, disabled or deleted: it gets no new job, or this change."""


class ConfigError(AmazonJobsError):
    """The configuration is missing a value or holds an invalid one."""


class EndpointNotAllowed(ConfigError):
    """A URL that is not Amazon's, which this server does not allow (allow_custom_endpoints)."""

    def __init__(self, what: str, url: str, message: str | None = None) -> None:
        self.what, self.url = what, url
        super().__init__(
            message
            or f"the {what} {url!r} is not Amazon's: only Amazon's own, over HTTPS, are "
            "accepted unless the server's allow_custom_endpoints setting is on (for the "
            "simulator or a test double)"
        )


class CredentialsRequired(AmazonJobsError):
    """Changing where an account's credentials go needs its secrets again, in the same request."""


class IllegalTransition(AmazonJobsError):
    """A job was asked to move to a status its current status does not allow."""

    def __init__(self, job_id: int | None, from_: Any, to: Any) -> None:
        self.job_id, self.from_, self.to = job_id, from_, to
        who = f"job {job_id}" if job_id is not None else "a job"
        super().__init__(f"{who} cannot go from {from_} to {to}")


class JobNotFound(AmazonJobsError):
    """No job has that id."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        super().__init__(f"job {job_id} does not exist")


class LeaseLost(AmazonJobsError):
    """Another worker took the job over while this step ran: the step stops there."""

    def __init__(self, job_id: int, holder: str | None) -> None:
        self.job_id, self.holder = job_id, holder
        super().__init__(
            f"job {job_id}: the lease passed to {holder or 'no worker'} while this step ran; "
            "leaving the job to it"
        )


class NotCancelable(AmazonJobsError):
    """The job is past the point where it can be canceled."""

    def __init__(self, job_id: int, reason: str) -> None:
        self.job_id, self.reason = job_id, reason
        super().__init__(f"job {job_id} cannot be canceled. {reason}")


class OrderNotFound(AmazonJobsError):
    """No imported order has that id."""

    def __init__(self, ref: str, message: str | None = None) -> None:
        self.ref = ref
        super().__init__(message or f"no imported order {ref!r}")


class OrderConflict(AmazonJobsError):
    """The order cannot take this change in its present state."""


class PolicyError(AmazonJobsError):
    """A selling policy value is invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        #: The policy field at fault (``qty_percent``, ``price_floor``, ...).
        self.field = field
        #: What is wrong, without the field name.
        self.reason = message


class SelectionError(AmazonJobsError):
    """The job's selection matches nothing that can be sent."""


class CsvError(AmazonJobsError):
    """The CSV file cannot be read."""


class CsvRowError(CsvError):
    """A CSV row is invalid."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}")


class AmazonError(AmazonJobsError):
    """A call to Amazon failed."""

    def __init__(
        self,
        message: str | None = None,
        *,
        operation: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        self.operation, self.status = operation, status
        self.request_id, self.code = request_id, code
        super().__init__(message)


class AmazonAuthError(AmazonError):
    """Login with Amazon refused the credentials: check the client id, secret and refresh token."""

    def __init__(
        self, message: str | None = None, *, refusal: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        #: What Login with Amazon said, in its own words (error code and description).
        self.refusal = refusal or self.code or "credentials refused"


class AmazonThrottled(AmazonError):
    """Amazon answered 429: the operation's quota is used up."""

    def __init__(self, retry_after_s: float, **kwargs: Any) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(**kwargs)


class AmazonServerError(AmazonError):
    """Amazon failed to answer (5xx, timeout or connection error) after retries."""


class AmazonClientError(AmazonError):
    """Amazon refused the request as invalid."""


class AmazonDocumentError(AmazonError):
    """A document from Amazon could not be downloaded or read."""
