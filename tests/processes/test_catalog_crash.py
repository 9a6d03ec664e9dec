"""A worker killed with SIGKILL in the middle of a Shop Catalog Sync: another worker
finishes it from the last written page, and the catalog equals the shop's."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from pydantic import SecretStr

from amazon_jobs.handlers.shop_catalog_sync import ShopCatalogSync
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.shop_simulator import ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.shops import add_shop, link_account
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.jobs import get_job, job_log
from amazon_jobs.store.shops import ShopSpec
from amazon_jobs.testing import CATALOG_CHECKPOINTS
from tests.conftest import truncate
from tests.integration.presta import Presta
from tests.processes.harness import fleet, wait_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("pg_url"))
    truncate(url)
    return url


@pytest.mark.parametrize("point", CATALOG_CHECKPOINTS)
def test_killed_during_a_catalog_sync(database: str, tmp_path: Path, point: str) -> None:
    with fleet(database, tmp_path, scale=100.0, lease_s=60.0, shop_page_size=5) as crew:
        config = ShopSimulatorConfig(products=40, seed=9, combination_share=0.5)
        sim = ShopSimulator(config, crew.rt.clock)
        server = serve_in_thread(create_app(sim))
        try:
            spec = AccountSpec(
                "us", "A1", "na", "ATVPDKIKX0DER", "c", SecretStr("s"), SecretStr("r")
            )
            with crew.rt.db.transaction() as session:
                account = add_account(session, spec, crew.rt.cipher, crew.rt.clock.now())
                shop = add_shop(
                    crew.rt, session, ShopSpec("main", server.url, SecretStr(config.key))
                )
                link_account(crew.rt, session, account, shop)
                shop_id, account_id = shop.id, account.id
            presta = Presta(crew.rt, sim, server, shop_id, account_id, crew.rt.clock)  # type: ignore[arg-type]
            job = ShopCatalogSync().create(crew.rt, shop_id, full=True)
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
            with crew.rt.db.read() as session:
                halfway = get_job(session, job.id)
            assert halfway.status == "processing"
            written = point == "catalog:written"
            assert bool(halfway.data.get("after")) is written

            rescuer = crew.worker("rescuer", "--until-idle", "--no-scheduler")
            assert rescuer.wait(90) == 0, (tmp_path / "logs" / "rescuer.log").read_text()

            with crew.rt.db.read() as session:
                finished = get_job(session, job.id)
                log = [line.message for line in job_log(session, job.id)]
            assert finished.status == "done", log
            assert any("Taken over by worker" in line for line in log), log
            assert presta.catalog() == presta.expected()
            # Nothing lost, nothing twice: one created item per SKU.
            assert finished.data["counts"]["created"] == sim.skus
            assert finished.items_total == sim.skus
        finally:
            server.stop()
