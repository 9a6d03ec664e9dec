"""Automatic sync: changed quantities and prices become Update Products QTY & Price jobs.

createFeed is the scarcest quota, so a feed should carry as many changes as
it can. While an earlier update job of the account still waits in
``reserved`` or ``created`` (for the worker, or for quota), no new one is
made: listings changed meanwhile join a waiting sync job that has room (up
to ``feed_max_messages``; its feed is built from its items when it starts),
and the rest accumulate for the next job, created once the waiting ones have
been sent. So K changed listings take ceil(K / feed_max_messages) feeds
however the changes are spread over time. Listings inside a waiting job lose
nothing either, since its values are read from the products when the feed
is built. "Changed" means the value to send (the shop's stock less the
units held back for orders not yet in the shop, after the account's selling
policy: :class:`~amazon_jobs.store.available.Targets`) differs from the one
Amazon confirmed, so a policy change or a new order makes listings due too.
Only active listings are picked (the QTY & Price
handler's eligible states): stopped, removed and not listed ones never are.
A listing whose last update Amazon refused is not sent again until the
product changes, so a SKU Amazon keeps refusing does not cost a feed a tick;
one Amazon says does not exist leaves ``active`` for ``error`` (the listing
follows Amazon's last answer) and is never picked again by sync.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import AccountUnavailable, SelectionError
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.handlers.reservation import Selection, any_selected, top_up
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.actions import SCHEDULER
from amazon_jobs.store.available import targets_for
from amazon_jobs.store.jobs import lock_job
from amazon_jobs.store.models import Job

__all__ = [
    "SYNC_JOB_TYPE",
    "UPDATE_JOB_TYPES",
    "create_sync_jobs",
    "top_up_waiting_jobs",
    "waiting_update_job",
]

#: The job type the scheduler creates for changed listings.
SYNC_JOB_TYPE = JobType.UPDATE_QTY_PRICE
#: Jobs that send changed values: one of them waiting to be sent defers the next sync.
UPDATE_JOB_TYPES = (JobType.UPDATE_QTY, JobType.UPDATE_PRICE, JobType.UPDATE_QTY_PRICE)
NOT_SENT_YET = (JobStatus.RESERVED, JobStatus.CREATED)
#: What automatic sync picks: changed listings, not those Amazon refused unchanged.
SYNC_SELECTION = Selection(changed=True, retry_failed=False)


def waiting_update_job(session: Session, account_id: int) -> int | None:
    """An update job of the account not sent yet (reserved or created), if any."""
    job_id: int | None = session.scalar(
        select(Job.id)
        .where(
            Job.account_id == account_id,
            Job.type.in_([t.value for t in UPDATE_JOB_TYPES]),
            Job.status.in_([s.value for s in NOT_SENT_YET]),
        )
        .order_by(Job.id)
        .limit(1)
    )
    return job_id


def create_sync_jobs(rt: Runtime, account_id: int) -> list[int]:
    """Reserve every changed active listing in as few jobs as the feed size allows.

    Returns the new jobs' ids: none when nothing changed. Whether anything did is read
    first, without a write transaction (on SQLite one writer at a time holds the
    database, so an idle account should not take it at every tick).
    """
    if not _anything_changed(rt, account_id):
        return []
    try:
        reservation = create_listings_job(
            rt, SYNC_JOB_TYPE, account_id, SYNC_SELECTION, actor=SCHEDULER
        )
    except (SelectionError, AccountUnavailable):  # nothing changed, or the account paused
        return []
    return [job.id for job in reservation.jobs]


def _anything_changed(rt: Runtime, account_id: int) -> bool:
    handler = _handler()
    with rt.db.read() as session:
        targets = targets_for(session, account_id)
        return any_selected(
            session,
            account_id,
            SYNC_SELECTION,
            handler.eligible,
            handler.changed(targets),
            refreshed=targets.changed_since_listing(),
        )


def _handler() -> ListingsFeedJob:
    handler = handler_for(SYNC_JOB_TYPE)
    assert isinstance(handler, ListingsFeedJob)
    return handler


def _waiting_with_room(session: Session, account_id: int, max_items: int) -> list[int]:
    return list(
        session.scalars(
            select(Job.id)
            .where(
                Job.account_id == account_id,
                Job.type == SYNC_JOB_TYPE.value,
                Job.status.in_([s.value for s in NOT_SENT_YET]),
                Job.items_total < max_items,
            )
            .order_by(Job.id)
        )
    )


def top_up_waiting_jobs(rt: Runtime, account_id: int) -> dict[int, int]:
    """Add changed listings to the account's sync jobs not sent yet, while they have room.

    Returns how many listings each job received (jobs that got none are left out). An
    account with no such job costs one read, no write transaction.
    """
    handler = _handler()
    max_items = rt.settings.feed_max_messages
    with rt.db.read() as session:
        if not _waiting_with_room(session, account_id, max_items):
            return {}
    added: dict[int, int] = {}
    with rt.db.transaction() as session:
        waiting = _waiting_with_room(session, account_id, max_items)
        targets = targets_for(session, account_id)
        for job_id in waiting:
            job = lock_job(session, job_id)
            if job.status not in {s.value for s in NOT_SENT_YET}:
                continue  # a worker started it meanwhile
            count = top_up(
                session,
                job,
                selection=SYNC_SELECTION,
                eligible=handler.eligible,
                changed=handler.changed(targets),
                refreshed=targets.changed_since_listing(),
                requested=handler.requested,
                max_items=rt.settings.feed_max_messages,
                now=rt.clock.now(),
            )
            if count == 0:
                break  # nothing more changed
            added[job_id] = count
    return added
