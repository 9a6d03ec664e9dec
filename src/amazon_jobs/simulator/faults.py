"""Misbehaviour on demand, for tests and demos: 5xx answers and aborted feeds.

Faults are queued and used up: ``fail_next("getFeed", 503, times=2)`` makes
the next two getFeed requests answer 503, and ``abort_next_feeds(1)`` makes
the next feed that finishes end ``FATAL``.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from typing import Any

from amazon_jobs.domain.limits import Operation

__all__ = ["SERVER_ERRORS", "Faults"]

#: Amazon's ErrorList bodies for the 5xx answers it gives.
SERVER_ERRORS: dict[int, dict[str, Any]] = {
    500: {
        "errors": [
            {
                "code": "InternalFailure",
                "message": "We encountered an internal error. Please try again.",
                "details": "",
            }
        ]
    },
    503: {
        "errors": [
            {
                "code": "ServiceUnavailable",
                "message": "Service is temporarily unavailable. Please try again.",
                "details": "",
            }
        ]
    },
}


class Faults:
    """Queued faults, consumed one request or one feed at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: dict[Operation, deque[int]] = defaultdict(deque)
        self._fatal_feeds = 0

    def fail_next(self, operation: Operation | str, status: int = 500, times: int = 1) -> None:
        """Answer the next *times* requests of *operation* with *status* (500 or 503)."""
        if status not in SERVER_ERRORS:
            raise ValueError(f"status must be one of {sorted(SERVER_ERRORS)}")
        with self._lock:
            self._errors[Operation(operation)].extend([status] * times)

    def abort_next_feeds(self, count: int = 1) -> None:
        """End the next *count* feeds that finish processing ``FATAL``."""
        with self._lock:
            self._fatal_feeds += count

    def next_error(self, operation: Operation) -> int | None:
        """The status to answer this request of *operation* with, if a fault is queued."""
        with self._lock:
            queue = self._errors.get(operation)
            return queue.popleft() if queue else None

    def take_abort(self) -> bool:
        """True (once per queued abort) if the finishing feed must end FATAL."""
        with self._lock:
            if self._fatal_feeds <= 0:
                return False
            self._fatal_feeds -= 1
            return True
