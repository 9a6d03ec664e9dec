"""What a seller can ask for, shared by the CLI, the web app and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import CallRecord
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, USER_CANCELABLE, JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import AmazonError, AmazonJobsError, NotCancelable, SelectionError
from amazon_jobs.feeds.listings_feed import FEED_TYPE
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.handlers.fulfillment import OrdersFulfillment
from amazon_jobs.handlers.inventory_report import InventoryReport
from amazon_jobs.handlers.orders_import import OrdersImport
from amazon_jobs.handlers.reservation import Reservation, Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.jobs import append_log, get_job, lock_job
from amazon_jobs.store.models import Account, Job, JobItem, Order, Shipment
from amazon_jobs.store.orders import ShipmentSpec, create_shipment, find_order

__all__ = [
    "add_to_selling_list",
    "cancel_job",
    "check_job",
    "create_fulfillment_job",
    "create_inventory_job",
    "create_listings_job",
    "create_orders_import_job",
    "retry_failed_items",
    "ship_order",
    "test_connection",
]


def create_listings_job(
    rt: Runtime, job_type: JobType, account: str | int, selection: Selection
) -> Reservation:
    """Reserve the selected listings in one or more new jobs of *job_type*."""
    handler = handler_for(job_type)
    if not isinstance(handler, ListingsFeedJob):
        raise AmazonJobsError(f"{job_type.label} jobs do not work on listings")
    with rt.db.read() as session:
        account_id = find_account(session, account).id
    reservation = handler.reserve(rt, account_id, selection)
    if not reservation.jobs:
        reasons = "; ".join(f"{sku}: {why}" for sku, why in reservation.skipped[:20])
        raise SelectionError(
            "nothing to send"
            + (
                f" ({reasons})"
                if reasons
                else ": no eligible listing matches (use --all, or change shop values first)"
            )
        )
    return reservation


def cancel_job(rt: Runtime, job_id: int) -> bool:
    """Cancel a job and put every item back as it was.

    Reserved and created jobs are canceled at once (True). A listings job
    waiting for its result is canceled only if Amazon agrees to cancel the
    feed, which it does while the feed is still IN_QUEUE: the request is
    recorded and the worker asks Amazon on its next step (False).
    """
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        status = JobStatus(job.status)
        if status in USER_CANCELABLE:
            handler_for(job.type).cancel(session, job, now, "canceled by the user")
            return True
        if not _feed_cancelable(job):
            raise NotCancelable(job_id, status.label.lower())
        job.cancel_requested_at = now
        job.next_run_at = now
        append_log(
            session,
            job_id,
            now,
            f"Cancel requested: asking Amazon to cancel feed {job.amazon_ref} "
            "(possible only while it is IN_QUEUE)",
        )
        return False


def _feed_cancelable(job: Job) -> bool:
    return (
        job.status == JobStatus.WAITING_FOR_RESULT
        and JobType(job.type) in FEED_JOB_TYPES
        and job.amazon_status == "IN_QUEUE"
        and job.cancel_requested_at is None
    )


def _account_id(rt: Runtime, account: str | int) -> int:
    with rt.db.read() as session:
        return find_account(session, account).id


def create_fulfillment_job(rt: Runtime, account: str | int, order_ids: Sequence[str] = ()) -> Job:
    """An Orders Fulfillment job for the account's shipped, unconfirmed packages."""
    return OrdersFulfillment().reserve(rt, _account_id(rt, account), order_ids)


def create_inventory_job(rt: Runtime, account: str | int) -> Job:
    return InventoryReport().create(rt, _account_id(rt, account))


def create_orders_import_job(rt: Runtime, account: str | int) -> Job:
    return OrdersImport().create(rt, _account_id(rt, account))


def add_to_selling_list(
    rt: Runtime, account: str | int, skus: Sequence[str] = (), all_products: bool = False
) -> tuple[int, list[tuple[str, str]]]:
    """Put products on the account's selling list (state not listed).

    Returns how many were added and the SKUs left out, with the reason.
    """
    if bool(skus) == all_products:
        raise SelectionError("choose SKUs or --all")
    account_id = _account_id(rt, account)
    with rt.db.transaction() as session:
        return catalog.add_to_list(session, account_id, skus, rt.clock.now())


