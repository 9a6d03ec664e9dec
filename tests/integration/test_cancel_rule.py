"""Issue 13 §3: one cancel rule and one wording for the CLI, the API and the dashboard;
on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import update

from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import NotCancelable
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import add_to_selling_list, cancel_job, create_listings_job
from amazon_jobs.store import catalog
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import Listing, Product
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def status_of(shop, job_id):
    with shop.rt.db.read() as session:
        return JobStatus(get_job(session, job_id).status)


def test_a_feed_amazon_still_has_in_queue_is_cancelable_on_the_dashboard(shop, web):
    (job,) = create_listings_job(
        shop.rt, JobType.UPDATE_QTY, shop.account_id, Selection(all=True)
    ).jobs
    worker = Worker(shop.rt)
    while status_of(shop, job.id) is not JobStatus.WAITING_FOR_RESULT:
        worker.run_once()
    table = web.browser.get("/").text
    row = table.split(f'<tr id="job-{job.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/jobs/{job.id}/cancel' in row and "still has it IN_QUEUE" in row
    page = web.browser.get(f"/jobs/{job.id}").text
    assert "Cancel job</a>" in page and "cancelFeed" in page
    confirm = web.browser.get(f"/jobs/{job.id}/cancel").text
    assert "can no longer be canceled" not in confirm and "Ask Amazon to cancel</button>" in confirm
    asked = web.browser.post(f"/jobs/{job.id}/cancel", data={"csrf_token": web.csrf})
    assert asked.status_code == 303
    assert "Cancel requested" in web.browser.get(asked.headers["location"]).text
    refused = web.browser.get(f"/jobs/{job.id}/cancel").text  # asked once: not twice
    assert "Cancel already requested" in refused and "</button>" not in refused.split("<main", 1)[1]
    with pytest.raises(NotCancelable, match="Cancel already requested"):
        cancel_job(shop.rt, job.id)  # the CLI's and the API's words are the same
    worker.run_once()
    assert status_of(shop, job.id) is JobStatus.CANCELED


def test_the_cancel_dialog_says_the_catalog_was_searched(shop, web):
    with shop.rt.db.transaction() as session:
        row = ProductRow("NEW-1", "4006381333931", "New 1", 5, Decimal("12.50"))
        catalog.upsert_products(session, [row], shop.clock.now())
        listing_of_3 = session.scalars(
            Listing.__table__.select().with_only_columns(Listing.id)
            .join(Product, Product.id == Listing.product_id).where(Product.sku == sku(3))
        ).one()  # fmt: skip
        session.execute(
            update(Listing).where(Listing.id == listing_of_3).values(state=ListingState.NOT_LISTED)
        )
    add_to_selling_list(shop.rt, shop.account_id, skus=("NEW-1",))
    (job,) = create_listings_job(
        shop.rt, JobType.SEND_PRODUCTS, shop.account_id, Selection(skus=(sku(3), "NEW-1"))
    ).jobs
    shop.use_up(Operation.JSON_LISTINGS_FEED)  # the account's feeds of these five minutes are sent
    Worker(shop.rt).run_once()  # the catalog search, then created, waiting for quota
    assert status_of(shop, job.id) is JobStatus.CREATED
    page = web.browser.get(f"/jobs/{job.id}").text
    assert "Nothing has been sent to Amazon yet" not in page
    assert "searchCatalogItems: 1 call" in page and "nothing has been submitted" in page
    row = web.browser.get("/").text.split(f'<tr id="job-{job.id}"', 1)[1].split("</tr>", 1)[0]
    assert "searchCatalogItems: 1 call" in row
    assert cancel_job(shop.rt, job.id) is True
