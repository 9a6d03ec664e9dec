"""One installation serving several accounts of the same application (one LWA client id):
their jobs together stay within the application's limit, each within its own pair's,
so the simulator, which meters both levels as Amazon does, never answers 429; on
SQLite and PostgreSQL.

The application's searchCatalogItems limit is lowered (2 at once, 1 a second) in the
simulator and, where the product knows it, in the product's settings, so that three
accounts each looking up 60 EANs (3 searches of 20) hit it at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from amazon_jobs.domain.catalog import ProductRow
from amazon_jobs.domain.jobs import BASE_PRIORITY, JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import add_to_selling_list, create_listings_job
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.simulator.catalog.generator import generate_catalog
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.jobs import get_job
from amazon_jobs.store.models import ApplicationBucket, Job, ThrottleBucket
from amazon_jobs.worker import Worker
from tests.conftest import make_runtime

pytestmark = pytest.mark.timeout(180)

SEARCH = "searchCatalogItems"
SHARED = {SEARCH: {"burst": 2, "rate": 1.0}}
#: What the product believes when it does not know the application's real limit.
UNAWARE = {SEARCH: {"burst": 1000, "rate": 1000.0}}
CODES = 60
SELLERS = ("A1SIMULATORSELLER", "A2SECONDSELLER", "A3THIRDSELLER")


@pytest.fixture
def amazon(clock) -> Iterator[tuple[Simulator, RunningServer]]:
    config = SimulatorConfig.focused(
        catalog_size=CODES, catalog_seed=5, application_limit_overrides=SHARED
    )
    simulator = Simulator(config, clock)
    for seller_id in SELLERS[1:]:
        simulator.add_seller(seller_id, f"Atzr|{seller_id}")
    server = serve_in_thread(create_app(simulator))
    yield simulator, server
    server.stop()


def add_accounts(rt, simulator: Simulator, server: RunningServer) -> list[int]:
    config = simulator.config
    ids = []
    with rt.db.transaction() as session:
        for n, seller_id in enumerate(SELLERS):
            spec = account_spec(
                config,
                server.url,
                f"seller{n}",
                seller_id=seller_id,
                refresh_token=config.refresh_token if n == 0 else f"Atzr|{seller_id}",
            )
            ids.append(add_account(session, spec, rt.cipher, rt.clock.now()).id)
    return ids


def send_everything(rt, account_ids: list[int]) -> list[int]:
    """Every account offers the same 60 new products, found by EAN."""
    codes = generate_catalog(CODES, seed=5).codes
    rows = [
        ProductRow(f"NEW-{n}", code, f"New {n}", 3, Decimal("9.50")) for n, code in enumerate(codes)
    ]
    with rt.db.transaction() as session:
        catalog.upsert_products(session, rows, rt.clock.now())
    jobs = []
    for account_id in account_ids:
        add_to_selling_list(rt, account_id, all_products=True)
        (job,) = create_listings_job(
            rt, JobType.SEND_PRODUCTS, account_id, Selection(all=True)
        ).jobs
        jobs.append(job.id)
    Worker(rt).run(until_idle=True)
    return jobs


def test_accounts_of_one_application_never_exceed_its_limit(db_url, clock, tmp_path: Path, amazon):
    simulator, server = amazon
    rt = make_runtime(db_url, clock, tmp_path, application_limits=SHARED)
    try:
        account_ids = add_accounts(rt, simulator, server)
        jobs = send_everything(rt, account_ids)
        with rt.db.read() as session:
            assert [get_job(session, job_id).status for job_id in jobs] == [JobStatus.DONE] * 3
            shared = session.scalars(select(ApplicationBucket)).one()
            pairs = session.scalars(
                select(ThrottleBucket).where(ThrottleBucket.operation == SEARCH)
            ).all()
        stats = simulator.stats()
        assert stats["requests"][SEARCH] == 9, "3 searches of 20 EANs per account"
        assert stats["throttled"] == {} and stats["throttled_application"] == {}
        assert (shared.client_id, shared.operation, shared.granted) == (
            simulator.config.client_id,
            SEARCH,
            9,
        )
        assert sorted(pair.granted for pair in pairs) == [3, 3, 3]
        assert len(simulator.listings(SELLERS[2])) == CODES
    finally:
        rt.close()


def test_without_the_applications_limit_the_same_jobs_are_throttled(
    db_url, clock, tmp_path: Path, amazon
):
    """The control: a product that knew only each account's own bucket would send
    more than the application may, and Amazon would refuse it."""
    simulator, server = amazon
    rt = make_runtime(db_url, clock, tmp_path, application_limits=UNAWARE)
    try:
        send_everything(rt, add_accounts(rt, simulator, server))
        assert simulator.stats()["throttled_application"].get(SEARCH, 0) > 0
    finally:
        rt.close()


#: One search at a time for the whole application, one every 5 s: eight accounts that
#: each need one search queue for it.
CROWDED = {SEARCH: {"burst": 1, "rate": 0.2}}
CROWD = tuple(f"A{n}CROWDSELLER" for n in range(8))


@pytest.fixture
def crowded_amazon(clock) -> Iterator[tuple[Simulator, RunningServer]]:
    config = SimulatorConfig.focused(
        catalog_size=20, catalog_seed=5, application_limit_overrides=CROWDED
    )
    simulator = Simulator(config, clock)
    for seller_id in CROWD:
        simulator.add_seller(seller_id, f"Atzr|{seller_id}")
    server = serve_in_thread(create_app(simulator))
    yield simulator, server
    server.stop()


def crowd(rt, simulator: Simulator, server: RunningServer) -> None:
    """Each of the eight accounts sends the same 20 products (one search of 20 EANs)."""
    with rt.db.transaction() as session:
        accounts = [
            add_account(
                session,
                account_spec(
                    simulator.config,
                    server.url,
                    f"crowd{n}",
                    seller_id=seller_id,
                    refresh_token=f"Atzr|{seller_id}",
                ),
                rt.cipher,
                rt.clock.now(),
            ).id
            for n, seller_id in enumerate(CROWD)
        ]
    codes = generate_catalog(20, seed=5).codes
    rows = [
        ProductRow(f"C-{n}", code, f"C {n}", 3, Decimal("9.50")) for n, code in enumerate(codes)
    ]
    with rt.db.transaction() as session:
        catalog.upsert_products(session, rows, rt.clock.now())
    for account_id in accounts:
        add_to_selling_list(rt, account_id, all_products=True)
        create_listings_job(rt, JobType.SEND_PRODUCTS, account_id, Selection(all=True))
    Worker(rt).run(until_idle=True)


def test_jobs_crowding_an_application_wait_in_line_not_in_a_crowd(
    db_url, clock, tmp_path: Path, crowded_amazon
):
    """Eight jobs, one application token every 5 s. Woken all together at each token,
    all but one would go back to sleep: 7 + 6 + ... + 1 = 28 waits for 8 searches. In
    line, each job waits at most once (a wait raises a job's priority by one)."""
    simulator, server = crowded_amazon
    rt = make_runtime(db_url, clock, tmp_path, application_limits=CROWDED)
    try:
        start = clock.now()
        crowd(rt, simulator, server)
        with rt.db.read() as session:
            jobs = session.scalars(select(Job).order_by(Job.id)).all()
        assert [job.status for job in jobs] == [JobStatus.DONE] * len(CROWD)
        waits = [job.priority - BASE_PRIORITY[JobType.SEND_PRODUCTS] for job in jobs]
        assert sum(waits) == len(CROWD) - 1 and max(waits) == 1, waits
        stats = simulator.stats()
        assert stats["requests"][SEARCH] == len(CROWD)
        assert stats["throttled"] == {} and stats["throttled_application"] == {}
        # One search at once, then one every 5 s: the last goes 35 s after the first.
        assert clock.now() - start >= timedelta(seconds=35)
    finally:
        rt.close()
