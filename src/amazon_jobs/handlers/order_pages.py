"""One page of an Orders Import stored: the orders, the job's items, the page's log line.

Amazon may hand out an order again on a later page of the same search (it has
been seen to repeat an order of the page before). Such an order is stored
again, which changes nothing (``store.orders.upsert_orders`` never duplicates),
but it is not a second item of the job, its v0 items are not fetched twice and
the log counts it apart. In ``reconcile`` mode only the orders that were not
here yet become items: they are the gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.amazon.orders_api import OrdersPage
from amazon_jobs.store.jobs import insert_items
from amazon_jobs.store.models import Job, JobItem
from amazon_jobs.store.orders import upsert_orders

__all__ = ["StoredPage", "store_page"]


@dataclass(frozen=True, slots=True)
class StoredPage:
    """What storing one page did."""

    page: OrdersPage
    #: Each order of the page: True if it was not here before.
    created: dict[str, bool]
    #: Orders of the page this job had handed out already.
    seen: frozenset[str]
    reconcile: bool

    @property
    def fresh(self) -> dict[str, bool]:
        """The orders that become items of the job (new or updated; reconcile: new)."""
        return {
            oid: new
            for oid, new in self.created.items()
            if oid not in self.seen and (new or not self.reconcile)
        }

    @property
    def listed(self) -> int:
        """Orders of the page not handed out before in this job."""
        return len(self.created) - len(self.seen.intersection(self.created))

    @property
    def missing(self) -> list[str]:
        """Orders that were not here: every new one."""
        return [oid for oid, new in self.fresh.items() if new]

    @property
    def items_pending(self) -> list[str]:
        """v0: orders listed without their items whose items this job still needs."""
        fresh = self.fresh
        return [o.order_id for o in self.page.orders if o.items is None and o.order_id in fresh]

    def line(self, number: int) -> str:
        """The page's log line."""
        again, new = len(self.created) - self.listed, len(self.missing)
        size = len(self.page.orders)
        counts = (
            f"{size} order(s) Amazon lists, {new} missing here (imported)"
            if self.reconcile
            else f"{size} order(s), {new} new, {self.listed - new} updated"
        )
        repeat = f", {again} already seen in this job" if again else ""
        last = "" if self.page.next_token else "; last page"
        return f"Page {number}: {counts}{repeat}{last}"


def store_page(
    session: Session, job: Job, page: OrdersPage, now: datetime, *, reconcile: bool
) -> StoredPage:
    """Store the page's orders and add the job's items for them (*job* is locked)."""
    ids = [order.order_id for order in page.orders]
    seen = _seen(session, job, ids)
    created = upsert_orders(session, job.account_id, page.orders, now)
    stored = StoredPage(page, created, seen, reconcile)
    _add_items(session, job, stored)
    return stored


def _seen(session: Session, job: Job, order_ids: list[str]) -> frozenset[str]:
    """Orders of the page this job has handed out already: on the page before (Amazon
    repeats some) or, as items of the job, on any earlier page."""
    before = set(job.data.get("last_page") or []).intersection(order_ids)
    items = session.scalars(
        select(JobItem.ref).where(JobItem.job_id == job.id, JobItem.ref.in_(order_ids))
    )
    return frozenset(before.union(items))


def _add_items(session: Session, job: Job, stored: StoredPage) -> None:
    status = {o.order_id: o.status for o in stored.page.orders}
    found = {"missing": True} if stored.reconcile else {}
    fresh = stored.fresh
    insert_items(
        session,
        [
            {
                "job_id": job.id,
                "ref": order_id,
                "prior": {},
                "requested": {},
                "outcome": "ok",
                "confirmed": {"status": status[order_id], "new": new, **found},
            }
            for order_id, new in fresh.items()
        ],
    )
    job.items_total += len(fresh)
    job.items_ok += len(fresh)
