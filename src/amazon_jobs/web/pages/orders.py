"""Orders: imported Amazon orders, their packages, and marking an order shipped."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from amazon_jobs import service
from amazon_jobs.clock import utc
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.orders import SHIPPABLE, ShipmentSpec
from amazon_jobs.web.access import OperatorForm, Viewer
from amazon_jobs.web.deps import RuntimeDep
from amazon_jobs.web.pages import queries
from amazon_jobs.web.pages.common import not_found, pick_account, redirect, render, url_with
from amazon_jobs.web.pages.params import FIRST_DAY, LAST_DAY, Cursor, FormId, PageId

router = APIRouter()

PAGE_SIZE = 50
#: Amazon's order statuses (Orders API 2026-01-01 vocabulary).
ORDER_STATUSES = (
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
CARRIERS = ("UPS", "USPS", "FedEx", "DHL", "DPD", "GLS", "Hermes", "Royal Mail", "Other")
#: The most units of one item a package may hold.
MAX_QUANTITY = 1_000_000


@router.get("/orders", response_class=HTMLResponse)
def orders_page(
    request: Request,
    rt: RuntimeDep,
    me: Viewer,
    account: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=100)] = "",
    packages: Annotated[str, Query(max_length=100)] = "",
    q: Annotated[str, Query(max_length=40)] = "",
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    picked = pick_account(rt, account)
    status = status if status in ORDER_STATUSES else ""
    packages = packages if packages in queries.PACKAGE_FILTERS else ""
    search = q.strip()
    page, states = None, {}
    if picked.current is not None:
        with rt.db.read() as session:
            page = queries.orders_page(
                session,
                picked.current.id,
                status=status or None,
                packages=packages or None,
                search=search,
                limit=PAGE_SIZE,
                before=before,
                after=after,
            )
            states = queries.package_states(session, [o.id for o in page.rows])
    params = {
        "account": picked.current.id if picked.current else "",
        "status": status,
        "packages": packages,
        "q": search,
    }
    context = {
        "me": me,
        "picked": picked,
        "page": page,
        "states": states,
        "status": status,
        "packages": packages,
        "q": search,
        "statuses": ORDER_STATUSES,
        "package_filters": queries.PACKAGE_FILTERS,
        "next_url": url_with("/orders", {**params, **page.next}) if page and page.next else None,
        "prev_url": url_with("/orders", {**params, **page.prev}) if page and page.prev else None,
    }
    return render(request, "orders.html", context)


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, rt: RuntimeDep, me: Viewer, order_id: PageId) -> Response:
    with rt.db.read() as session:
        detail = queries.order_detail(session, order_id)
    if detail is None:
        return not_found(request, me, f"Order {order_id} does not exist.")
    pending = {
        line["order_item_id"]: line["quantity"]
        for package in detail.packages
        if package.state == "due"
        for line in package.items
    }
    left = {
        item.order_item_id: max(
            0, item.quantity_ordered - item.quantity_shipped - pending.get(item.order_item_id, 0)
        )
        for item in detail.items
    }
    context = {
        "me": me,
        "detail": detail,
        "order": detail.order,
        "left": left,
        "shippable": detail.order.status in SHIPPABLE and any(left.values()),
        "carriers": CARRIERS,
        "today": rt.clock.now().strftime("%Y-%m-%dT%H:%M"),
    }
    return render(request, "order.html", context)


@router.post("/orders/{order_id}/ship")
def ship_order(
    request: Request,
    rt: RuntimeDep,
    me: OperatorForm,
    order_id: PageId,
    carrier_code: Annotated[str, Form(max_length=60)] = "",
    tracking_number: Annotated[str, Form(max_length=100)] = "",
    ship_date: Annotated[str, Form(max_length=30)] = "",
    carrier_name: Annotated[str, Form(max_length=100)] = "",
    shipping_method: Annotated[str, Form(max_length=100)] = "",
    item: Annotated[list[str] | None, Form()] = None,
    qty: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Record a package: the next Orders Fulfillment job confirms it to Amazon.

    ``item`` and ``qty`` come in pairs: each order item and the quantity in the package.
    """
    back = f"/orders/{order_id}"
    try:
        items = {
            k: int(v)
            for k, v in zip(item or [], qty or [], strict=False)
            if v.strip() and int(v) > 0
        }
    except ValueError:
        return redirect(request, back, "Quantities must be whole numbers.", "error")
    if any(n > MAX_QUANTITY for n in items.values()) or any(len(k) > 100 for k in items):
        return redirect(request, back, f"At most {MAX_QUANTITY} of an item a package.", "error")
    if item and not items:
        return redirect(request, back, "Put at least one item in the package.", "error")
    when = _ship_date(ship_date) or rt.clock.now()
    if not carrier_code.strip() or not tracking_number.strip():
        return redirect(request, back, "A carrier and a tracking number are needed.", "error")
    spec = ShipmentSpec(
        carrier_code=carrier_code.strip(),
        tracking_number=tracking_number.strip(),
        ship_date=when,
        carrier_name=carrier_name.strip() or None,
        shipping_method=shipping_method.strip() or None,
        items=items or None,
    )
    with rt.db.read() as session:
        detail = queries.order_detail(session, order_id)
    if detail is None:
        return redirect(request, "/orders", f"Order {order_id} does not exist.", "error")
    try:
        order_id_ = detail.order.amazon_order_id
        actor = me.user.username
        package = service.ship_order(rt, detail.account.id, order_id_, spec, actor=actor)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(
        request,
        back,
        f"Package {package.package_reference_id} recorded: the next Orders Fulfillment job "
        "confirms it to Amazon.",
    )


def _ship_date(value: str) -> datetime | None:
    """A ``datetime-local`` value, taken as UTC (None if it is none, or out of range)."""
    try:
        parsed = datetime.fromisoformat(value.strip()) if value.strip() else None
        if parsed and not FIRST_DAY <= utc(parsed).date() <= LAST_DAY:
            return None
    except (ValueError, OverflowError):
        return None
    return utc(parsed) if parsed else None


@router.post("/orders/import")
def import_orders(request: Request, rt: RuntimeDep, me: OperatorForm, account: FormId) -> Response:
    back = f"/orders?account={account}"
    try:
        job = service.create_orders_import_job(rt, account, actor=me.user.username)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, f"Orders Import job {job.id} created.")


@router.post("/orders/confirm")
def confirm_shipments(
    request: Request, rt: RuntimeDep, me: OperatorForm, account: FormId
) -> Response:
    """An Orders Fulfillment job for every package marked shipped and not confirmed yet."""
    back = f"/orders?account={account}"
    try:
        job = service.create_fulfillment_job(rt, account, actor=me.user.username)
    except AmazonJobsError as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, f"Orders Fulfillment job {job.id} created.")
