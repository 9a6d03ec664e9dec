"""Issue 13 §3: the Quota page shows, per operation, the jobs waiting for it and when each
will go, and a bucket held by its rolling cap is not "available now"; on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.jobs import get_job
from amazon_jobs.worker import Worker
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)


def quota_row(html: str, operation: str) -> str:
    return html.split(f'data-operation="{operation}"', 1)[1].split("</tr>", 1)[0]


def test_the_quota_page_lists_the_jobs_waiting_for_each_bucket(shop, web):
    jobs = [
        create_listings_job(
            shop.rt, JobType.UPDATE_PRICE, shop.account_id, Selection(skus=(sku(n),))
        ).jobs[0]
        for n in range(7)
    ]
    worker = Worker(shop.rt)
    for _ in range(30):
        worker.run_once()
    with shop.rt.db.read() as session:
        statuses = [JobStatus(get_job(session, job.id).status) for job in jobs]
    assert statuses[5:] == [JobStatus.CREATED] * 2  # JSON_LISTINGS_FEED: 5 per 5 min
    page = web.browser.get("/quota").text
    capped = quota_row(page, "JSON_LISTINGS_FEED")
    assert "available now" not in capped
    for job in jobs[5:]:
        assert f'href="/jobs/{job.id}"' in capped and "goes in" in capped
    assert f'href="/jobs/{jobs[0].id}"' not in capped  # sent: waits for nothing
    document = quota_row(page, "createFeedDocument")
    assert "available now" in document and "/jobs/" not in document
