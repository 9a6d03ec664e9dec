"""The SP-API client: every operation amazon-jobs uses, on one engine.

See :mod:`amazon_jobs.amazon.engine` for the policy every call follows
(token, observer, retries, 429). One API per module: feeds, reports,
catalog items, orders, listings items.
"""

from __future__ import annotations

from amazon_jobs.amazon.catalog_api import CatalogApi
from amazon_jobs.amazon.engine import CallRecord, Observer
from amazon_jobs.amazon.feeds_api import FeedsApi
from amazon_jobs.amazon.listings_api import ListingsApi
from amazon_jobs.amazon.orders_api import OrdersApi
from amazon_jobs.amazon.reports_api import ReportsApi

__all__ = ["CallRecord", "Observer", "SpApiClient"]


class SpApiClient(FeedsApi, ReportsApi, CatalogApi, OrdersApi, ListingsApi):
    """Typed access to the SP-API operations amazon-jobs uses."""
