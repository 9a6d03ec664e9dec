"""Orders Import: page through orders updated since the last import, oldest first.

The Orders API 2026-01-01 ``searchOrders`` returns items inline; accounts set
to ``v0`` use ``getOrders`` and then ``getOrderItems`` for each order. Each
page is stored in one transaction together with the token of the next page,
so a crash resumes from the last stored page, and an order seen twice is
updated, never duplicated: Amazon may hand out an order again on a later page
of the same search, which is stored once and counted once in the job. An order
whose ``LastUpdateDate`` moved without a status change (a corrected address) is
listed again and its fields are updated. The import starts a few minutes before
the last imported point (overlap), so an order updated at the boundary is not
missed. In ``reconcile`` mode the job compares what Amazon lists with what is
here instead (:mod:`amazon_jobs.handlers.orders_reconcile`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import select

from amazon_jobs.amazon.orders_api import OrdersPage
from amazon_jobs.domain.jobs import ACTIVE_STATUSES, JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import SelectionError
from amazon_jobs.handlers.order_pages import store_page
from amazon_jobs.handlers.orders_reconcile import (
    is_reconcile,
    reconcile_data,
    reconcile_summary,
    reconciled_page,
)
from amazon_jobs.handlers.steps import StepHandler, record
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.jobs import append_log, create_job, lock_job, move
from amazon_jobs.store.models import Account, Job
from amazon_jobs.store.orders import order_ids, store_order_items

__all__ = ["OrdersImport"]

OVERLAP = timedelta(minutes=5)


class OrdersImport(StepHandler):
    job_type: ClassVar[JobType] = JobType.ORDERS_IMPORT

    def create(self, rt: Runtime, account_id: int, *, reconcile: bool = False) -> Job:
        """A new import job (*reconcile*: a reconciliation); one per account at a time."""
        now = rt.clock.now()
        with rt.db.transaction() as session:
            running = session.scalar(
                select(Job.id).where(
                    Job.account_id == account_id,
                    Job.type == self.job_type.value,
                    Job.status.in_([s.value for s in ACTIVE_STATUSES]),
                )
            )
            if running:
                raise SelectionError(f"job {running} is importing this account's orders already")
            job = create_job(session, account_id, self.job_type, now)
            if not reconcile:
                append_log(session, job.id, now, "Orders import requested")
                return job
            job.data = reconcile_data(now, rt.settings.orders_reconcile_days)
            append_log(
                session,
                job.id,
                now,
                "Orders reconciliation requested: the orders Amazon lists as created since "
                f"{job.data['since']} are compared with those imported; missing ones are imported",
            )
            return job

    def step(self, rt: Runtime, job_id: int) -> None:
        job, account = self.load(rt, job_id)
        operation = _page_operation(account)
        if job.status == JobStatus.RESERVED:
            self.assemble(rt, job_id, f"orders API {account.orders_api}")
        elif job.status == JobStatus.CREATED:
            if self.start(rt, job_id, [operation], self._window(rt, job, account)):
                self._import(rt, job_id)
        elif job.status == JobStatus.PROCESSING:
            self._import(rt, job_id)

    def _window(self, rt: Runtime, job: Job, account: Account) -> str:
        if is_reconcile(job):
            return f"reconciling the orders created since {job.data['since']}"
        if account.orders_imported_until is None:
            since = rt.clock.now() - timedelta(days=rt.settings.orders_initial_days)
        else:
            since = account.orders_imported_until - OVERLAP
        return f"importing orders updated since {since.isoformat()}"

    def _import(self, rt: Runtime, job_id: int) -> None:
        """Fetch pages (and v0 items) while quota allows; finish after the last page."""
        while True:
            job, account = self.load(rt, job_id)
            if job.status != JobStatus.PROCESSING:
                return
            pending = job.data.get("items_pending") or []
            if pending:
                if not self._fetch_items(rt, job_id, account, pending[0]):
                    return
                continue
            if job.data.get("done"):
                self._finish(rt, job_id)
                return
            if not self.spend(rt, job_id, [_page_operation(account)]):
                return
            self._fetch_page(rt, job, account)

    def _fetch_page(self, rt: Runtime, job: Job, account: Account) -> None:
        client = self.client(rt, job.id, account)
        since = _since(job, account, rt)
        token = job.data.get("next_token")
        size = rt.settings.page_size
        marketplaces = [account.marketplace_id]
        created = is_reconcile(job)
        page: OrdersPage
        if account.orders_api == "v0":
            page = client.get_orders(marketplaces, since, size, token, created=created)
        else:
            page = client.search_orders(marketplaces, since, size, token, created=created)
        self._store_page(rt, job.id, account, page, since)

    def _store_page(
        self, rt: Runtime, job_id: int, account: Account, page: OrdersPage, since: datetime
    ) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            reconcile = is_reconcile(job)
            stored = store_page(session, job, page, now, reconcile=reconcile)
            pages = int(job.data.get("pages", 0)) + 1
            progress = (
                reconciled_page(job, stored.listed, stored.missing)
                if reconcile
                else {"until": _later(job.data.get("until"), _newest(page))}
            )
            record(
                job,
                now,
                since=since.isoformat(),
                next_token=page.next_token,
                done=True if page.next_token is None else None,
                pages=pages,
                last_page=[order.order_id for order in page.orders] or None,
                items_pending=stored.items_pending or None,
                **progress,
            )
            append_log(session, job_id, now, stored.line(pages))

    def _fetch_items(self, rt: Runtime, job_id: int, account: Account, order_id: str) -> bool:
        """v0: fetch one order's items (every page of them); False while quota is short."""
        client = self.client(rt, job_id, account)
        items, token = [], None
        while True:
            if not self.spend(rt, job_id, [Operation.GET_ORDER_ITEMS]):
                return False
            page, token = client.get_order_items(order_id, token)
            items.extend(page)
            if not token:
                break
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            ids = order_ids(session, account.id, [order_id])
            store_order_items(session, ids[order_id], items)
            left = [o for o in job.data.get("items_pending") or [] if o != order_id]
            record(job, rt.clock.now(), items_pending=left or None)
        return True

    def _finish(self, rt: Runtime, job_id: int) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if is_reconcile(job):
                level = "warning" if job.data.get("missing") else "info"
                append_log(session, job_id, now, reconcile_summary(job), level=level)
                move(
                    session, job, JobStatus.DONE, now, f"reconciled in {job.data['pages']} page(s)"
                )
                return
            account = session.get_one(Account, job.account_id)
            until = job.data.get("until")
            if until:
                account.orders_imported_until = datetime.fromisoformat(until)
            move(
                session,
                job,
                JobStatus.DONE,
                now,
                f"{job.items_total} order(s) imported in {job.data.get('pages', 0)} page(s)",
            )


def _page_operation(account: Account) -> Operation:
    return Operation.GET_ORDERS if account.orders_api == "v0" else Operation.SEARCH_ORDERS


def _since(job: Job, account: Account, rt: Runtime) -> datetime:
    if "since" in job.data:
        return datetime.fromisoformat(job.data["since"])
    if account.orders_imported_until is None:
        return rt.clock.now() - timedelta(days=rt.settings.orders_initial_days)
    return account.orders_imported_until - OVERLAP


def _later(current: str | None, candidate: datetime | None) -> str | None:
    if candidate is None:
        return current
    if current is None or candidate > datetime.fromisoformat(current):
        return candidate.isoformat()
    return current


def _newest(page: OrdersPage) -> datetime | None:
    """Amazon's cutoff of the search, else the page's latest update."""
    return page.updated_before or max((o.updated_at for o in page.orders), default=None)
