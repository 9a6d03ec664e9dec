"""Misbehaviour on demand, for tests and demos (set over HTTP by :mod:`.fault_control`).

- ``set_error_rate(0.1)``: a share of webservice requests (or of one resource's, or
  one method's) answers 500 or 503 with an empty body, as a PHP fatal or an
  overloaded host does, drawn from ``random.Random(seed)`` so a run repeats exactly;
- ``fail_next(2, status=500, resource="orders", method="POST")``: the next two such
  requests answer *status* with an empty body, before anything is changed;
- ``delay_answers(2.0, resource="orders", method="POST", times=1)``: answers leave
  after that many *real* seconds (slow order creation, client timeouts). The request
  has taken effect by then, as with a real shop a client gave up on;
- ``refuse_next_orders(1)`` and ``refuse_orders_for_products({12})``: the next order
  posts (or every order with a row of one of those products) are refused with 500
  and codes 85 + 46, and nothing is created.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["ShopFaults"]


@dataclass(slots=True)
class _Rule:
    resource: str | None
    method: str | None
    remaining: int | None

    def applies(self, resource: str, method: str) -> bool:
        return self.resource in (None, resource) and self.method in (None, method)


class ShopFaults:
    """Queued and standing faults; thread-safe."""

    def __init__(self, seed: int = 0, error_rate: float = 0.0, delay_s: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._rate = 0.0
        self._rate_rule = _Rule(None, None, None)
        self._statuses: tuple[int, ...] = (500, 503)
        self._failures: list[tuple[_Rule, int]] = []
        self._delays: list[tuple[_Rule, float]] = []
        self._refuse_next = 0
        self._refused_products: set[int] = set()
        if error_rate:
            self.set_error_rate(error_rate)
        if delay_s:
            self.delay_answers(delay_s)

    def set_error_rate(
        self,
        rate: float,
        statuses: tuple[int, ...] = (500, 503),
        resource: str | None = None,
        method: str | None = None,
        seed: int | None = None,
    ) -> None:
        """Answer a share *rate* (0 to 1) of requests with one of *statuses* at random."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be from 0 to 1")
        with self._lock:
            if seed is not None:
                self._random = random.Random(seed)
            self._rate, self._statuses = rate, statuses
            self._rate_rule = _Rule(resource, method, None)

    def fail_next(
        self,
        times: int = 1,
        status: int = 500,
        resource: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next *times* matching requests with *status* and an empty body."""
        with self._lock:
            self._failures.append((_Rule(resource, method, times), status))

    def delay_answers(
        self,
        seconds: float,
        resource: str | None = None,
        method: str | None = None,
        times: int | None = None,
    ) -> None:
        """Hold matching answers *seconds* real seconds (the next *times*, or all)."""
        if seconds < 0:
            raise ValueError("seconds must be 0 or more")
        with self._lock:
            self._delays.append((_Rule(resource, method, times), seconds))

    def refuse_next_orders(self, count: int = 1) -> None:
        """Refuse the next *count* order posts."""
        with self._lock:
            self._refuse_next += count

    def refuse_orders_for_products(self, product_ids: set[int]) -> None:
        """Refuse every order with a row of one of *product_ids* (empty: none)."""
        with self._lock:
            self._refused_products = set(product_ids)

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._rate, self._failures, self._delays = 0.0, [], []
            self._refuse_next, self._refused_products = 0, set()

    def failure(self, resource: str, method: str) -> int | None:
        """The status to answer this request with, if a fault says so."""
        with self._lock:
            for rule, status in self._failures:
                if rule.remaining and rule.applies(resource, method):
                    rule.remaining -= 1
                    self._failures = [(r, s) for r, s in self._failures if r.remaining]
                    return status
            hit = self._rate and self._rate_rule.applies(resource, method)
            if hit and self._random.random() < self._rate:
                return self._random.choice(self._statuses)
        return None

    def delay(self, resource: str, method: str) -> float:
        """Real seconds to hold this answer."""
        with self._lock:
            for rule, seconds in self._delays:
                if rule.applies(resource, method) and rule.remaining != 0:
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return seconds
        return 0.0

    def refusal(self, product_ids: set[int]) -> str | None:
        """Why an order with rows of *product_ids* is refused, if it is."""
        with self._lock:
            blocked = sorted(product_ids & self._refused_products)
            if blocked:
                return f"Product {blocked[0]} cannot be ordered"
            if self._refuse_next:
                self._refuse_next -= 1
                return "The order was refused by the shop"
        return None

    def snapshot(self) -> dict[str, Any]:
        """The faults in force, as JSON-ready data."""
        with self._lock:
            return {
                "error_rate": self._rate,
                "statuses": list(self._statuses),
                "fail_next": sum(r.remaining or 0 for r, _ in self._failures),
                "delays": [
                    {"seconds": s, "resource": r.resource, "method": r.method, "times": r.remaining}
                    for r, s in self._delays
                    if r.remaining != 0
                ],
                "refuse_next_orders": self._refuse_next,
                "refused_products": sorted(self._refused_products),
            }
