"""Faults set from JSON, for ``POST /_sim/faults`` (a demo or a test in another process).

Every key is optional; they apply in this order::

    {"clear": true,
     "error_rate": {"rate": 0.1, "statuses": [500, 503], "resource": "orders",
                    "method": "POST", "seed": 7},
     "fail_next": {"times": 2, "status": 500, "resource": "orders", "method": "POST"},
     "delay": {"seconds": 2.5, "resource": "orders", "method": "POST", "times": 1},
     "refuse_next_orders": 1,
     "refuse_orders_for_products": [12, 15]}

The whole body is checked before anything is applied: a bad one changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from amazon_jobs.shop_simulator.faults import ShopFaults

__all__ = ["apply_faults"]

Step = Callable[[], None]
_KNOWN = frozenset(
    {
        "clear",
        "error_rate",
        "fail_next",
        "delay",
        "refuse_next_orders",
        "refuse_orders_for_products",
    }
)
_STATUSES = (500, 502, 503, 504)


def apply_faults(faults: ShopFaults, body: Any) -> None:
    """Apply the faults *body* asks for; ValueError (nothing applied) if it is not valid."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    steps: list[Step] = []
    if body.get("clear"):
        steps.append(faults.clear)
    if "error_rate" in body:
        steps.append(_error_rate(faults, _object(body["error_rate"], "error_rate")))
    if "fail_next" in body:
        entry = _object(body["fail_next"], "fail_next")
        steps.append(
            partial(
                faults.fail_next,
                _whole(entry.get("times", 1), "times"),
                _status(entry.get("status", 500)),
                *_target(entry),
            )
        )
    if "delay" in body:
        steps.append(_delay(faults, _object(body["delay"], "delay")))
    if "refuse_next_orders" in body:
        steps.append(
            partial(
                faults.refuse_next_orders, _whole(body["refuse_next_orders"], "refuse_next_orders")
            )
        )
    if "refuse_orders_for_products" in body:
        ids = body["refuse_orders_for_products"]
        if not isinstance(ids, list):
            raise ValueError("refuse_orders_for_products must be an array of product ids")
        steps.append(
            partial(faults.refuse_orders_for_products, {_whole(i, "product id") for i in ids})
        )
    for step in steps:
        step()


def _object(raw: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"{name} must be an object")
    return raw


def _target(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    resource, method = entry.get("resource"), entry.get("method")
    for value, name in ((resource, "resource"), (method, "method")):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
    return resource, method.upper() if isinstance(method, str) else None


def _error_rate(faults: ShopFaults, entry: Mapping[str, Any]) -> Step:
    rate = entry.get("rate")
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 <= rate <= 1:
        raise ValueError("error_rate.rate must be a number from 0 to 1")
    statuses = tuple(_status(s) for s in entry.get("statuses", [500, 503]))
    seed = entry.get("seed")
    resource, method = _target(entry)
    return partial(
        faults.set_error_rate,
        float(rate),
        statuses,
        resource,
        method,
        None if seed is None else _whole(seed, "seed"),
    )


def _delay(faults: ShopFaults, entry: Mapping[str, Any]) -> Step:
    seconds = entry.get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise ValueError("delay.seconds must be a number of 0 or more")
    times = entry.get("times")
    if times is not None and _whole(times, "times") < 1:
        raise ValueError("delay.times must be 1 or more")
    resource, method = _target(entry)
    return partial(faults.delay_answers, float(seconds), resource, method, times)


def _status(raw: Any) -> int:
    if raw not in _STATUSES or isinstance(raw, bool):
        raise ValueError(f"status must be one of {_STATUSES}")
    return int(raw)


def _whole(raw: Any, name: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise ValueError(f"{name} must be a whole number of 0 or more")
    return raw
