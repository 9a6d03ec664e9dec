"""Where a seller sees verification and Amazon's warnings: the jobs table, the job
page, the selling list, the REST API and the CLI, while items are pending and once
they are verified or flagged; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.cli.common import console as cli_console
from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.verification import NO_LISTING
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.service import add_to_selling_list, create_listings_job
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.catalog.generator import generate_catalog
from amazon_jobs.store import catalog
from amazon_jobs.store.models import User
from amazon_jobs.store.users import add_user, create_api_token
from amazon_jobs.web.app import create_app as create_web_app
from tests.conftest import SECRET_KEY
from tests.integration.conftest import sku
from tests.integration.test_verification import QUIET, drive

pytestmark = pytest.mark.timeout(180)

CATALOG = generate_catalog(6, seed=5)
USER, PASSWORD = "seller", "a long password 123"


@contextmanager
def web(shop) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """The dashboard (logged in) and the API (with a new token), served over HTTP."""
    with shop.rt.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == USER))
        if user is None:
            user = add_user(session, USER, PASSWORD, shop.clock.now())
        token = create_api_token(session, user, "tests", shop.clock.now())
    with serve_in_thread(create_web_app(shop.rt)) as server:
        browser = httpx.Client(base_url=server.url, timeout=60)
        answer = browser.post("/login", data={"username": USER, "password": PASSWORD, "next": "/"})
        assert answer.status_code in (200, 303), answer.text
        api = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        try:
            yield browser, api
        finally:
            browser.close()
            api.close()


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the CLI's console was made at import, whatever COLUMNS says now: wide enough that
    # no cell wraps what the tests look for
    monkeypatch.setattr(cli_console, "width", 260)
    env = {
        "AMAZON_JOBS_HOME": str(tmp_path / "cli-home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": db_url,
        "AMAZON_JOBS_SECRET_KEY": SECRET_KEY,
        "COLUMNS": "220",
    }

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli_app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def send_new_products(shop) -> int:
    rows = [
        ProductRow(f"NEW-{n}", code, f"New {n}", 5, Decimal("12.50"))
        for n, code in enumerate(CATALOG.codes[:2])
    ]
    with shop.rt.db.transaction() as session:
        catalog.upsert_products(session, rows, shop.clock.now())
    add_to_selling_list(shop.rt, shop.account_id, ["NEW-0", "NEW-1"])
    selection = Selection(skus=("NEW-0", "NEW-1"))
    (job,) = create_listings_job(shop.rt, JobType.SEND_PRODUCTS, shop.account_id, selection).jobs
    return job.id


def test_pending_then_verified_items_and_their_warnings_everywhere(shop_factory, cli):
    config = SimulatorConfig.focused(
        warnings=True, catalog_size=6, catalog_seed=5, visibility_delay_s=400, visibility_seed=7
    )
    shop = shop_factory(config, **QUIET)
    job_id = send_new_products(shop)
    shop.run_worker()
    Scheduler(shop.rt, "test").tick()  # verification starts

    with web(shop) as (browser, api):
        table = browser.get("/").text
        assert "2 to verify" in table and "2 ok · 0 failed · 2 warned" in table
        page = browser.get(f"/jobs/{job_id}").text
        assert "With warnings" in page and "Warning 18448: Attributes tagged" in page
        assert "Issue after acceptance: WARNING 18448" in page
        assert 'badge verify-pending">to verify' in page and "updates live" in page
        listings = browser.get(f"/listings?account={shop.account_id}").text
        assert f"to verify (job {job_id})" in listings

        job = api.get(f"/api/v1/jobs/{job_id}").json()
        assert (job["items_warned"], job["items_to_verify"], job["items_flagged"]) == (2, 2, 0)
        items = api.get(f"/api/v1/jobs/{job_id}/items").json()["items"]
        assert {i["verification"] for i in items} == {"pending"}
        assert all(i["warnings"][0].startswith("18448: ") for i in items)
        assert all(i["issues"][0].startswith("WARNING 18448") for i in items)
        found = api.get("/api/v1/listings", params={"account": "us", "q": "NEW-"}).json()
        assert {row["verifying_job_id"] for row in found["items"]} == {job_id}

    listed = cli("jobs", "list")
    assert "2 to verify · 2 warned" in listed
    shown = cli("jobs", "show", str(job_id))
    assert "Verification: 2 to verify · 2 warned" in shown and "warning 18448" in shown

    drive(shop)

    with web(shop) as (browser, api):
        page = browser.get(f"/jobs/{job_id}").text
        assert 'badge verify-verified">verified' in page and "to verify" not in page
        assert "updates live" not in page
        items = api.get(f"/api/v1/jobs/{job_id}/items").json()["items"]
        assert {i["verification"] for i in items} == {"verified"}
        assert all(i["verification_detail"]["seen"]["quantity"] == 5 for i in items)
    shown = cli("jobs", "show", str(job_id))
    assert "verified" in shown and "to verify" not in shown


def test_a_flagged_item_shows_on_its_listing_the_job_and_the_api(shop_factory, cli):
    shop = shop_factory(
        SimulatorConfig.focused(silent_unknown_skus=True), unknown_on_amazon=(3,), **QUIET
    )
    shop.set_quantity(sku(3), 7)
    selection = Selection(skus=(sku(3),))
    (job,) = create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, selection).jobs

    drive(shop)

    with web(shop) as (browser, api):
        table = browser.get("/").text
        assert "1 flagged" in table
        page = browser.get(f"/jobs/{job.id}").text
        assert 'badge verify-flagged">flagged' in page
        assert "Amazon shows no listing for this SKU" in page
        listings = browser.get(f"/listings?account={shop.account_id}&q={sku(3)}").text
        assert NO_LISTING in listings
        found = api.get("/api/v1/listings", params={"account": "us", "q": sku(3)}).json()
        (row,) = found["items"]
        assert row["state"] == "error" and row["last_error"] == NO_LISTING
        assert api.get(f"/api/v1/jobs/{job.id}").json()["items_flagged"] == 1
    shown = cli("jobs", "show", str(job.id))
    assert "flagged" in shown and "Amazon shows no listing for this SKU" in shown


def test_a_resend_links_both_jobs(shop_factory, cli):
    shop = shop_factory(SimulatorConfig.focused(downstream_failure_rate=1.0), **QUIET)
    shop.set_quantity(sku(1), 99)
    selection = Selection(skus=(sku(1),))
    (job,) = create_listings_job(shop.rt, JobType.UPDATE_QTY, shop.account_id, selection).jobs

    drive(shop)

    with web(shop) as (browser, api):
        resend_id = api.get(f"/api/v1/jobs/{job.id}/items").json()["items"][0][
            "verification_detail"
        ]["resent_in"]
        page = browser.get(f"/jobs/{job.id}").text
        assert "Items Amazon did not show, sent again in:" in page
        assert f'sent again in <a href="/jobs/{resend_id}">job {resend_id}</a>' in page
        assert 'badge verify-resent">mismatch, resent' in page
        resend = browser.get(f"/jobs/{resend_id}").text
        assert f'Resend of <a href="/jobs/{job.id}">job {job.id}</a>' in resend
        assert "ERROR 5002: An internal error occurred" in resend
        assert api.get(f"/api/v1/jobs/{resend_id}").json()["resend_of"] == job.id
    shown = cli("jobs", "show", str(job.id))
    assert f"sent again in job {resend_id}" in shown and "quantity 11 (sent 99)" in shown
