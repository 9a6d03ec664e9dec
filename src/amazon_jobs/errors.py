"""The exceptions of amazon-jobs, all under one root.

    AmazonJobsError
    ├── ConfigError                    settings missing or invalid
    ├── IllegalTransition(job_id, from_, to)
    ├── JobNotFound(job_id)
    ├── NotCancelable(job_id, status)
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
    "AmazonAuthError",
    "AmazonClientError",
    "AmazonDocumentError",
    "AmazonError",
    "AmazonJobsError",
    "AmazonServerError",
    "AmazonThrottled",
    "ConfigError",
    "CsvError",
    "CsvRowError",
    "IllegalTransition",
    "JobNotFound",
    "NotCancelable",
    "SelectionError",
]


class AmazonJobsError(Exception):
    """Something went wrong in amazon-jobs."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self.args[0])


class ConfigError(AmazonJobsError):
    """The configuration is missing a value or holds an invalid one."""


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


class NotCancelable(AmazonJobsError):
    """The job is past the point where it can be canceled."""

    def __init__(self, job_id: int, status: Any) -> None:
        self.job_id, self.status = job_id, status
        super().__init__(
            f"job {job_id} is {status}: only reserved or created jobs can be canceled, and "
            "listings jobs whose feed Amazon still has IN_QUEUE"
        )


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
