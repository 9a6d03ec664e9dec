"""Orders to Shop: each imported Amazon order becomes a PrestaShop order, exactly once.

Which orders: those of the account (linked to a shop) that Amazon reports
``UNSHIPPED`` and that the shop does not have yet (``in_shop_at`` NULL), not
fulfilled by Amazon and not refused before (a refused order waits for a retry of
its item). ``PENDING`` orders are left alone: Amazon has not taken the payment
and may still cancel; they are written once they become ``UNSHIPPED``.

Per order (one job item, ref = the Amazon order id), following PrestaShop's
recipe (``prestashop-facts.md`` §3.1): customer (reused by e-mail), address, cart
with its rows, ``POST orders`` with ``total_paid`` = the cart total, then
``POST order_histories`` to the mapped state and the Amazon order id in the
order's note. Each object's id is recorded on the order (``shop_refs``) as soon
as the shop answers, so a worker killed anywhere resumes with the same
customer, address and cart, and before any order is posted the cart is looked
up: one cart carries at most one order, so no order is ever created twice.
``Order.shop_order_id`` and ``in_shop_at`` are written with the item's outcome.

A refusal (unknown SKU, disabled product, an address or order the shop
rejects, PrestaShop's plain-text ``die()`` answers, a Payment error) is the
item's error with the shop's words; the shop being unreachable retries the step
with backoff (the progress stays).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.errors import SelectionError
from amazon_jobs.handlers.shop_link import account_shop, open_shop, refuse_if_running
from amazon_jobs.handlers.steps import StepHandler
from amazon_jobs.runtime import Runtime
from amazon_jobs.shop.order_mapping import (
    ShopOrderInput,
    address_fields,
    cart_fields,
    cart_total,
    country_code,
    customer_email,
    customer_fields,
    order_fields,
)
from amazon_jobs.shop.prestashop_orders import OrderRefusal, ShopOrders
from amazon_jobs.shop.webservice import ShopError, ShopUnavailable
from amazon_jobs.store.bulk import update_rows
from amazon_jobs.store.jobs import append_log, create_job, insert_items, lock_job, move
from amazon_jobs.store.models import Job, JobItem, Order, OrderItem, Product
from amazon_jobs.testing import checkpoint

__all__ = ["WAITING_STATUSES", "OrdersToShop", "waiting_orders"]

#: Amazon statuses of orders written to the shop.
WAITING_STATUSES = ("UNSHIPPED",)
_CART_USED = "already been placed using this cart"


def waiting_orders(session: Session, account_id: int, limit: int | None = None) -> list[Order]:
    """The account's orders waiting for the shop (see the module docstring)."""
    query = (
        select(Order)
        .where(
            Order.account_id == account_id,
            Order.in_shop_at.is_(None),
            Order.status.in_(WAITING_STATUSES),
            Order.shop_error.is_(None),
            or_(Order.fulfilled_by.is_(None), Order.fulfilled_by != "AMAZON"),
        )
        .order_by(Order.purchased_at, Order.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


class OrdersToShop(StepHandler):
    job_type: ClassVar[JobType] = JobType.ORDERS_TO_SHOP

    def reserve(
        self,
        rt: Runtime,
        account_id: int,
        amazon_order_ids: Sequence[str] = (),
        parent_id: int | None = None,
    ) -> Job:
        """A job for the account's waiting orders (or *amazon_order_ids*, refused ones too)."""
        now = rt.clock.now()
        with rt.db.transaction() as session:
            shop = account_shop(session, account_id)
            refuse_if_running(session, [account_id], self.job_type, "writing orders to the shop")
            if amazon_order_ids:
                orders = _named_orders(session, account_id, amazon_order_ids)
            else:
                orders = waiting_orders(session, account_id)
            if not orders:
                raise SelectionError("no imported Amazon order waits for the shop")
            job = create_job(session, account_id, self.job_type, now, parent_id=parent_id)
            insert_items(
                session,
                [
                    {
                        "job_id": job.id,
                        "ref": order.amazon_order_id,
                        "prior": {"order_id": order.id},
                        "requested": {"order_id": order.id, "shop": shop.name},
                        "outcome": "pending",
                    }
                    for order in orders
                ],
            )
            job.items_total = len(orders)
            append_log(session, job.id, now, f"{len(orders)} order(s) for shop {shop.name}")
            return job

    def step(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        if job.status == JobStatus.RESERVED:
            self.assemble(rt, job_id, f"{job.items_total} order(s) queued")
        elif job.status == JobStatus.CREATED:
            with rt.db.transaction() as session:
                locked = lock_job(session, job_id)
                if locked.status == JobStatus.CREATED:
                    move(session, locked, JobStatus.PROCESSING, rt.clock.now(), "writing orders")
            self._write_all(rt, job_id)
        elif job.status == JobStatus.PROCESSING:
            self._write_all(rt, job_id)

    def _write_all(self, rt: Runtime, job_id: int) -> None:
        job, _ = self.load(rt, job_id)
        with rt.db.read() as session:
            shop = account_shop(session, job.account_id)
        client, context = open_shop(rt, shop)
        with client:
            shop_orders = ShopOrders(client, context)
            for item_id, order_id in _pending(rt, job_id):
                _OrderWriter(rt, job_id, item_id, order_id, shop_orders).run()
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            if job.status == JobStatus.PROCESSING:
                move(
                    session,
                    job,
                    JobStatus.DONE,
                    rt.clock.now(),
                    f"{job.items_ok} order(s) in the shop, {job.items_failed} refused",
                )

    def rollback(self, session: Session, job: Job) -> None:
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job.id, JobItem.outcome == "pending")
            .values(outcome="canceled")
        )

    def release(self, session: Session, job: Job, now: datetime, reason: str) -> None:
        """The job failed as a whole (the shop unreachable): its orders stay waiting and
        the next job takes them, reusing what was made in the shop so far."""
        pending = session.scalars(
            select(JobItem.id).where(JobItem.job_id == job.id, JobItem.outcome == "pending")
        ).all()
        update_rows(
            session,
            JobItem,
            [{"id": i, "outcome": "error", "error_message": reason} for i in pending],
        )
        job.items_failed += len(pending)


def _named_orders(session: Session, account_id: int, ids: Sequence[str]) -> list[Order]:
    return list(
        session.scalars(
            select(Order)
            .where(
                Order.account_id == account_id,
                Order.amazon_order_id.in_(ids),
                Order.in_shop_at.is_(None),
                Order.status.in_(WAITING_STATUSES),
            )
            .order_by(Order.purchased_at, Order.id)
        )
    )


def _pending(rt: Runtime, job_id: int) -> list[tuple[int, int]]:
    with rt.db.read() as session:
        rows = session.execute(
            select(JobItem.id, JobItem.requested)
            .where(JobItem.job_id == job_id, JobItem.outcome == "pending")
            .order_by(JobItem.id)
        ).all()
    return [(row.id, int(row.requested["order_id"])) for row in rows]


class _OrderWriter:
    """One Amazon order into the shop; every shop object recorded as soon as it exists."""

    def __init__(
        self, rt: Runtime, job_id: int, item_id: int, order_id: int, shop: ShopOrders
    ) -> None:
        self.rt, self.job_id, self.item_id, self.order_id = rt, job_id, item_id, order_id
        self.shop, self.context = shop, shop.context

    def run(self) -> None:
        with self.rt.db.read() as session:
            order = session.get_one(Order, self.order_id)
            lines = _lines(session, self.order_id)
        refs = dict(order.shop_refs or {})
        if order.in_shop_at is not None:  # another job (or the API) got there first
            self._done(refs, already=True)
            return
        data = ShopOrderInput(
            order.amazon_order_id, order.marketplace_id, order.ship_to or {}, order.buyer or {}
        )
        try:
            if "order" not in refs:
                if not lines:
                    raise OrderRefusal("the order has no line with a SKU left to send")
                self._make_order(data, lines, refs)
            self._finish(data, refs)
        except ShopUnavailable as exc:
            if exc.code is None:
                raise  # the shop did not answer: the step is retried, the refs stay
            self._refused(refs, str(exc), f"SHOP_{exc.code}")
        except OrderRefusal as exc:
            self._refused(refs, str(exc), "SHOP_REFUSED")
        except ShopError as exc:
            self._refused(refs, str(exc), f"SHOP_{exc.code}" if exc.code else "SHOP_REFUSED")

    # The objects, in order

    def _make_order(
        self, data: ShopOrderInput, lines: list[tuple[str, int, tuple[int, int] | None]],
        refs: dict[str, Any],
    ) -> None:  # fmt: skip
        context, shop = self.context, self.shop
        if "cart" in refs:
            found = shop.order_of_cart(int(refs["cart"]))
            if found is not None:
                self._save(refs, order=int(found["id"]))
                return
        fresh = False  # a customer made just now has no address to look for
        if "customer" not in refs:
            email = customer_email(data)
            customer = shop.find_customer(email)
            fresh = customer is None
            customer = customer or shop.create(
                "customers",
                "customer",
                customer_fields(
                    data, group_id=context.customer_group, language_id=context.language_id
                ),
            )
            self._save(refs, customer=customer)
            checkpoint("shop:customer")
        if "address" not in refs:
            marker = f"Amazon order {data.amazon_order_id}"
            customer_id = int(refs["customer"])
            address = None if fresh else shop.find_address(customer_id, "Amazon", marker)
            if address is None:
                country = shop.country_id(country_code(data))
                fields = address_fields(data, customer_id=int(refs["customer"]), country_id=country)
                address = shop.create("addresses", "address", fields)
            self._save(refs, address=address)
        if "cart" not in refs:
            wanted = [(sku, quantity) for sku, quantity, _ in lines]
            known = {sku: ids for sku, _, ids in lines if ids is not None}
            country = shop.country_id(country_code(data))
            cart_lines = shop.cart_lines(wanted, known, country)
            total = cart_total(cart_lines, context.settings.shipping_cost)
            cart = shop.create(
                "carts",
                "cart",
                cart_fields(
                    customer_id=int(refs["customer"]),
                    address_id=int(refs["address"]),
                    currency_id=context.currency_id,
                    language_id=context.language_id,
                    carrier_id=context.carrier_id,
                    lines=cart_lines,
                ),
            )
            self._save(refs, cart=cart, total=f"{total:.2f}")
            checkpoint("shop:cart")
        self._post_order(refs)

    def _post_order(self, refs: dict[str, Any]) -> None:
        settings = self.context.settings
        fields = order_fields(
            cart={k: int(refs[k]) for k in ("cart", "customer", "address")},
            carrier_id=self.context.carrier_id,
            currency_id=self.context.currency_id,
            language_id=self.context.language_id,
            module=settings.payment_module,
            label=settings.payment_label,
            total=Decimal(str(refs["total"])),
        )
        try:
            order_id = self.shop.create("orders", "order", fields)
        except ShopError as exc:
            # Made after all (an answer lost on the way, a die() on a cart already used)?
            found = self.shop.order_of_cart(int(refs["cart"]))
            if found is None:
                if isinstance(exc, ShopUnavailable) and exc.code is None:
                    raise ShopUnavailable(
                        f"{exc} (an order naming a payment module the shop does not have "
                        f"is answered this way too: check payment_module "
                        f"{settings.payment_module!r})",
                        status=exc.status,
                    ) from None
                raise
            order_id = int(found["id"])
        checkpoint("shop:order")
        self._save(refs, order=order_id)

    def _finish(self, data: ShopOrderInput, refs: dict[str, Any]) -> None:
        """Check the order the shop made; move it to the mapped state; note the Amazon id."""
        order = self.shop.order(int(refs["order"]))
        if order is None:
            raise OrderRefusal(f"the shop has no order {refs['order']} any more")
        state = int(order.get("current_state") or 0)
        if state == self.context.error_state:
            raise OrderRefusal(
                f"the shop put order {refs['order']} in Payment error: its cart total "
                f"{order.get('total_paid')} is not the {refs.get('total')} sent (check the "
                "shipping_cost setting and the shop's cart rules); fix the order in the shop"
            )
        if state == self.context.ws_payment_state and state != self.context.new_state:
            self.shop.set_state(int(refs["order"]), self.context.new_state)
            state = self.context.new_state
            checkpoint("shop:state")
        note = f"Amazon order {data.amazon_order_id}"
        if note not in str(order.get("note") or ""):
            self.shop.set_note(int(refs["order"]), note)
        refs.update(reference=str(order.get("reference") or ""), state=state)
        self._done(refs)

    # Records

    def _save(self, refs: dict[str, Any], **found: Any) -> None:
        """Record shop objects just made (the shop's truth, whoever holds the job now)."""
        refs.update(found)
        with self.rt.db.transaction() as session:
            values: dict[str, Any] = {"shop_refs": dict(refs)}
            if "order" in found:
                values["shop_order_id"] = int(found["order"])
            session.execute(update(Order).where(Order.id == self.order_id).values(**values))
            session.execute(
                update(JobItem).where(JobItem.id == self.item_id).values(sent=dict(refs))
            )

    def _done(self, refs: dict[str, Any], *, already: bool = False) -> None:
        now = self.rt.clock.now()
        with self.rt.db.transaction() as session:
            job = lock_job(session, self.job_id, fenced=False)
            item = session.get_one(JobItem, self.item_id, with_for_update=True)
            if item.outcome != "pending":
                return
            order = session.get_one(Order, self.order_id)
            if order.in_shop_at is None:
                order.in_shop_at = now
                order.shop_order_id = int(refs["order"])
                order.shop_refs = dict(refs)
                order.shop_state = refs.get("state")
                order.shop_error = None
            item.outcome = "ok"
            item.confirmed = {
                "shop_order_id": order.shop_order_id,
                "reference": refs.get("reference"),
                **({"already_in_shop": True} if already else {}),
            }
            job.items_ok += 1
            job.updated_at = now

    def _refused(self, refs: dict[str, Any], message: str, code: str) -> None:
        now = self.rt.clock.now()
        with self.rt.db.transaction() as session:
            job = lock_job(session, self.job_id, fenced=False)
            item = session.get_one(JobItem, self.item_id, with_for_update=True)
            if item.outcome != "pending":
                return
            order = session.get_one(Order, self.order_id)
            order.shop_error = message
            order.shop_refs = dict(refs)
            item.outcome, item.error_code, item.error_message = "error", code[:40], message
            item.sent = dict(refs)
            job.items_failed += 1
            job.updated_at = now
            append_log(
                session, self.job_id, now, f"{item.ref}: refused: {message}", level="warning"
            )


def _lines(session: Session, order_id: int) -> list[tuple[str, int, tuple[int, int] | None]]:
    """(SKU, quantity, the catalog sync's (product, combination) ids if known) per line."""
    rows = session.execute(
        select(
            OrderItem.sku,
            OrderItem.quantity_ordered,
            OrderItem.quantity_shipped,
            Product.shop_product_id,
            Product.shop_combination_id,
        )
        .outerjoin(Product, Product.id == OrderItem.product_id)
        .where(OrderItem.order_id == order_id)
        .order_by(OrderItem.id)
    ).all()
    lines: list[tuple[str, int, tuple[int, int] | None]] = []
    for row in rows:
        quantity = row.quantity_ordered - row.quantity_shipped
        if quantity <= 0:
            continue
        if not row.sku:
            return []
        ids = (
            (int(row.shop_product_id), int(row.shop_combination_id or 0))
            if row.shop_product_id
            else None
        )
        lines.append((row.sku, quantity, ids))
    return lines
