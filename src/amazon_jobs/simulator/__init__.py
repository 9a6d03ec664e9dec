"""A local fake of Amazon's SP-API and Login with Amazon, for tests and demos.

It answers the same paths with the same JSON as the official models in
``sp-api-models/``: LWA tokens, the Feeds API 2021-06-30 with presigned
document URLs, per-seller token buckets with 429s, JSON_LISTINGS_FEED
processing with per-message issues (quantities, prices, offers on catalog
ASINs, deletions), the Catalog Items API 2022-04-01 over a seeded fake catalog
(:mod:`.catalog_generator`), the Reports API 2021-06-30 with the merchant
listings reports, and faults on demand (:mod:`.faults`, ``/_sim/faults``).
Time comes only from the injected clock,
so a :class:`~amazon_jobs.clock.VirtualClock` drives a feed from IN_QUEUE to
DONE without waiting::

    simulator = Simulator(SimulatorConfig(), VirtualClock())
    with serve_in_thread(create_app(simulator)) as server:
        ...  # talk to server.url with any HTTP client
"""

from __future__ import annotations

from amazon_jobs.simulator.app import create_app
from amazon_jobs.simulator.catalog_generator import GeneratedCatalog, generate_catalog
from amazon_jobs.simulator.catalog_items import CatalogItem
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
