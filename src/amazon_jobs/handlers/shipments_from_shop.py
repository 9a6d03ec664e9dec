"""Shipments from Shop: shipped shop orders become packages; Amazon cancellations go back.

One job per shop (carried by the account it was asked for; it covers every
account linked to the shop, whose ``orders_synced_until`` is the cursor). Only
orders Orders to Shop created are read (``Order.shop_order_id``), and of those
only the ones still open on Amazon, by id, changed since the cursor minus an
overlap (``date_upd`` is shop-local time, ``PS_TIMEZONE``: ``prestashop-facts.md``
§3.5). An order in a *shipped* state with a tracking number on its
``order_carriers`` becomes a :class:`~amazon_jobs.store.models.Shipment` the
Orders Fulfillment job confirms on Amazon. The back office does not touch
``date_upd`` when a tracking number is typed after the state (§3.4), so orders
seen shipped without one are re-read each run until it is there.

An order Amazon reports canceled that the shop has and has not shipped is moved to
the canceled state (the shop restocks, §3.3), once: its state is read right
before, so a run interrupted after the write does not write it twice.

Each order's outcome (package made, cancellation written, refusal) is a job item
committed on its own, so a run killed anywhere loses nothing and a rerun skips
what is done (an order with a package is not packaged again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.handlers.shop_link import (
    account_shop,
    open_shop,
    refuse_if_running,
    shop_accounts,
)
from amazon_jobs.handlers.steps import StepHandler, record
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop.prestashop_orders import ShopOrders, shop_time, to_shop_time
from amazon_jobs.shop.webservice import ShopError, ShopUnavailable
from amazon_jobs.store.jobs import append_log, create_job, insert_items, lock_job, move
from amazon_jobs.store.models import Job, Order, Shipment, Shop
from amazon_jobs.store.orders import SHIPPABLE, ShipmentSpec, create_shipment
from amazon_jobs.testing import checkpoint

__all__ = ["OVERLAP", "ShipmentsFromShop"]

#: Read again this far before the cursor: equal seconds are common, clocks differ.
OVERLAP = timedelta(minutes=5)
#: Shop order ids per request (``filter[id]=[1|2|…]``), well under URL limits.
BATCH = 100
#: How far back the first run reads when the shop was never read.
FIRST_WINDOW = timedelta(days=30)


class ShipmentsFromShop(StepHandler):
    job_type: ClassVar[JobType] = JobType.SHIPMENTS_FROM_SHOP

    def create(self, rt: Runtime, account_id: int) -> Job:
        now = rt.clock.now()
        with rt.db.transaction() as session:
            shop = account_shop(session, account_id)
            accounts = shop_accounts(session, shop.id)
            refuse_if_running(session, accounts, self.job_type, "reading this shop's shipments")
            job = create_job(session, account_id, self.job_type, now)
            job.data = {"shop_id": shop.id}
            append_log(session, job.id, now, f"Reading shop {shop.name} for shipments")
            return job

    def step(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        if job.status == JobStatus.RESERVED:
            self.assemble(rt, job_id, "queued")
        elif job.status in (JobStatus.CREATED, JobStatus.PROCESSING):
            with rt.db.transaction() as session:
                locked = lock_job(session, job_id)
                if locked.status == JobStatus.CREATED:
                    move(session, locked, JobStatus.PROCESSING, rt.clock.now(), "reading the shop")
                    record(locked, rt.clock.now(), read_at=rt.clock.now().isoformat())
            self._run(rt, job_id)

    def _run(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        with rt.db.read() as session:
            shop = session.get_one(Shop, int(job.data["shop_id"]))
            accounts = shop_accounts(session, shop.id)
            since = shop.orders_synced_until
        client, context = open_shop(rt, shop)
        with client:
            reader = _Reader(rt, job_id, ShopOrders(client, context), accounts)
            reader.refresh_states(since)
            reader.package_shipped()
            reader.write_cancellations()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status != JobStatus.PROCESSING:
                return
            shop = session.get_one(Shop, shop.id, with_for_update=True)
            read_at = datetime.fromisoformat(job.data["read_at"])
            if shop.orders_synced_until is None or read_at > shop.orders_synced_until:
                shop.orders_synced_until = read_at
            move(
                session,
                job,
                JobStatus.DONE,
                rt.clock.now(),
                f"{job.data.get('packages', 0)} package(s) to confirm, "
                f"{job.data.get('canceled', 0)} cancellation(s) written, "
                f"{job.items_failed} refused",
            )


class _Reader:
    def __init__(self, rt: Runtime, job_id: int, shop: ShopOrders, accounts: list[int]) -> None:
        self.rt, self.job_id, self.shop, self.accounts = rt, job_id, shop, accounts
        self.context = shop.context
        self._carriers: dict[int, dict[str, Any] | None] = {}

    # 1. States

    def refresh_states(self, synced_until: datetime | None) -> None:
        """Read the state of our open shop orders changed since the cursor."""
        with self.rt.db.read() as session:
            ids = list(
                session.scalars(
                    select(Order.shop_order_id).where(
                        Order.account_id.in_(self.accounts),
                        Order.shop_order_id.is_not(None),
                        or_(
                            Order.status.in_(SHIPPABLE),
                            and_(Order.status == "CANCELLED", Order.shop_canceled_at.is_(None)),
                        ),
                    )
                )
            )
            first = session.scalar(
                select(Order.in_shop_at)
                .where(Order.account_id.in_(self.accounts), Order.in_shop_at.is_not(None))
                .order_by(Order.in_shop_at)
                .limit(1)
            )
        start = synced_until or first or self.rt.clock.now() - FIRST_WINDOW
        since = to_shop_time(start - OVERLAP, self.context.timezone)
        for offset in range(0, len(ids), BATCH):
            batch = [int(i) for i in ids[offset : offset + BATCH] if i is not None]
            rows = self.shop.client.list(
                "orders",
                display=["id", "current_state", "date_upd"],
                filters={"id": _ids(batch), "date_upd": f"[{since},2999-12-31 23:59:59]"},
            )
            self._store_states(rows)

    def _store_states(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.rt.db.transaction() as session:
            for row in rows:
                session.execute(
                    update(Order)
                    .where(
                        Order.account_id.in_(self.accounts),
                        Order.shop_order_id == int(row["id"]),
                    )
                    .values(shop_state=int(row.get("current_state") or 0))
                )

    # 2. Packages

    def package_shipped(self) -> None:
        """Orders shipped in the shop and open on Amazon without a package yet."""
        with self.rt.db.read() as session:
            orders = list(
                session.scalars(
                    select(Order)
                    .where(
                        Order.account_id.in_(self.accounts),
                        Order.shop_order_id.is_not(None),
                        Order.status.in_(SHIPPABLE),
                        Order.shop_state.in_(sorted(self.context.shipped_states)),
                        ~exists().where(Shipment.order_id == Order.id),
                    )
                    .order_by(Order.id)
                )
            )
        waiting = 0
        for order in orders:
            carriers = self.shop.order_carriers(int(order.shop_order_id or 0))
            tracked = [c for c in carriers if str(c.get("tracking_number") or "").strip()]
            if not tracked:
                waiting += 1
                continue
            self._package(order, tracked[0])
        if waiting:
            self._log(f"{waiting} shipped order(s) without a tracking number yet: read next run")

    def _package(self, order: Order, carrier_row: dict[str, Any]) -> None:
        code, name = self._carrier(int(carrier_row.get("id_carrier") or 0))
        shipped_at = shop_time(str(carrier_row.get("date_add") or ""), self.context.timezone)
        now = self.rt.clock.now()
        spec = ShipmentSpec(
            carrier_code=code,
            carrier_name=name if code == "Other" else None,
            tracking_number=str(carrier_row["tracking_number"]).strip(),
            ship_date=min(max(shipped_at or now, order.purchased_at), now),
        )
        with self.rt.db.transaction() as session:
            job = lock_job(session, self.job_id, fenced=False)
            fresh = session.get_one(Order, order.id, with_for_update=True)
            if session.scalar(select(Shipment.id).where(Shipment.order_id == order.id).limit(1)):
                return  # made by an earlier run (or by hand) meanwhile
            try:
                shipment = create_shipment(session, fresh, spec, now)
            except AmazonJobsError as exc:
                _item(session, job, order, "error", message=str(exc))
                return
            _item(
                session,
                job,
                order,
                "ok",
                confirmed={
                    "package": shipment.package_reference_id,
                    "carrier": code,
                    "tracking": spec.tracking_number,
                },
            )
            record(job, now, packages=int(job.data.get("packages", 0)) + 1)
        checkpoint("shop:package")

    def _carrier(self, carrier_id: int) -> tuple[str, str]:
        """Amazon's carrier code and the name, by the carrier's ``id_reference`` (§2)."""
        if carrier_id not in self._carriers:
            self._carriers[carrier_id] = self.shop.carrier(carrier_id) if carrier_id else None
        row = self._carriers[carrier_id] or {}
        name = str(row.get("name") or "Carrier")
        mapped = self.context.settings.carriers.get(str(row.get("id_reference") or carrier_id))
        if mapped:
            return mapped["code"], mapped.get("name") or name
        return "Other", name

    # 3. Cancellations

    def write_cancellations(self) -> None:
        with self.rt.db.read() as session:
            orders = list(
                session.scalars(
                    select(Order)
                    .where(
                        Order.account_id.in_(self.accounts),
                        Order.shop_order_id.is_not(None),
                        Order.status == "CANCELLED",
                        Order.shop_canceled_at.is_(None),
                        Order.shop_error.is_(None),
                    )
                    .order_by(Order.id)
                )
            )
        for order in orders:
            self._cancel(order)

    def _cancel(self, order: Order) -> None:
        shop_id, canceled = int(order.shop_order_id or 0), self.context.canceled_state
        try:
            current = self.shop.order(shop_id)
            state = int((current or {}).get("current_state") or 0)
            if current is None:
                raise ShopError(f"the shop has no order {shop_id} any more")
            if state in self.context.shipped_states:
                raise ShopError(
                    f"canceled on Amazon but shop order {shop_id} is shipped already: "
                    "settle it with the buyer"
                )
            if state != canceled:
                self.shop.set_state(shop_id, canceled)
                checkpoint("shop:cancel")
        except ShopUnavailable as exc:
            if exc.code is None:
                raise
            self._cancel_refused(order, str(exc))
            return
        except ShopError as exc:
            self._cancel_refused(order, str(exc))
            return
        now = self.rt.clock.now()
        with self.rt.db.transaction() as session:
            job = lock_job(session, self.job_id, fenced=False)
            session.execute(
                update(Order)
                .where(Order.id == order.id)
                .values(shop_canceled_at=now, shop_state=canceled)
            )
            _item(session, job, order, "ok", confirmed={"canceled_in_shop": shop_id})
            record(job, now, canceled=int(job.data.get("canceled", 0)) + 1)

    def _cancel_refused(self, order: Order, message: str) -> None:
        with self.rt.db.transaction() as session:
            job = lock_job(session, self.job_id, fenced=False)
            session.execute(update(Order).where(Order.id == order.id).values(shop_error=message))
            _item(session, job, order, "error", message=message)

    def _log(self, message: str) -> None:
        with self.rt.db.transaction() as session:
            append_log(session, self.job_id, self.rt.clock.now(), message)


def _ids(values: Sequence[int]) -> str:
    return "[" + "|".join(str(v) for v in values) + "]"


def _item(
    session: Session,
    job: Job,
    order: Order,
    outcome: str,
    *,
    message: str | None = None,
    confirmed: dict[str, Any] | None = None,
) -> None:
    insert_items(
        session,
        [
            {
                "job_id": job.id,
                "ref": order.amazon_order_id,
                "prior": {"shop_state": order.shop_state},
                "requested": {"shop_order_id": order.shop_order_id},
                "outcome": outcome,
                "error_code": "SHOP_REFUSED" if outcome == "error" else None,
                "error_message": message,
                "confirmed": confirmed,
            }
        ],
    )
    job.items_total += 1
    if outcome == "ok":
        job.items_ok += 1
    else:
        job.items_failed += 1
        append_log(session, job.id, job.updated_at, f"{order.amazon_order_id}: {message}",
                   level="warning")  # fmt: skip
