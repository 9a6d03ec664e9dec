"""Misbehaviour on demand, for tests and demos.

Queued faults are used up one request or one feed/report/download at a time:

- ``fail_next("getFeed", 503, times=2)``: the next two getFeed requests
  answer 503; with 429 a storm of throttled answers, whatever the buckets
  hold (another application spending the seller's quota). Injected 429s are
  not counted as throttled in :meth:`.Simulator.stats`, which counts only the
  429s our own buckets gave;
- ``reset_next("getFeed", times=2)``: the next two getFeed requests lose
  their connection: it is closed once the status line is out, before any of
  the body (the client gets no usable answer). The operation has taken
  effect, as with a slow answer;
- ``abort_next_feeds(n)``: the next *n* feeds that finish end ``FATAL``;
- ``cancel_next_feeds(n)``: the next *n* feeds created are cancelled by
  Amazon when they would start (``CANCELLED``, no result document);
- ``corrupt_next_documents(n)``: the next *n* downloads of a processing
  report or report document are cut in half (a truncated gzip, or, when not
  compressed, text cut in the middle of the line where its half falls: a
  tab-separated report then ends inside a row); the stored document stays
  intact;
- ``fail_next_reports(n)``: the next *n* reports that finish end ``FATAL``;
- ``omit_next_results(n)``: the next *n* feeds that finish end ``DONE``
  without a ``resultFeedDocumentId``;
- ``lose_next_results(n)``: the next *n* feeds that finish name a result
  document that does not exist (getFeedDocument answers 404 NotFound);
- ``misnumber_next_reports(n)``: the next *n* processing reports name each
  message issue by a messageId the feed did not contain (the real one plus
  1000); the issue's sku and the summary stay right;
- ``expire_access_tokens(n)``: at each of the next *n* SP-API requests,
  every access token issued before it has expired (403 Unauthorized, "The
  access token you provided has expired."), as if its hour were over.

Standing faults last until changed or :meth:`Faults.clear`:

- ``set_error_rate(0.1)``: a share of all SP-API requests (or of one
  operation's) answers 500 or 503 at random, drawn from a
  ``random.Random(seed)`` so a test knows exactly which ones;
- ``delay_answers(2.0)``: every SP-API answer (or one operation's, or the
  next *times* ones) leaves after 2 *real* seconds, for client timeout tests.
  The operation has taken effect by then: a client that gives up does not
  know whether its request was applied, as with Amazon;
- ``set_slow_answers(0.01, 1.0)``: a share of SP-API answers leaves 1 real
  second late, drawn from its own ``random.Random`` (seeded like the errors,
  but a separate sequence, so turning slow answers on does not move which
  requests fail). Amazon answers slowly now and then; the demo turns it on
  through ``SimulatorConfig.slow_answer_rate``.

Queued errors come before the random rate. LWA and document URLs are never
affected by errors, resets or delays. A seller who revokes the application's
authorization is not a fault but a state: :meth:`.Simulator.revoke_refresh_token`.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.errors import FAULT_ANSWERS

__all__ = ["MISNUMBER_OFFSET", "Faults"]

_ABORT_FEEDS = "abort_next_feeds"
_CANCEL_FEEDS = "cancel_next_feeds"
_CORRUPT_DOCUMENTS = "corrupt_next_documents"
_FAIL_REPORTS = "fail_next_reports"
_OMIT_RESULTS = "omit_next_results"
_LOSE_RESULTS = "lose_next_results"
_MISNUMBER_REPORTS = "misnumber_next_reports"
_EXPIRE_TOKENS = "expire_access_tokens"
#: What a misnumbered processing report adds to each messageId.
MISNUMBER_OFFSET = 1000
#: Key of a standing fault that applies to every operation.
_EVERY = "*"


@dataclass(frozen=True, slots=True)
class _ErrorRate:
    rate: float
    statuses: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Slow:
    rate: float
    seconds: float


@dataclass(slots=True)
class _Delay:
    seconds: float
    #: Answers still to delay; None for all of them.
    remaining: int | None


class Faults:
    """Queued and standing faults; thread-safe."""

    def __init__(
        self,
        seed: int = 0,
        error_rate: float = 0.0,
        delay_s: float = 0.0,
        slow_rate: float = 0.0,
        slow_s: float = 2.0,
    ) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._random = random.Random(seed)
        self._slow_random = _slow_random(seed)
        self._slow: _Slow | None = None
        self._slow_given = 0
        self._errors: dict[Operation, deque[int]] = defaultdict(deque)
        self._resets: Counter[Operation] = Counter()
        self._counts: Counter[str] = Counter()
        self._rates: dict[str, _ErrorRate] = {}
        self._delays: dict[str, _Delay] = {}
        if error_rate:
            self.set_error_rate(error_rate)
        if delay_s:
            self.delay_answers(delay_s)
        if slow_rate:
            self.set_slow_answers(slow_rate, slow_s)

    # -- queued ---------------------------------------------------------------

    def fail_next(self, operation: Operation | str, status: int = 500, times: int = 1) -> None:
        """Answer the next *times* requests of *operation* with *status* (500, 503 or 429)."""
        _check_statuses([status])
        with self._lock:
            self._errors[Operation(operation)].extend([status] * times)

    def reset_next(self, operation: Operation | str, times: int = 1) -> None:
        """Drop the connection of the next *times* requests of *operation* mid-answer."""
        if times < 0:
            raise ValueError("times must be 0 or more")
        with self._lock:
            self._resets[Operation(operation)] += times

    def abort_next_feeds(self, count: int = 1) -> None:
        """End the next *count* feeds that finish processing ``FATAL``."""
        self._add(_ABORT_FEEDS, count)

    def cancel_next_feeds(self, count: int = 1) -> None:
        """Have Amazon cancel the next *count* feeds created, when they would start."""
        self._add(_CANCEL_FEEDS, count)

    def corrupt_next_documents(self, count: int = 1) -> None:
        """Serve the next *count* result or report document downloads truncated."""
        self._add(_CORRUPT_DOCUMENTS, count)

    def fail_next_reports(self, count: int = 1) -> None:
        """End the next *count* reports that finish ``FATAL``."""
        self._add(_FAIL_REPORTS, count)

    def omit_next_results(self, count: int = 1) -> None:
        """End the next *count* feeds that finish without a result document id."""
        self._add(_OMIT_RESULTS, count)

    def lose_next_results(self, count: int = 1) -> None:
        """Have the next *count* feeds that finish name a result document that is not there."""
        self._add(_LOSE_RESULTS, count)

    def misnumber_next_reports(self, count: int = 1) -> None:
        """Name the message issues of the next *count* processing reports by wrong ids."""
        self._add(_MISNUMBER_REPORTS, count)

    def expire_access_tokens(self, count: int = 1) -> None:
        """Expire every access token issued so far at each of the next *count* requests."""
        self._add(_EXPIRE_TOKENS, count)

    # -- standing -------------------------------------------------------------

    def set_error_rate(
        self,
        rate: float,
        operation: Operation | str | None = None,
        statuses: Sequence[int] = (500, 503),
        seed: int | None = None,
    ) -> None:
        """Answer a share *rate* (0 to 1) of requests with one of *statuses*, at random.

        With *operation* only that operation's requests; a *seed* restarts the
        random sequence. A rate of 0 removes the standing error.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be from 0 to 1")
        _check_statuses(statuses)
        key = _key(operation)
        with self._lock:
            if seed is not None:
                self._seed, self._random = seed, random.Random(seed)
            if rate == 0.0:
                self._rates.pop(key, None)
            else:
                self._rates[key] = _ErrorRate(rate, tuple(statuses))

    def delay_answers(
        self, seconds: float, operation: Operation | str | None = None, times: int | None = None
    ) -> None:
        """Hold SP-API answers *seconds* real seconds (0 removes the delay)."""
        if seconds < 0 or (times is not None and times < 1):
            raise ValueError("seconds must be 0 or more and times 1 or more")
        key = _key(operation)
        with self._lock:
            if seconds == 0:
                self._delays.pop(key, None)
            else:
                self._delays[key] = _Delay(seconds, times)

    def set_slow_answers(self, rate: float, seconds: float, seed: int | None = None) -> None:
        """Hold a share *rate* (0 to 1) of SP-API answers *seconds* real seconds, at random
        (a rate of 0 turns slow answers off); a *seed* restarts their random sequence."""
        if not 0.0 <= rate <= 1.0 or seconds < 0:
            raise ValueError("rate must be from 0 to 1 and seconds 0 or more")
        with self._lock:
            if seed is not None:
                self._slow_random = _slow_random(seed)
            self._slow = _Slow(rate, seconds) if rate > 0 and seconds > 0 else None

    def clear(self) -> None:
        """Forget every queued and standing fault."""
        with self._lock:
            self._errors.clear()
            self._resets.clear()
            self._counts.clear()
            self._rates.clear()
            self._delays.clear()
            self._slow = None

    # -- used by the simulator ------------------------------------------------

    def next_error(self, operation: Operation) -> int | None:
        """The status to answer this request of *operation* with, if a fault says so."""
        with self._lock:
            queue = self._errors.get(operation)
            if queue:
                return queue.popleft()
            rate = self._rates.get(operation) or self._rates.get(_EVERY)
            if rate is None or self._random.random() >= rate.rate:
                return None
            return self._random.choice(rate.statuses)

    def take_reset(self, operation: Operation) -> bool:
        """True (once per queued reset) if this answer of *operation* is to be cut off."""
        with self._lock:
            if self._resets[operation] <= 0:
                return False
            self._resets[operation] -= 1
            return True

    def take_delay(self, operation: Operation) -> float:
        """Real seconds to hold this answer of *operation*: an injected delay, or a slow
        answer drawn at random (the longer of the two)."""
        with self._lock:
            return max(self._injected_delay(operation), self._slow_delay())

    def _injected_delay(self, operation: Operation) -> float:
        key = operation if operation in self._delays else _EVERY
        delay = self._delays.get(key)
        if delay is None:
            return 0.0
        if delay.remaining is not None:
            delay.remaining -= 1
            if delay.remaining <= 0:
                del self._delays[key]
        return delay.seconds

    def _slow_delay(self) -> float:
        if self._slow is None or self._slow_random.random() >= self._slow.rate:
            return 0.0
        self._slow_given += 1
        return self._slow.seconds

    def take_abort(self) -> bool:
        """True (once per queued abort) if the finishing feed must end FATAL."""
        return self._take(_ABORT_FEEDS)

    def take_cancel(self) -> bool:
        """True (once per queued cancel) if the feed being created is to be cancelled."""
        return self._take(_CANCEL_FEEDS)

    def take_corruption(self) -> bool:
        """True (once per queued corruption) if this document download is to be cut."""
        return self._take(_CORRUPT_DOCUMENTS)

    def take_report_failure(self) -> bool:
        """True (once per queued failure) if the finishing report must end FATAL."""
        return self._take(_FAIL_REPORTS)

    def take_omitted_result(self) -> bool:
        """True (once per queued omission) if the finishing feed gets no result document id."""
        return self._take(_OMIT_RESULTS)

    def take_lost_result(self) -> bool:
        """True (once per queued loss) if the finishing feed's result document is gone."""
        return self._take(_LOSE_RESULTS)

    def take_misnumbering(self) -> bool:
        """True (once per queued fault) if this processing report misnames its messages."""
        return self._take(_MISNUMBER_REPORTS)

    def take_token_expiry(self) -> bool:
        """True (once per queued expiry) if the tokens issued so far expire now."""
        return self._take(_EXPIRE_TOKENS)

    def snapshot(self) -> dict[str, Any]:
        """Every fault in force, as JSON."""
        with self._lock:
            return {
                "fail_next": {str(op): list(q) for op, q in self._errors.items() if q},
                "reset_next": {str(op): n for op, n in self._resets.items() if n > 0},
                "error_rates": {
                    key: {"rate": rate.rate, "statuses": list(rate.statuses)}
                    for key, rate in self._rates.items()
                },
                "seed": self._seed,
                "delays": {
                    key: {"seconds": delay.seconds, "times": delay.remaining}
                    for key, delay in self._delays.items()
                },
                "slow_answers": {
                    "rate": self._slow.rate if self._slow else 0.0,
                    "seconds": self._slow.seconds if self._slow else 0.0,
                    "given": self._slow_given,
                },
                **{name: self._counts[name] for name in _COUNTED},
            }

    def _add(self, name: str, count: int) -> None:
        if count < 0:
            raise ValueError("count must be 0 or more")
        with self._lock:
            self._counts[name] += count

    def _take(self, name: str) -> bool:
        with self._lock:
            if self._counts[name] <= 0:
                return False
            self._counts[name] -= 1
            return True


_COUNTED = (
    _ABORT_FEEDS,
    _CANCEL_FEEDS,
    _CORRUPT_DOCUMENTS,
    _FAIL_REPORTS,
    _OMIT_RESULTS,
    _LOSE_RESULTS,
    _MISNUMBER_REPORTS,
    _EXPIRE_TOKENS,
)


def _slow_random(seed: int) -> random.Random:
    """The slow answers' own sequence, apart from the errors' (a str seed is stable)."""
    return random.Random(f"slow-answers-{seed}")


def _key(operation: Operation | str | None) -> str:
    return _EVERY if operation is None else str(Operation(operation))


def _check_statuses(statuses: Sequence[int]) -> None:
    if not statuses or any(status not in FAULT_ANSWERS for status in statuses):
        raise ValueError(f"status must be one of {sorted(FAULT_ANSWERS)}")
