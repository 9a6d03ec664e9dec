"""The shop connector's jobs, made by the scheduler for accounts linked to an active shop.

- Orders to Shop as soon as an imported order waits for the shop (so right after
  each Orders Import that brought one) and none is active for the account;
- Shipments from Shop every ``shipments_every_s`` of the shop's settings (0: never),
  counted from the previous one, made for the shop's first usable account (the
  job covers every account linked to the shop).
"""

from __future__ import annotations

from sqlalchemy import select

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.errors import AccountUnavailable, SelectionError
from amazon_jobs.handlers.orders_to_shop import waiting_orders
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler.periodic import is_due, last_of_type
from amazon_jobs.service import create_orders_to_shop_job, create_shipments_from_shop_job
from amazon_jobs.shop.settings import SettingsError, parse_settings
from amazon_jobs.store.actions import SCHEDULER
from amazon_jobs.store.models import Account, Shop

__all__ = ["create_shop_jobs"]


def create_shop_jobs(rt: Runtime, account_id: int) -> dict[JobType, int]:
    """The connector jobs due for the account now, by type."""
    with rt.db.read() as session:
        account = session.get_one(Account, account_id)
        shop = session.get(Shop, account.shop_id) if account.shop_id else None
        if shop is None or shop.status != "active":
            return {}
        first = session.scalar(
            select(Account.id)
            .where(Account.shop_id == shop.id, Account.status == "active")
            .order_by(Account.id)
            .limit(1)
        )
        _, to_shop_running = last_of_type(session, account_id, JobType.ORDERS_TO_SHOP)
        waiting = not to_shop_running and bool(waiting_orders(session, account_id, limit=1))
        last_read, reading = last_of_type(session, account_id, JobType.SHIPMENTS_FROM_SHOP)
    try:
        every_s = parse_settings(shop.settings).shipments_every_s
    except SettingsError:
        return {}
    created: dict[JobType, int] = {}
    try:
        if waiting:
            job = create_orders_to_shop_job(rt, account_id, actor=SCHEDULER)
            created[JobType.ORDERS_TO_SHOP] = job.id
        if first == account_id and not reading and is_due(last_read, every_s, rt.clock.now()):
            job = create_shipments_from_shop_job(rt, account_id, actor=SCHEDULER)
            created[JobType.SHIPMENTS_FROM_SHOP] = job.id
    except (SelectionError, AccountUnavailable):  # made meanwhile, or the account paused
        pass
    return created
