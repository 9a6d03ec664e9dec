"""Faults set from JSON, for ``POST /_sim/faults`` (a demo or a test in another process).

The body is an object; every key is optional and they apply in this order::

    {"clear": true,
     "fail_next": [{"operation": "getFeed", "status": 503, "times": 2}],
     "reset_next": [{"operation": "getFeed", "times": 1}],
     "error_rate": {"rate": 0.1, "operation": "getFeed", "statuses": [500, 503], "seed": 7},
     "delay": {"seconds": 2.5, "operation": "createFeed", "times": 1},
     "slow_answers": {"rate": 0.01, "seconds": 1.0, "seed": 3},
     "abort_next_feeds": 1, "cancel_next_feeds": 1,
     "corrupt_next_documents": 1, "fail_next_reports": 1,
     "omit_next_results": 1, "lose_next_results": 1,
     "misnumber_next_reports": 1, "expire_access_tokens": 1}

Statuses are 500, 503 or 429. ``fail_next``, ``reset_next``, ``error_rate``
and ``delay`` may also be arrays of such objects; leaving out
``operation`` means every operation (see ``simulator.common.faults``).
``slow_answers`` (one object, every operation; rate 0 turns them off) holds a
random share of answers back. The whole body is checked before anything is
applied: a bad one changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator.common.faults import Faults

__all__ = ["apply_faults"]

Step = Callable[[], None]
_COUNTS = (
    "abort_next_feeds",
    "cancel_next_feeds",
    "corrupt_next_documents",
    "fail_next_reports",
    "omit_next_results",
    "lose_next_results",
    "misnumber_next_reports",
    "expire_access_tokens",
)
_KNOWN = frozenset(
    {"clear", "fail_next", "reset_next", "error_rate", "delay", "slow_answers", *_COUNTS}
)
_STATUSES = (500, 503, 429)


def apply_faults(faults: Faults, body: Any) -> None:
    """Apply the faults *body* asks for; ValueError (nothing applied) if it is not valid."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    steps: list[Step] = []
    if body.get("clear"):
        steps.append(faults.clear)
    steps += [_fail_next(faults, entry) for entry in _entries(body, "fail_next")]
    steps += [_reset_next(faults, entry) for entry in _entries(body, "reset_next")]
    steps += [_error_rate(faults, entry) for entry in _entries(body, "error_rate")]
    steps += [_delay(faults, entry) for entry in _entries(body, "delay")]
    if "slow_answers" in body:
        steps.append(_slow_answers(faults, body["slow_answers"]))
    for name in _COUNTS:
        if name in body:
            steps.append(partial(getattr(faults, name), _whole(body[name], name)))
    for step in steps:
        step()


def _entries(body: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = body.get(name, [])
    entries = value if isinstance(value, list) else [value]
    if not all(isinstance(entry, dict) for entry in entries):
        raise ValueError(f"{name} must be an object or an array of objects")
    return entries


def _fail_next(faults: Faults, entry: Mapping[str, Any]) -> Step:
    operation = _operation(entry.get("operation"))
    if operation is None:
        raise ValueError("fail_next needs an operation")
    status = _status(entry.get("status", 500))
    times = _whole(entry.get("times", 1), "times")
    return partial(faults.fail_next, operation, status, times)


def _reset_next(faults: Faults, entry: Mapping[str, Any]) -> Step:
    operation = _operation(entry.get("operation"))
    if operation is None:
        raise ValueError("reset_next needs an operation")
    times = _whole(entry.get("times", 1), "times")
    return partial(faults.reset_next, operation, times)


def _error_rate(faults: Faults, entry: Mapping[str, Any]) -> Step:
    rate = entry.get("rate")
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 <= rate <= 1:
        raise ValueError("error_rate.rate must be a number from 0 to 1")
    statuses = [_status(status) for status in entry.get("statuses", [500, 503])]
    seed = entry.get("seed")
    if seed is not None:
        seed = _whole(seed, "seed")
    operation = _operation(entry.get("operation"))
    return partial(faults.set_error_rate, float(rate), operation, statuses, seed)


def _delay(faults: Faults, entry: Mapping[str, Any]) -> Step:
    seconds = entry.get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise ValueError("delay.seconds must be a number of 0 or more")
    times = entry.get("times")
    if times is not None and _whole(times, "times") < 1:
        raise ValueError("delay.times must be 1 or more")
    return partial(faults.delay_answers, float(seconds), _operation(entry.get("operation")), times)


def _slow_answers(faults: Faults, entry: Any) -> Step:
    if not isinstance(entry, dict):
        raise ValueError("slow_answers must be an object")
    rate = _number(entry.get("rate"), "slow_answers.rate")
    seconds = _number(entry.get("seconds", 2.0), "slow_answers.seconds")
    if rate > 1:
        raise ValueError("slow_answers.rate must be a number from 0 to 1")
    seed = entry.get("seed")
    if seed is not None:
        seed = _whole(seed, "seed")
    return partial(faults.set_slow_answers, rate, seconds, seed)


def _number(raw: Any, name: str) -> float:
    if not isinstance(raw, int | float) or isinstance(raw, bool) or raw < 0:
        raise ValueError(f"{name} must be a number of 0 or more")
    return float(raw)


def _operation(raw: Any) -> Operation | None:
    if raw is None:
        return None
    try:
        return Operation(raw)
    except ValueError:
        raise ValueError(f"unknown operation {raw!r}") from None


def _status(raw: Any) -> int:
    if raw not in _STATUSES or isinstance(raw, bool):
        raise ValueError("status must be 500, 503 or 429")
    return int(raw)


def _whole(raw: Any, name: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise ValueError(f"{name} must be a whole number of 0 or more")
    return raw
