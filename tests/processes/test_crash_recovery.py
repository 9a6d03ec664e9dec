"""A worker killed with SIGKILL at each step boundary of a feed job: another worker
finishes the job, and Amazon received exactly one createFeed for it."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import select

from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.store.models import Listing, Product
from amazon_jobs.testing import CHECKPOINTS
from tests.conftest import truncate
from tests.processes.harness import fleet, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]


@pytest.mark.parametrize("point", CHECKPOINTS)
def test_killed_at_each_step_boundary(pg_url, tmp_path, point):
    truncate(pg_url)
    # The local simulator answers at once: a short client timeout keeps the window in
    # which a lost createFeed may still be in flight (2 timeouts + 5 s, real) short.
    with fleet(pg_url, tmp_path, scale=100.0, lease_s=60.0, http_timeout_s=5.0) as crew:
        account_id = crew.add_account(1, products=3)
        with crew.rt.db.transaction() as session:
            session.execute(
                Product.__table__.update().where(Product.sku == "P1-0").values(quantity=42)
            )
        (job,) = create_listings_job(
            crew.rt, JobType.UPDATE_QTY, account_id, Selection(skus=("P1-0", "P1-1"))
        ).jobs
        marker = tmp_path / "reached"
        doomed = crew.worker(
            "doomed",
            AMAZON_JOBS_CHECKPOINT=point,
            AMAZON_JOBS_CHECKPOINT_FILE=str(marker),
        )
        wait_for(marker.exists, 60, f"the worker to reach {point}")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)

        rescuer = crew.worker("rescuer", "--until-idle")
        assert rescuer.wait(90) == 0, (tmp_path / "logs" / "rescuer.log").read_text()

        with crew.rt.db.read() as session:
            finished = get_job(session, job.id)
            log = [line.message for line in job_log(session, job.id)]
            listing = session.scalars(
                select(Listing).join(Product).where(Product.sku == "P1-0")
            ).one()
        assert finished.status == JobStatus.DONE, log
        assert (finished.items_ok, finished.items_failed) == (2, 0)
        assert listing.confirmed_quantity == 42 and listing.locked_by_job_id is None
        assert any("Taken over by worker" in line for line in log), log
        if point == "feed:created":  # Amazon has the feed, we never stored its id
            assert any("did reach Amazon: adopting" in line for line in log), log
        if point == "feed:intent":  # killed just before createFeed went out
            assert any("did not reach Amazon: sending it now" in line for line in log), log
        stats = crew.sim.stats()
        assert stats["requests"].get("createFeed", 0) == 1, stats["requests"]
        assert stats["feeds_created"] == 1
        assert crew.sim.listings("A01SELLER")["P1-0"].quantity == 42
        assert not stats["throttled"]


def test_sigterm_finishes_the_step_and_lets_the_leases_go(pg_url, tmp_path):
    truncate(pg_url)
    with fleet(pg_url, tmp_path, scale=20.0) as crew:
        account_id = crew.add_account(1, products=3)
        (job,) = create_listings_job(
            crew.rt, JobType.UPDATE_QTY, account_id, Selection(skus=("P1-0",))
        ).jobs
        worker = crew.worker("graceful", "--no-scheduler")

        def waiting() -> bool:
            with crew.rt.db.read() as session:
                return get_job(session, job.id).status == JobStatus.WAITING_FOR_RESULT

        wait_for(waiting, 60, "the feed to be sent")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        assert "Worker stopped" in (tmp_path / "logs" / "graceful.log").read_text()
        with crew.rt.db.read() as session:
            stopped = get_job(session, job.id)
        assert stopped.lease_owner is None and stopped.status == JobStatus.WAITING_FOR_RESULT
        assert crew.worker("next", "--until-idle").wait(60) == 0
        with crew.rt.db.read() as session:
            assert get_job(session, job.id).status == JobStatus.DONE
