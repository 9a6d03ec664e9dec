"""Pages that repeat an order of the page before, as Amazon's have been seen to.

Developers have seen getOrders hand out orders again on the page after the one
that returned them ("getOrders returns same orders even when using different
next Token", github.com/amzn/selling-partner-api-models/issues/2297). With
``order_page_duplicates`` above 0, that share of the pages after the first
(v0 ``NextToken``, 2026 ``paginationToken``) starts with the last order of the
page before and carries one order fewer of its own. The keyset cursor is not
moved back, so no order is skipped, every token still names where its page
starts, and the repeat is the only duplicate. The choice is seeded by the
page's position, so asking for the same page again gives the same page.
"""

from __future__ import annotations

import random

from amazon_jobs.simulator.config import SimulatorConfig
from amazon_jobs.simulator.orders.search import Cursor

__all__ = ["repeats_previous"]


def repeats_previous(config: SimulatorConfig, seller_id: str, cursor: Cursor | None) -> bool:
    """Whether the page that starts after *cursor* repeats the order at *cursor*."""
    share = config.order_page_duplicates
    if share <= 0 or cursor is None:
        return False
    seed = f"{config.order_seed}:{seller_id}:{cursor.at.isoformat()}:{cursor.order_id}"
    return random.Random(seed).random() < share
