"""Continuing an earlier demo instead of wiping it.

``amazon-jobs demo`` run again in its data directory keeps what the earlier run
left (jobs, logs, catalog, users, API tokens) unless told ``--fresh``. Three
things make that work:

- the demo's settings live in the data directory's ``amazon-jobs.toml``
  (:func:`write_demo_settings`): its secret key, so the account's credentials
  still decrypt, and its clock, so every command run beside the demo with the
  same ``AMAZON_JOBS_HOME`` stamps jobs on the demo's clock, not the wall clock;
- the clock resumes where the earlier run stopped (:func:`resume_anchor`):
  the demo's clock runs ahead of the wall clock, and going back in time would
  leave jobs due "in the future";
- the simulated Amazon lives in memory and starts again: it is given back the
  offers the database knows Amazon has, and numbers its feeds after the earlier
  ones (:attr:`EarlierDemo.highest_feed_id`), so no job reads another's feed.
  Jobs that were waiting for the earlier simulated Amazon find their feed gone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amazon_jobs.clock import ScaledClock, utc
from amazon_jobs.crypto import Cipher
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.accounts import undecryptable
from amazon_jobs.store.models import Account, Job, JobLog, Listing, Product

__all__ = [
    "SETTINGS_FILE",
    "EarlierDemo",
    "find_earlier_demo",
    "offers_on_amazon",
    "resume_anchor",
    "write_demo_settings",
]

#: The data directory's configuration file, read by every command (see amazon_jobs.config).
SETTINGS_FILE = "amazon-jobs.toml"
_TERMINAL = (JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELED)


@dataclass(frozen=True)
class EarlierDemo:
    """What an earlier run of the demo left in its database."""

    account_id: int
    started_at: datetime
    last_at: datetime
    jobs: int
    #: Unfinished jobs that had handed a feed or report to the earlier simulated Amazon.
    at_amazon: int
    products: int
    #: The highest numeric feed id the earlier simulated Amazon gave.
    highest_feed_id: int


def find_earlier_demo(session: Session, account_name: str, cipher: Cipher) -> EarlierDemo | None:
    """The earlier demo in *session*'s database, or None if there is none.

    Raises if its account's credentials do not decrypt with *cipher* (its key is lost).
    """
    account = session.scalar(select(Account).where(Account.name == account_name))
    if account is None:
        return None
    if undecryptable(session, cipher):
        raise AmazonJobsError(
            "the earlier demo's secret key is gone (it is kept in the demo's "
            f"{SETTINGS_FILE}), so its account cannot be used again: start over with "
            "`make demo FRESH=1` (or `amazon-jobs demo --fresh`)"
        )
    last = [
        session.scalar(select(func.max(Job.updated_at))),
        session.scalar(select(func.max(JobLog.at))),
        session.scalar(select(func.max(Product.updated_at))),
        account.created_at,
    ]
    refs = session.scalars(select(Job.amazon_ref).where(Job.amazon_ref.is_not(None)))
    return EarlierDemo(
        account_id=account.id,
        started_at=utc(account.created_at),
        last_at=max(utc(at) for at in last if at is not None),
        jobs=session.scalar(select(func.count()).select_from(Job)) or 0,
        at_amazon=session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.amazon_ref.is_not(None), Job.status.not_in(_TERMINAL))
        )
        or 0,
        products=session.scalar(select(func.count()).select_from(Product)) or 0,
        highest_feed_id=max((int(ref) for ref in refs if ref and ref.isdigit()), default=0),
    )


def offers_on_amazon(
    session: Session, account_id: int, unknown_skus: set[str]
) -> list[dict[str, object]]:
    """The offers the database knows Amazon has, as simulator listing rows."""
    rows = session.execute(
        select(Product.sku, Listing.asin, Listing.confirmed_quantity, Listing.confirmed_price)
        .join(Product, Product.id == Listing.product_id)
        .where(
            Listing.account_id == account_id,
            Listing.asin.is_not(None),
            Listing.confirmed_quantity.is_not(None),
            Listing.confirmed_price.is_not(None),
            Listing.state != ListingState.REMOVED,
        )
    )
    return [
        {"sku": sku, "asin": asin, "quantity": quantity, "price": price}
        for sku, asin, quantity, price in rows
        if sku not in unknown_skus
    ]


def resume_anchor(clock: ScaledClock, at: datetime) -> datetime:
    """The anchor that makes *clock* read *at* now (when *at* is ahead of it).

    A scaled clock reads ``anchor + (real_now - anchor) * scale``; solving for the
    anchor gives ``real_now - (at - real_now) / (scale - 1)``.
    """
    if clock.scale <= 1 or at <= clock.now():
        return clock.anchor
    real_now = datetime.now(UTC)
    return real_now - (at - real_now) / (clock.scale - 1)


def write_demo_settings(home: Path, secret_key: str, clock: ScaledClock) -> Path:
    """Write the demo's key and clock to *home*'s configuration file (owner-only)."""
    path = home / SETTINGS_FILE
    text = (
        "# Written by `amazon-jobs demo` at each start: its clock and its secret key, so\n"
        "# commands run beside the demo (same AMAZON_JOBS_HOME) share them.\n"
        "allow_custom_endpoints = true\n"
        'clock = "scaled"\n'
        f"clock_scale = {clock.scale!r}\n"
        f'clock_anchor = "{clock.anchor.isoformat()}"\n'
        f'secret_key = "{secret_key}"\n'
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
