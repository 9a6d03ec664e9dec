"""What a seller can ask for, shared by the CLI, the web app and the demo.

No job is created for an account that is not active (paused, disabled, deleted):
the refusal (:class:`~amazon_jobs.errors.AccountUnavailable`) names the account,
its state and what to do. Its jobs already queued wait and run once it is active.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amazon_jobs.amazon.client import CallRecord
from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.domain.cancel import cancel_verdict
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.retry import retry_blocker
from amazon_jobs.errors import (
    AmazonAuthError,
    AmazonClientError,
    AmazonError,
    AmazonJobsError,
    EndpointNotAllowed,
    NotCancelable,
    SelectionError,
)
from amazon_jobs.feeds.listings_feed import FEED_TYPE
from amazon_jobs.handlers import handler_for
from amazon_jobs.handlers.feed_job import ListingsFeedJob
from amazon_jobs.handlers.fulfillment import OrdersFulfillment
from amazon_jobs.handlers.inventory_report import InventoryReport
from amazon_jobs.handlers.orders_import import OrdersImport
from amazon_jobs.handlers.orders_to_shop import OrdersToShop
from amazon_jobs.handlers.reservation import Reservation, Selection
from amazon_jobs.handlers.shipments_from_shop import ShipmentsFromShop
from amazon_jobs.order_acknowledge import Acknowledged
from amazon_jobs.order_acknowledge import acknowledge_order as _acknowledge_order
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import catalog
from amazon_jobs.store.account_status import check_usable
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.actions import SCHEDULER, cli_actor, record_action
from amazon_jobs.store.cancel_facts import cancel_facts_of
from amazon_jobs.store.jobs import append_log, get_job, lock_job
from amazon_jobs.store.models import Account, Job, JobItem, Order, Shipment
from amazon_jobs.store.orders import ShipmentSpec, create_shipment, find_order

__all__ = [
    "acknowledge_order",
    "add_to_selling_list",
    "cancel_job",
    "check_job",
    "create_fulfillment_job",
    "create_inventory_job",
    "create_listings_job",
    "create_orders_import_job",
    "create_orders_reconciliation_job",
    "retry_failed_items",
    "ship_order",
    "test_connection",
]


def create_listings_job(
    rt: Runtime,
    job_type: JobType,
    account: str | int,
    selection: Selection,
    *,
    actor: str | None = None,
    reason: str | None = None,
    channel: Channel | None = None,
) -> Reservation:
    """Reserve the selected listings in one or more new jobs of *job_type*.

    *channel* forces the jobs through the feed or the Listings Items API (None or
    ``auto``: the account's setting decides, see :mod:`amazon_jobs.domain.channels`).

    *actor* (the user's name; the CLI's ``cli:<OS user>`` when None) and *reason*
    go into each job's log and the list of actions, as for every function here.
    """
    handler = handler_for(job_type)
    if not isinstance(handler, ListingsFeedJob):
        raise AmazonJobsError(f"{job_type.label} jobs do not work on listings")
    reservation = handler.reserve(rt, _job_account_id(rt, account), selection, channel=channel)
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
    _record_created(rt, reservation.jobs, actor, reason)
    return reservation


def _record(
    rt: Runtime,
    action: str,
    detail: str,
    actor: str | None,
    reason: str | None,
    *,
    job_id: int | None = None,
    account_id: int | None = None,
) -> None:
    """Keep who did what (and write it in the job's log), in its own transaction.

    What the scheduler does on its own (*actor* :data:`SCHEDULER`) is not a person's
    action: the job's log already says where the job came from."""
    if actor == SCHEDULER:
        return
    with rt.db.transaction() as session:
        record_action(
            session,
            rt.clock.now(),
            actor or cli_actor(),
            action,
            detail,
            job_id=job_id,
            account_id=account_id,
            reason=reason,
        )


def _record_created(
    rt: Runtime, jobs: Sequence[Job], actor: str | None, reason: str | None, what: str = "created"
) -> None:
    for job in jobs:
        label = JobType(job.type).label
        items = f"{job.items_total} item{'s' if job.items_total != 1 else ''}"
        detail = f"{what} {label} job {job.id} ({items})"
        _record(rt, "create", detail, actor, reason, job_id=job.id, account_id=job.account_id)


def cancel_job(
    rt: Runtime, job_id: int, *, actor: str | None = None, reason: str | None = None
) -> bool:
    """Cancel a job and put every item back as it was.

    Reserved and created jobs are canceled at once (True). A listings job
    waiting for its result is canceled only if Amazon agrees to cancel the
    feed, which it does while the feed is still IN_QUEUE: the request is
    recorded and the worker asks Amazon on its next step (False). A job calling
    the Listings Items API stops before its next call, its unsent items rolled
    back (False: the worker does it).
    """
    canceled = _cancel(rt, job_id)
    detail = "canceled the job" if canceled else "asked for the job to be canceled"
    _record(rt, "cancel", detail, actor, reason, job_id=job_id)
    return canceled


def _cancel(rt: Runtime, job_id: int) -> bool:
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        verdict = cancel_verdict(cancel_facts_of(job))
        if not verdict.allowed:
            raise NotCancelable(job_id, verdict.text)
        if verdict.at_once:
            handler_for(job.type).cancel(session, job, now, "canceled by the user")
            return True
        job.cancel_requested_at = now
        job.next_run_at = now
        if job.data.get("channel") == Channel.API.value:
            text = "Cancel requested: the job stops before its next Listings Items call"
        else:
            text = (
                f"Cancel requested: asking Amazon to cancel feed {job.amazon_ref} "
                "(possible only while it is IN_QUEUE)"
            )
        append_log(session, job_id, now, text)
        return False


def _account_id(rt: Runtime, account: str | int) -> int:
    with rt.db.read() as session:
        return find_account(session, account).id


def _job_account_id(rt: Runtime, account: str | int) -> int:
    """The account a new job is for; refused (:class:`AccountUnavailable`, naming the
    account, its state and what to do) unless it is active."""
    with rt.db.read() as session:
        found = find_account(session, account)
        check_usable(found)
        return found.id


def _check_job_account(rt: Runtime, account_id: int) -> None:
    with rt.db.read() as session:
        check_usable(session.get_one(Account, account_id))


def create_fulfillment_job(
    rt: Runtime,
    account: str | int,
    order_ids: Sequence[str] = (),
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Job:
    """An Orders Fulfillment job for the account's shipped, unconfirmed packages."""
    job = OrdersFulfillment().reserve(rt, _job_account_id(rt, account), order_ids)
    _record_created(rt, [job], actor, reason)
    return job


def create_inventory_job(
    rt: Runtime, account: str | int, *, actor: str | None = None, reason: str | None = None
) -> Job:
    job = InventoryReport().create(rt, _job_account_id(rt, account))
    _record_created(rt, [job], actor, reason)
    return job


def create_orders_import_job(
    rt: Runtime, account: str | int, *, actor: str | None = None, reason: str | None = None
) -> Job:
    job = OrdersImport().create(rt, _job_account_id(rt, account))
    _record_created(rt, [job], actor, reason)
    return job


def create_orders_reconciliation_job(
    rt: Runtime, account: str | int, *, actor: str | None = None, reason: str | None = None
) -> Job:
    """An Orders Import that reconciles: imports the orders Amazon lists that are not here."""
    job = OrdersImport().create(rt, _job_account_id(rt, account), reconcile=True)
    _record_created(rt, [job], actor, reason)
    return job


def create_orders_to_shop_job(
    rt: Runtime,
    account: str | int,
    order_ids: Sequence[str] = (),
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Job:
    """An Orders to Shop job for the account's imported orders the shop does not have."""
    job = OrdersToShop().reserve(rt, _job_account_id(rt, account), order_ids)
    _record_created(rt, [job], actor, reason)
    return job


def create_shipments_from_shop_job(
    rt: Runtime, account: str | int, *, actor: str | None = None, reason: str | None = None
) -> Job:
    """A Shipments from Shop job for the account's shop (and every account linked to it)."""
    job = ShipmentsFromShop().create(rt, _job_account_id(rt, account))
    _record_created(rt, [job], actor, reason)
    return job


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
    rt: Runtime,
    account: str | int,
    amazon_order_id: str,
    spec: ShipmentSpec,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Shipment:
    """Mark an imported order shipped: a package due for Orders Fulfillment."""
    account_id = _account_id(rt, account)
    with rt.db.transaction() as session:
        order = find_order(session, account_id, amazon_order_id)
        shipment = create_shipment(session, order, spec, rt.clock.now())
    detail = f"marked order {amazon_order_id} shipped"
    _record(rt, "ship", detail, actor, reason, account_id=account_id)
    return shipment


def acknowledge_order(
    rt: Runtime,
    ref: str,
    account: str | int | None = None,
    shop_order_ref: str | None = None,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Acknowledged:
    """The shop has the order (push path): its units stop being held back from Amazon.

    *ref* is the order's id, or with *account* its Amazon order id. A second
    acknowledgement changes nothing and is not recorded again."""
    done = _acknowledge_order(rt, ref, account, shop_order_ref)
    if done.changed:
        ref_text = f" as {shop_order_ref!r}" if shop_order_ref else ""
        detail = f"acknowledged order {done.order.amazon_order_id}: in the shop{ref_text}"
        _record(rt, "acknowledge", detail, actor, reason, account_id=done.order.account_id)
    return done


def check_job(
    rt: Runtime, job_id: int, *, actor: str | None = None, reason: str | None = None
) -> None:
    """Look at an unfinished job now (poll Amazon on the worker's next step, within quota)."""
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = lock_job(session, job_id)
        status = JobStatus(job.status)
        if status.is_terminal:
            raise AmazonJobsError(f"job {job_id} is {status.label.lower()}: nothing left to check")
        job.next_run_at = min(job.next_run_at or now, now)
        append_log(session, job_id, now, "Status check asked for: the job is looked at now")
    _record(rt, "check", "asked for a status check", actor, reason, job_id=job_id)


def retry_failed_items(
    rt: Runtime, job_id: int, *, actor: str | None = None, reason: str | None = None
) -> tuple[list[Job], list[tuple[str, str]]]:
    """New job(s), linked to *job_id* as their parent, for its failed items that a retry
    can fix (:func:`~amazon_jobs.domain.retry.retry_blocker`: not an unknown SKU, not a
    wrong EAN/UPC); returns them and the items left out, with the reason. The one rule
    of the job page, the jobs table's bulk retry and the API."""
    jobs, left_out = _retry_fixable(rt, job_id)
    ids = ", ".join(str(job.id) for job in jobs)
    _record(rt, "retry", f"retried the fixable failed items in job {ids}", actor, reason,
            job_id=job_id)  # fmt: skip
    _record_created(rt, jobs, actor, reason, what=f"retried job {job_id}'s failed items in")
    return jobs, left_out


def _retry_fixable(rt: Runtime, job_id: int) -> tuple[list[Job], list[tuple[str, str]]]:
    with rt.db.read() as session:
        job = get_job(session, job_id)
        failed = session.execute(
            select(JobItem.ref, JobItem.shipment_id, JobItem.error_code, JobItem.error_message)
            .where(JobItem.job_id == job_id, JobItem.outcome == "error")
            .order_by(JobItem.id)
        ).all()
    job_type = JobType(job.type)
    if not JobStatus(job.status).is_terminal:
        raise AmazonJobsError(f"job {job_id} is still running: retry its failed items when it ends")
    _check_job_account(rt, job.account_id)
    left_out: list[tuple[str, str]] = []
    fixable = []
    for row in failed:
        why = retry_blocker(row.error_code, row.error_message)
        if why is None:
            fixable.append(row)
        else:
            left_out.append((row.ref, why))
    if not fixable:
        named = "; ".join(f"{ref}: {why}" for ref, why in left_out[:10])
        more = f" and {len(left_out) - 10} more" if len(left_out) > 10 else ""
        raise SelectionError(
            f"job {job_id} has no failed items a retry can fix"
            + (f" (left out, fix them in the shop first: {named}{more})" if left_out else "")
        )
    if job_type in FEED_JOB_TYPES:
        handler = handler_for(job_type)
        assert isinstance(handler, ListingsFeedJob)
        skus = tuple(dict.fromkeys(row.ref for row in fixable))
        reservation = handler.reserve(rt, job.account_id, Selection(skus=skus), parent_id=job_id)
        return reservation.jobs, left_out + reservation.skipped
    if job_type is JobType.ORDERS_FULFILLMENT:
        shipment_ids = [row.shipment_id for row in fixable if row.shipment_id is not None]
        with rt.db.transaction() as session:
            orders = _requeue_packages(session, shipment_ids, rt.clock.now())
        return [OrdersFulfillment().reserve(rt, job.account_id, orders, parent_id=job_id)], left_out
    if job_type is JobType.ORDERS_TO_SHOP:
        refs = [row.ref for row in fixable]
        with rt.db.transaction() as session:
            session.execute(
                update(Order)
                .where(Order.account_id == job.account_id, Order.amazon_order_id.in_(refs))
                .values(shop_error=None)
            )
        return [OrdersToShop().reserve(rt, job.account_id, refs, parent_id=job_id)], left_out
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


#: The only answers of a connection test. Never the remote body, its error field or
#: how a connection failed: a closed port, a timeout and an HTTP 404 all read the same,
#: so the test cannot be used to look around the network.
CONNECTED = "OK: Amazon accepted the credentials"
REFUSED = "Amazon refused the credentials"
UNREACHABLE = "Could not reach Amazon"
#: Login with Amazon's answers (OAuth 2) to credentials it does not accept.
LWA_REFUSALS = frozenset(
    {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_request", "access_denied"}
)


def test_connection(rt: Runtime, account_id: int) -> tuple[bool, str]:
    """Whether Login with Amazon accepts the account's credentials and the SP-API answers.

    An account whose URLs this server does not allow is not called at all: the
    answer says so and what to do.
    """
    records: list[CallRecord] = []
    with rt.db.read() as session:
        account = session.get(Account, account_id)
        if account is None or account.status == AccountStatus.DELETED:
            raise AmazonJobsError(f"no account with id {account_id}")
    try:
        client = rt.amazon(account, records.append)
    except EndpointNotAllowed as exc:
        return False, exc.message
    now = rt.clock.now()
    with rt.db.transaction() as session:
        ready_at = rt.throttle.try_acquire(session, account_id, [Operation.GET_FEEDS], now)
    if ready_at is not None:
        wait = (ready_at - now).total_seconds()
        return False, f"the getFeeds quota is in use: try again in {wait:.0f} s"
    try:
        client.get_feeds([FEED_TYPE], now - timedelta(minutes=1))
    except AmazonError as exc:
        return False, REFUSED if _refused(exc) else UNREACHABLE
    return True, CONNECTED


def _refused(exc: AmazonError) -> bool:
    """Login with Amazon refused the refresh token or client, or the SP-API the access token."""
    if isinstance(exc, AmazonAuthError):
        return exc.status in (400, 401) and exc.code in LWA_REFUSALS
    return isinstance(exc, AmazonClientError) and exc.status == 403 and exc.code == "Unauthorized"
