"""Issue 13 §3: order ids in order jobs link to the order, a confirmed package shows its
job, and the dashboard's answers point to no CLI command; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from amazon_jobs.service import create_fulfillment_job, create_orders_import_job, ship_order
from amazon_jobs.store.models import Order
from amazon_jobs.store.orders import ShipmentSpec
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)
WEB = Path(__file__).resolve().parents[2] / "src" / "amazon_jobs" / "web"


def test_order_jobs_link_to_their_orders_and_packages_to_their_job(shop, web):
    order_id = shop.sim.orders.add_order(
        [{"sku": sku(1), "quantity": 1}], purchased_at=shop.clock.now() - timedelta(hours=1)
    ).order_id
    imported = create_orders_import_job(shop.rt, shop.account_id)
    shop.run_worker()
    with shop.rt.db.read() as session:
        order = session.scalars(select(Order).where(Order.amazon_order_id == order_id)).one()
    page = web.browser.get(f"/jobs/{imported.id}").text
    assert f'<a href="/orders/{order.id}">{order_id}</a>' in page
    spec = ShipmentSpec(carrier_code="UPS", tracking_number="1Z999", ship_date=shop.clock.now())
    ship_order(shop.rt, shop.account_id, order_id, spec)
    fulfillment = create_fulfillment_job(shop.rt, shop.account_id)
    shop.run_worker()
    detail = web.browser.get(f"/orders/{order.id}").text
    cell = detail.split('class="package-job"', 1)[1].split("</td>", 1)[0]
    assert "confirmed" in detail and f'href="/jobs/{fulfillment.id}"' in cell
    assert f'<a href="/orders/{order.id}">' in web.browser.get(f"/jobs/{fulfillment.id}").text


def test_dashboard_pages_point_to_no_cli_command():
    pages = [*(WEB / "templates").glob("*.html"), *(WEB / "pages").glob("*.py")]
    allowed = {"api_docs.html", "users.html"}  # API tokens are made with the CLI only
    offenders = [
        page.name
        for page in pages
        if page.name not in allowed and "<code>amazon-jobs " in page.read_text(encoding="utf-8")
    ]
    assert offenders == []
