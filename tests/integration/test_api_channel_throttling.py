"""429s on the Listings Items API channel, from both of Amazon's levels: the seller's
own (selling partner-application pair) and the application's (every seller of one
LWA client together). In each case the simulator is stricter than our buckets, so
Amazon really answers 429; the jobs still end Done with every item accepted once,
and our bucket of the level that refused records it. Real HTTP, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_listings_job
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.jobs import get_job, job_items, job_log
from amazon_jobs.store.models import ApplicationBucket, Product, ThrottleBucket
from amazon_jobs.worker import Worker
from tests.conftest import make_runtime
from tests.integration.conftest import Shop, sku

pytestmark = pytest.mark.timeout(120)

PATCH = "patchListingsItem"
THROTTLED_LINE = f"Amazon throttled {PATCH} (429)"


def quantities(rt: Runtime, skus: list[str], base: int) -> dict[str, int]:
    """Give each SKU a new shop quantity; what Amazon should then show."""
    wanted = {s: base + n for n, s in enumerate(skus)}
    with rt.db.transaction() as session:
        for s, quantity in wanted.items():
            session.execute(
                update(Product)
                .where(Product.sku == s)
                .values(quantity=quantity, updated_at=rt.clock.now())
            )
    return wanted


def send_by_api(rt: Runtime, account_id: int, skus: list[str]) -> int:
    (job,) = create_listings_job(
        rt, JobType.UPDATE_QTY, account_id, Selection(skus=tuple(skus)), channel=Channel.API
    ).jobs
    return job.id


def assert_every_item_accepted_once(rt: Runtime, job_id: int, wanted: dict[str, int]) -> None:
    with rt.db.read() as session:
        job = get_job(session, job_id)
        items = job_items(session, job_id)
        log = [line.message for line in job_log(session, job_id)]
    assert job.status == JobStatus.DONE, log
    assert job.data["channel"] == Channel.API.value
    assert (job.items_ok, job.items_failed) == (len(wanted), 0), log
    assert {item.ref: item.outcome for item in items} == dict.fromkeys(wanted, "ok")
    assert {item.ref: (item.confirmed or {}).get("quantity") for item in items} == wanted


def admitted(sim: Simulator) -> int:
    """patchListingsItem calls Amazon carried out (asked, less those it refused)."""
    stats = sim.stats()
    return int(stats["requests"].get(PATCH, 0)) - int(stats["throttled"].get(PATCH, 0))


# The pair's level: the seller's own bucket at Amazon is smaller than ours


def test_amazon_stricter_than_our_pair_bucket(
    shop_factory: Callable[..., Shop],
) -> None:
    """Amazon gives this seller 1 patch a second, burst 1, where we expect 5 and 5."""
    strict = SimulatorConfig.focused(limit_overrides={PATCH: {"burst": 1, "rate": 1.0}})
    shop = shop_factory(sim_config=strict, channel="listings-api")
    skus = [sku(n) for n in range(8)]
    wanted = quantities(shop.rt, skus, 300)
    job_id = send_by_api(shop.rt, shop.account_id, skus)

    shop.run_worker()

    assert_every_item_accepted_once(shop.rt, job_id, wanted)
    shown = shop.sim.listings()
    assert {s: shown[s].quantity for s in skus} == wanted
    stats = shop.sim.stats()
    assert stats["throttled"].get(PATCH, 0) > 0, "Amazon did answer 429"
    assert stats["throttled_application"] == {}, "the pair's limit, not the application's"
    assert admitted(shop.sim) == len(skus), "each item carried out once, none lost"
    with shop.rt.db.read() as session:
        log = [line.message for line in job_log(session, job_id)]
        pair = session.scalars(
            select(ThrottleBucket).where(
                ThrottleBucket.account_id == shop.account_id, ThrottleBucket.operation == PATCH
            )
        ).one()
    assert any(line.startswith(THROTTLED_LINE) for line in log), log
    assert pair.throttled > 0
    assert pair.granted == len(skus) + pair.throttled, "a token for every call sent"


# The application's level: two sellers of one LWA client share Amazon's bucket


SELLERS = ("A1SIMULATORSELLER", "A2SECONDSELLER")
PRODUCTS = 6


@dataclass
class Application:
    """One installation with two accounts of the same application on one simulator."""

    rt: Runtime
    sim: Simulator
    account_ids: list[int]


@pytest.fixture
def application(db_url: str, clock: VirtualClock, tmp_path: Path) -> Iterator[Application]:
    # Amazon lets the application as a whole make 2 patches a second (burst 2); we keep
    # Amazon's published 500 a second, far above, and each seller's 5 (as Amazon's own)
    config = SimulatorConfig.focused(application_limit_overrides={PATCH: {"burst": 2, "rate": 2.0}})
    sim = Simulator(config, clock)
    sim.add_seller(SELLERS[1], f"Atzr|{SELLERS[1]}")
    server = serve_in_thread(create_app(sim))
    rt = make_runtime(db_url, clock, tmp_path, channel="listings-api")
    try:
        yield Application(rt, sim, add_accounts(rt, sim, server))
    finally:
        server.stop()
        rt.close()


def add_accounts(rt: Runtime, sim: Simulator, server: RunningServer) -> list[int]:
    """Both sellers list the same products on Amazon and here."""
    config = sim.config
    rows = [ProductRow(sku(n), None, f"Product {n}", 10, Decimal("9.99")) for n in range(PRODUCTS)]
    listings = [ListingRow(r.sku, f"B0TEST{n:04d}", 10, r.price) for n, r in enumerate(rows)]
    ids = []
    with rt.db.transaction() as session:
        catalog.upsert_products(session, rows, rt.clock.now())
        for n, seller_id in enumerate(SELLERS):
            sim.seed_listings(
                ({"sku": x.sku, "asin": x.asin, "quantity": 10, "price": "9.99"} for x in listings),
                seller_id=seller_id,
            )
            spec = account_spec(
                config,
                server.url,
                f"seller{n}",
                seller_id=seller_id,
                refresh_token=config.refresh_token if n == 0 else f"Atzr|{seller_id}",
            )
            account_id = add_account(session, spec, rt.cipher, rt.clock.now()).id
            catalog.upsert_listings(session, account_id, listings, rt.clock.now())
            ids.append(account_id)
    return ids


def test_amazon_stricter_than_our_application_bucket(application: Application) -> None:
    rt, sim = application.rt, application.sim
    skus = [sku(n) for n in range(PRODUCTS)]
    wanted = quantities(rt, skus, 500)
    jobs = [send_by_api(rt, account_id, skus) for account_id in application.account_ids]

    Worker(rt, concurrency=2).run(until_idle=True)

    for job_id in jobs:
        assert_every_item_accepted_once(rt, job_id, wanted)
    for seller_id in SELLERS:
        shown = sim.listings(seller_id)
        assert {s: shown[s].quantity for s in skus} == wanted, seller_id
    stats = sim.stats()
    assert stats["throttled_application"].get(PATCH, 0) > 0, "the application's limit"
    assert admitted(sim) == len(SELLERS) * PRODUCTS, "each item carried out once, none lost"
    with rt.db.read() as session:
        shared = session.scalars(
            select(ApplicationBucket).where(ApplicationBucket.operation == PATCH)
        ).one()
        logs = [[line.message for line in job_log(session, job_id)] for job_id in jobs]
    assert shared.client_id == sim.config.client_id
    assert shared.throttled > 0, "the 429 emptied the application's bucket too"
    assert shared.granted == admitted(sim) + stats["throttled"][PATCH]
    assert any(line.startswith(THROTTLED_LINE) for log in logs for line in log), logs
