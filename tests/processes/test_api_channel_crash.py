"""A worker killed with SIGKILL in the middle of a Listings Items API job: another worker
finishes it, every item reaches Amazon, and none is sent twice.

- ``api:intent``: the call's token is taken and its intent recorded, the call not
  sent. The next worker waits until the call could no longer arrive, finds Amazon
  still showing the old values (getListingsItem) and sends it.
- ``api:answered``: Amazon answered the call (ACCEPTED) and the worker died before
  applying the answer. The next worker finds Amazon showing the values sent and
  confirms the item without sending it again.

Real worker processes, the simulator over HTTP, SQLite and PostgreSQL.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import Listing, Product
from tests.conftest import truncate
from tests.processes.harness import Fleet, fleet, wait_for

pytestmark = pytest.mark.timeout(180)

SELLER = "A01SELLER"
SKUS = tuple(f"P1-{k}" for k in range(4))
#: The shop's new quantities: none is the 10 Amazon shows before the job.
WANTED = {s: 40 + k for k, s in enumerate(SKUS)}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("pg_url"))
    truncate(url)
    return url


def start_job(crew: Fleet) -> int:
    account_id = crew.add_account(1, products=len(SKUS) + 1)
    with crew.rt.db.transaction() as session:
        for s, quantity in WANTED.items():
            session.execute(update(Product).where(Product.sku == s).values(quantity=quantity))
    (job,) = create_listings_job(
        crew.rt, JobType.UPDATE_QTY, account_id, Selection(skus=SKUS), channel=Channel.API
    ).jobs
    return job.id


def kill_at(crew: Fleet, tmp_path: Path, point: str) -> None:
    marker = tmp_path / "reached"
    doomed = crew.worker(
        "doomed",
        "--no-scheduler",
        AMAZON_JOBS_CHECKPOINT=point,
        AMAZON_JOBS_CHECKPOINT_FILE=str(marker),
    )
    wait_for(marker.exists, 60, f"the worker to reach {point}")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)


@pytest.mark.parametrize("point", ["api:intent", "api:answered"])
def test_killed_in_the_middle_of_an_api_channel_job(
    database: str, tmp_path: Path, point: str
) -> None:
    # The simulator answers at once: a short client timeout keeps the time a lost call
    # may still be in flight (2 timeouts + 5 s, real) short.
    with fleet(database, tmp_path, scale=100.0, lease_s=60.0, http_timeout_s=2.0) as crew:
        job_id = start_job(crew)
        kill_at(crew, tmp_path, point)

        with crew.rt.db.read() as session:
            halfway = get_job(session, job_id)
        assert halfway.status == JobStatus.PROCESSING
        assert halfway.intent_op == "patchListingsItem", "the call's intent is open"
        calling = halfway.data["calling"]
        sent_before = crew.sim.stats()["requests"].get("patchListingsItem", 0)
        assert sent_before == (1 if point == "api:answered" else 0)

        rescuer = crew.worker("rescuer", "--until-idle", "--no-scheduler")
        assert rescuer.wait(120) == 0, (tmp_path / "logs" / "rescuer.log").read_text()

        with crew.rt.db.read() as session:
            finished = get_job(session, job_id)
            items = job_items(session, job_id)
            log = [line.message for line in job_log(session, job_id)]
            listings = dict(
                session.execute(
                    select(Product.sku, Listing).join(Listing).where(Product.sku.in_(SKUS))
                ).all()
            )
        assert finished.status == JobStatus.DONE, log
        assert finished.intent_op is None and "calling" not in finished.data
        assert (finished.items_ok, finished.items_failed) == (len(SKUS), 0), log
        assert {item.ref: item.outcome for item in items} == dict.fromkeys(SKUS, "ok")
        assert {s: listing.confirmed_quantity for s, listing in listings.items()} == WANTED
        assert all(listing.locked_by_job_id is None for listing in listings.values())
        assert any("Taken over by worker" in line for line in log), log
        shown = crew.sim.listings(SELLER)
        assert {s: shown[s].quantity for s in SKUS} == WANTED, "nothing lost"

        stats = crew.sim.stats()
        requests = stats["requests"]
        assert requests["patchListingsItem"] == len(SKUS), "no item sent twice"
        # The interrupted call is looked for once. A look is only a read: a step cut short
        # on a busy machine (its lease taken over again, or the look timed out and the step
        # is retried) looks again, and each such cut leaves its line in the job's log.
        cut_short = sum("Taken over by worker" in line for line in log) - 1
        cut_short += sum("failed, retrying in" in line for line in log)
        looks = requests.get("getListingsItem", 0)
        assert 1 <= looks <= 1 + cut_short, (looks, log)
        assert "createFeed" not in requests and not stats["throttled"]
        (interrupted,) = [item.ref for item in items if item.id == int(calling)]
        if point == "api:answered":  # Amazon has it: confirmed, not sent again
            expected = f"patchListingsItem of {interrupted} by an earlier attempt did reach Amazon"
        else:  # the call never left: sent by the rescuer
            expected = (
                f"patchListingsItem of {interrupted} by an earlier attempt did not reach Amazon"
            )
        assert any(line.startswith(expected) for line in log), log
