"""Counters of what the simulator was asked and what it refused."""

from __future__ import annotations

from collections import Counter

__all__ = ["Counters"]


class Counters:
    """Requests and 429s per operation name, LWA tokens issued, catalog searches answered.

    ``throttled`` counts every 429 our buckets gave; ``throttled_application`` those of
    them given because the application's bucket (not the seller's) was empty.
    """

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.throttled_application: Counter[str] = Counter()
        self.tokens_issued = 0
        self.catalog_searches = 0
        self.catalog_identifiers = 0

    def request(self, operation: str) -> None:
        self.requests[operation] += 1

    def throttle(self, operation: str, application: bool = False) -> None:
        self.throttled[operation] += 1
        if application:
            self.throttled_application[operation] += 1

    def catalog_search(self, identifiers: int) -> None:
        """Count an answered searchCatalogItems that looked up *identifiers* codes."""
        self.catalog_searches += 1
        self.catalog_identifiers += identifiers
