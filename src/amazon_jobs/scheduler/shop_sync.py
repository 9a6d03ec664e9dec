"""Periodic Shop Catalog Sync: one per active shop every ``shop_catalog_sync_every_s``.

A shop's jobs are attached to its first active linked account, so "the last
catalog sync of the shop" is that account's last job of the type. The sync is a
full pass (which also notices deletions) when the last full pass is older than
``shop_catalog_full_every_s``, or there was none.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.errors import SelectionError
from amazon_jobs.handlers.shop_catalog_sync import ShopCatalogSync
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler.periodic import is_due, last_of_type
from amazon_jobs.store.actions import SCHEDULER, record_action
from amazon_jobs.store.models import Shop
from amazon_jobs.store.shops import job_account_id

__all__ = ["active_shop_ids", "create_due_catalog_sync"]


def active_shop_ids(rt: Runtime) -> list[int]:
    with rt.db.read() as session:
        return list(session.scalars(select(Shop.id).where(Shop.status == "active")))


def create_due_catalog_sync(rt: Runtime, shop_id: int) -> int | None:
    """A catalog sync of the shop if its interval has passed and none runs; its id."""
    every_s = rt.settings.shop_catalog_sync_every_s
    now = rt.clock.now()
    with rt.db.read() as session:
        shop = session.get(Shop, shop_id)
        account_id = job_account_id(session, shop_id)
        if shop is None or account_id is None or every_s <= 0:
            return None
        last, running = last_of_type(session, account_id, JobType.SHOP_CATALOG_SYNC)
        full_every = timedelta(seconds=rt.settings.shop_catalog_full_every_s)
        full = shop.catalog_full_at is None or (
            full_every.total_seconds() > 0 and now - shop.catalog_full_at >= full_every
        )
    if running or not is_due(last, every_s, now):
        return None
    try:
        job = ShopCatalogSync().create(rt, shop_id, full=full)
    except SelectionError:  # one was made meanwhile, or the shop lost its account
        return None
    with rt.db.transaction() as session:
        what = "full catalog pass" if full else "catalog sync"
        record_action(session, now, SCHEDULER, "job_create", f"created {what}", job_id=job.id)
    return job.id
