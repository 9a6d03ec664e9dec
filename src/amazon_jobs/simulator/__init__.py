"""A local fake of Amazon's SP-API and Login with Amazon, for tests and demos.

It answers the same paths with the same JSON as the official models in
``sp-api-models/``: LWA tokens, the Feeds API 2021-06-30 with presigned
document URLs, token buckets per seller-application pair and per application
with 429s, JSON_LISTINGS_FEED processing with per-message issues (quantities,
prices, offers on catalog ASINs, deletions), the Listings Items API 2021-08-01
on the same listings, the Catalog Items API 2022-04-01 over a seeded fake catalog
(``simulator.catalog.generator``), the Reports API 2021-06-30 with the merchant
listings reports, and faults on demand (``simulator.common.faults``, ``/_sim/faults``).
Time comes only from the injected clock,
so a :class:`~amazon_jobs.clock.VirtualClock` drives a feed from IN_QUEUE to
DONE without waiting::

    simulator = Simulator(SimulatorConfig(), VirtualClock())
    with serve_in_thread(create_app(simulator)) as server:
        ...  # talk to server.url with any HTTP client
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amazon_jobs.lazy import lazy_names

if TYPE_CHECKING:
    from amazon_jobs.simulator.app import create_app
    from amazon_jobs.simulator.catalog.generator import GeneratedCatalog, generate_catalog
    from amazon_jobs.simulator.catalog.items import CatalogItem
    from amazon_jobs.simulator.config import SimulatorConfig
    from amazon_jobs.simulator.models import FeedStatus, SimListing
    from amazon_jobs.simulator.state import Simulator

__all__ = [
    "CatalogItem",
    "FeedStatus",
    "GeneratedCatalog",
    "SimListing",
    "Simulator",
    "SimulatorConfig",
    "create_app",
    "generate_catalog",
]

#: Where each name lives: imported on first use, so a command that only needs the
#: configuration (``amazon-jobs worker``, ``jobs list``) does not load the web app.
_HOMES = {
    "CatalogItem": "catalog.items",
    "FeedStatus": "models",
    "GeneratedCatalog": "catalog.generator",
    "SimListing": "models",
    "Simulator": "state",
    "SimulatorConfig": "config",
    "create_app": "app",
    "generate_catalog": "catalog.generator",
}


__getattr__ = lazy_names(__name__, _HOMES)