def ship_order(
    rt: Runtime, account: str | int, amazon_order_id: str, spec: ShipmentSpec
) -> Shipment:
    """Mark an imported order shipped: a package due for Orders Fulfillment."""
    account_id = _account_id(rt, account)
    with rt.db.transaction() as session:
        order = find_order(session, account_id, amazon_order_id)
        return create_shipment(session, order, spec, rt.clock.now())


def check_job(rt: Runtime, job_id: int) -> None:
    """Look at an unfinished job now (poll Amazon on the worker's next step, within quota)."""
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        status = JobStatus(job.status)
        if status.is_terminal:
            raise AmazonJobsError(f"job {job_id} is {status.label.lower()}: nothing left to check")
        job.next_run_at = min(job.next_run_at or now, now)
        append_log(session, job_id, now, "Status check asked for: the job is looked at now")


def retry_failed_items(rt: Runtime, job_id: int) -> list[Job]:
    """New job(s) for the items of *job_id* that failed, linked to it as their parent."""
    with rt.db.read() as session:
        job = get_job(session, job_id)
        failed = session.execute(
            select(JobItem.ref, JobItem.shipment_id).where(
                JobItem.job_id == job_id, JobItem.outcome == "error"
            )
        ).all()
    job_type = JobType(job.type)
    if not JobStatus(job.status).is_terminal:
        raise AmazonJobsError(f"job {job_id} is still running: retry its failed items when it ends")
    if not failed:
        raise SelectionError(f"job {job_id} has no failed items to retry")
    if job_type in FEED_JOB_TYPES:
        handler = handler_for(job_type)
        assert isinstance(handler, ListingsFeedJob)
        skus = tuple(dict.fromkeys(ref for ref, _ in failed))
        return handler.reserve(rt, job.account_id, Selection(skus=skus), parent_id=job_id).jobs
    if job_type is JobType.ORDERS_FULFILLMENT:
        shipment_ids = [sid for _, sid in failed if sid is not None]
        with rt.db.transaction() as session:
            orders = _requeue_packages(session, shipment_ids, rt.clock.now())
        return [OrdersFulfillment().reserve(rt, job.account_id, orders, parent_id=job_id)]
    raise AmazonJobsError(f"{job_type.label} jobs have no items to retry: create a new one")


def _requeue_packages(session: Session, shipment_ids: list[int], now: datetime) -> list[str]:
    """Packages Amazon refused become due again; returns their orders."""
    rows = session.execute(
        select(Shipment, Order.amazon_order_id)
        .join(Order, Order.id == Shipment.order_id)
        .where(Shipment.id.in_(shipment_ids), Shipment.locked_by_job_id.is_(None))
    ).all()
    for shipment, _ in rows:
        shipment.state, shipment.error, shipment.updated_at = "due", None, now
    return sorted({order_id for _, order_id in rows})


def test_connection(rt: Runtime, account_id: int) -> tuple[bool, str]:
    """Whether Login with Amazon accepts the account's credentials and the SP-API answers."""
    now = rt.clock.now()
    records: list[CallRecord] = []
    with rt.db.transaction() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise AmazonJobsError(f"no account with id {account_id}")
        ready_at = rt.throttle.try_acquire(session, account_id, [Operation.GET_FEEDS], now)
    if ready_at is not None:
        wait = (ready_at - now).total_seconds()
        return False, f"the getFeeds quota is in use: try again in {wait:.0f} s"
    client = rt.amazon(account, records.append)
    try:
        client.get_feeds([FEED_TYPE], now - timedelta(minutes=1))
    except AmazonError as exc:
        return False, exc.message
    request_id = next((r.request_id for r in reversed(records) if r.request_id), None)
    return True, (
        "Connected: Login with Amazon accepted the credentials and the SP-API answered"
        + (f" (request id {request_id})" if request_id else "")
    )
