"""Orders Fulfillment: confirm each shipped package with Orders v0 confirmShipment.

One job item per package. The calls answer at once, so the job goes from
``processing`` straight to ``done``: each package is confirmed (Amazon then
charges the buyer) or carries Amazon's 400 text, while the others proceed.
Each outcome is recorded as soon as Amazon answers, so a job interrupted
halfway resumes with the packages not yet confirmed; confirmShipment is
idempotent per packageReferenceId, so a repeat after a crash only edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from amazon_jobs.amazon.orders_api import Package
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import AmazonClientError, SelectionError
from amazon_jobs.handlers.steps import StepHandler
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log, create_job, insert_items, lock_job, move
from amazon_jobs.store.models import Job, JobItem, Order, OrderItem, Shipment

__all__ = ["OrdersFulfillment"]

CONFIRM = Operation.CONFIRM_SHIPMENT


class OrdersFulfillment(StepHandler):
    job_type: ClassVar[JobType] = JobType.ORDERS_FULFILLMENT

    def reserve(
        self,
        rt: Runtime,
        account_id: int,
        order_ids: Sequence[str] = (),
        parent_id: int | None = None,
    ) -> Job:
        """A job for the account's due packages (of *order_ids* only, if given)."""
        now = rt.clock.now()
        with rt.db.transaction() as session:
            query = (
                select(Shipment, Order.amazon_order_id)
                .join(Order, Order.id == Shipment.order_id)
                .where(
                    Order.account_id == account_id,
                    Shipment.state == "due",
                    Shipment.locked_by_job_id.is_(None),
                )
                .order_by(Shipment.id)
                .with_for_update(of=Shipment, skip_locked=True)
            )
            if order_ids:
                query = query.where(Order.amazon_order_id.in_(order_ids))
            rows = session.execute(query).all()
            if not rows:
                raise SelectionError(
                    "no shipped order waits for confirmation: mark orders shipped first "
                    "(`amazon-jobs orders ship`)"
                )
            job = create_job(session, account_id, self.job_type, now, parent_id=parent_id)
            _lock(session, job, rows)
            append_log(session, job.id, now, f"Reserved {len(rows)} package(s)")
            return job

    def step(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        if job.status == JobStatus.RESERVED:
            self.assemble(rt, job_id, f"{job.items_total} package(s) queued")
        elif job.status == JobStatus.CREATED:
            if self.start(rt, job_id, [CONFIRM], "confirming shipments"):
                self._confirm_all(rt, job_id)
        elif job.status == JobStatus.PROCESSING:
            self._confirm_all(rt, job_id)

    def _confirm_all(self, rt: Runtime, job_id: int) -> None:
        _, account = self.load(rt, job_id)
        client = self.client(rt, job_id, account)
        for item_id, shipment, order_id in _pending(rt, job_id):
            if not self.spend(rt, job_id, [CONFIRM]):
                return
            try:
                client.confirm_shipment(order_id, account.marketplace_id, _package(shipment))
            except AmazonClientError as refused:
                self._refused(rt, job_id, item_id, shipment, refused.message)
            else:
                self._confirmed(rt, job_id, item_id, shipment)
        self._finish(rt, job_id)

    def _confirmed(self, rt: Runtime, job_id: int, item_id: int, shipment: Shipment) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            _mark_shipped(session, shipment)
            session.execute(
                update(Shipment)
                .where(Shipment.id == shipment.id)
                .values(
                    state="confirmed",
                    confirmed_at=now,
                    updated_at=now,
                    error=None,
                    locked_by_job_id=None,
                )
            )
            update_rows(
                session,
                JobItem,
                [
                    {
                        "id": item_id,
                        "outcome": "ok",
                        "confirmed": {"package": shipment.package_reference_id},
                    }
                ],
            )
            job.items_ok += 1

    def _refused(
        self, rt: Runtime, job_id: int, item_id: int, shipment: Shipment, text: str
    ) -> None:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            session.execute(
                update(Shipment)
                .where(Shipment.id == shipment.id)
                .values(state="error", error=text, updated_at=now, locked_by_job_id=None)
            )
            update_rows(
                session, JobItem, [{"id": item_id, "outcome": "error", "error_message": text}]
            )
            job.items_failed += 1

    def _finish(self, rt: Runtime, job_id: int) -> None:
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status == JobStatus.PROCESSING:
                move(
                    session,
                    job,
                    JobStatus.DONE,
                    rt.clock.now(),
                    f"{job.items_ok} package(s) confirmed, {job.items_failed} refused by Amazon",
                )

    def rollback(self, session: Session, job: Job) -> None:
        _free_packages(session, job.id)
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job.id, JobItem.outcome == "pending")
            .values(outcome="canceled")
        )

    def release(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        _free_packages(session, job.id, error=reason, now=now)
        failed = session.execute(
            update(JobItem)
            .where(JobItem.job_id == job.id, JobItem.outcome == "pending")
            .values(outcome="error", error_message=reason)
        )
        job.items_failed += int(cast(CursorResult[Any], failed).rowcount or 0)


def _free_packages(
    session: Session, job_id: int, error: str | None = None, now: datetime | None = None
) -> None:
    values: dict[str, Any] = {"locked_by_job_id": None}
    if error is not None:
        values.update(error=error, updated_at=now)
    session.execute(update(Shipment).where(Shipment.locked_by_job_id == job_id).values(**values))


def _lock(session: Session, job: Job, rows: Sequence[Any]) -> None:
    shipment_ids = [row.Shipment.id for row in rows]
    session.execute(
        update(Shipment).where(Shipment.id.in_(shipment_ids)).values(locked_by_job_id=job.id)
    )
    insert_items(
        session,
        [
            {
                "job_id": job.id,
                "shipment_id": row.Shipment.id,
                "ref": f"{row.amazon_order_id} #{row.Shipment.package_reference_id}",
                "prior": {"state": row.Shipment.state},
                "requested": {
                    "carrier": row.Shipment.carrier_code,
                    "tracking": row.Shipment.tracking_number,
                    "items": row.Shipment.items,
                },
                "outcome": "pending",
            }
            for row in rows
        ],
    )
    job.items_total = len(rows)


def _pending(rt: Runtime, job_id: int) -> list[tuple[int, Shipment, str]]:
    with rt.db.read() as session:
        rows = session.execute(
            select(JobItem.id, Shipment, Order.amazon_order_id)
            .join(Shipment, Shipment.id == JobItem.shipment_id)
            .join(Order, Order.id == Shipment.order_id)
            .where(JobItem.job_id == job_id, JobItem.outcome == "pending")
            .order_by(JobItem.id)
        ).all()
        return [(row.id, row.Shipment, row.amazon_order_id) for row in rows]


def _package(shipment: Shipment) -> Package:
    return Package(
        reference_id=shipment.package_reference_id,
        carrier_code=shipment.carrier_code,
        carrier_name=shipment.carrier_name,
        shipping_method=shipment.shipping_method,
        tracking_number=shipment.tracking_number,
        ship_date=shipment.ship_date,
        items=[(line["order_item_id"], int(line["quantity"])) for line in shipment.items],
    )


def _mark_shipped(session: Session, shipment: Shipment) -> None:
    """Count the package's quantities as shipped and update the order's status."""
    for line in shipment.items:
        session.execute(
            update(OrderItem)
            .where(
                OrderItem.order_id == shipment.order_id,
                OrderItem.order_item_id == line["order_item_id"],
            )
            .values(quantity_shipped=OrderItem.quantity_shipped + int(line["quantity"]))
        )
    left = session.scalar(
        select(OrderItem.id).where(
            OrderItem.order_id == shipment.order_id,
            OrderItem.quantity_shipped < OrderItem.quantity_ordered,
        )
    )
    session.execute(
        update(Order)
        .where(Order.id == shipment.order_id)
        .values(status="PARTIALLY_SHIPPED" if left else "SHIPPED")
    )
