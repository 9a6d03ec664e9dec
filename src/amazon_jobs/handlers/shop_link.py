"""What the shop connector jobs share: the account's shop, its client, one job at a time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobType
from amazon_jobs.errors import SelectionError
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop.prestashop_orders import ShopContext, read_context
from amazon_jobs.shop.settings import parse_settings
from amazon_jobs.shop.webservice import WebserviceClient
from amazon_jobs.store.models import Account, Job, Shop

__all__ = ["account_shop", "open_shop", "refuse_if_running", "shop_accounts"]


def account_shop(session: Session, account_id: int) -> Shop:
    """The shop the account's orders go to; refused for the manual shop or a disabled one."""
    account = session.get_one(Account, account_id)
    shop = session.get(Shop, account.shop_id) if account.shop_id is not None else None
    if shop is None:
        raise SelectionError(
            f"account {account.name} has no shop: its orders are for the manual shop "
            "(the orders API); link it to a shop first"
        )
    if shop.status != "active":
        raise SelectionError(f"shop {shop.name} is {shop.status}: enable it first")
    parse_settings(shop.settings)  # refuse a job the settings could not carry out
    return shop


def shop_accounts(session: Session, shop_id: int) -> list[int]:
    return list(
        session.scalars(select(Account.id).where(Account.shop_id == shop_id).order_by(Account.id))
    )


def refuse_if_running(
    session: Session, account_ids: list[int], job_type: JobType, what: str
) -> None:
    running = session.scalar(
        select(Job.id).where(
            Job.account_id.in_(account_ids),
            Job.type == job_type.value,
            Job.status.in_([s.value for s in ACTIVE_STATUSES]),
        )
    )
    if running:
        raise SelectionError(f"job {running} is {what} already")


def open_shop(rt: Runtime, shop: Shop) -> tuple[WebserviceClient, ShopContext]:
    """A Webservice client for *shop* and its resolved settings (a few reads)."""
    key = rt.cipher.decrypt(shop.key_enc).get_secret_value()
    client = WebserviceClient(shop.url, key, timeout_s=rt.settings.http_timeout_s)
    try:
        return client, read_context(client, parse_settings(shop.settings))
    except BaseException:
        client.close()
        raise
