"""Shop Catalog Sync against the PrestaShop simulator over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from amazon_jobs.clock import VirtualClock
from amazon_jobs.shop_simulator import ShopSimulatorConfig
from amazon_jobs.store.jobs import job_log
from amazon_jobs.store.models import JobItem, JobLog, Shop
from tests.conftest import make_runtime
from tests.integration.presta import Presta, make_presta


@pytest.fixture
def presta_config() -> ShopSimulatorConfig:
    return ShopSimulatorConfig(products=30, seed=5, combination_share=0.5, inactive_share=0.1)


@pytest.fixture
def presta(
    db_url: str, clock: VirtualClock, tmp_path: Path, presta_config: ShopSimulatorConfig
) -> Iterator[Presta]:
    rt = make_runtime(db_url, clock, tmp_path, shop_page_size=7)
    yield from make_presta(rt, clock, presta_config)
    rt.close()


def log(presta: Presta, job_id: int) -> list[JobLog]:
    with presta.rt.db.read() as session:
        return job_log(session, job_id)


def items(presta: Presta, job_id: int) -> dict[str, JobItem]:
    with presta.rt.db.read() as session:
        rows = session.scalars(select(JobItem).where(JobItem.job_id == job_id))
        return {row.ref: row for row in rows}


def test_a_first_sync_copies_every_sku_of_the_shop(presta: Presta) -> None:
    job = presta.sync()
    assert job.status == "done", job.error
    assert presta.catalog() == presta.expected()
    assert len(presta.catalog()) == presta.sim.skus
    with presta.rt.db.read() as session:
        shop = session.get_one(Shop, presta.shop_id)
        assert shop.catalog_synced_until == presta.clock.now()
        assert shop.catalog_full_at == presta.clock.now()
    assert all(i.requested["change"] == "created" for i in items(presta, job.id).values())


def test_an_incremental_sync_touches_only_what_changed(presta: Presta) -> None:
    assert presta.sync().status == "done"
    presta.clock.advance(7200)
    with presta.ws as ws:
        product = ws.list("products", display=["id", "reference", "product_type"], limit=(3, 1))[0]
        ws.patch("products", "product", product["id"], {"price": "77.700000"})
        stock = ws.list(
            "stock_availables", display="full", filters={"id_product_attribute": ">[0]"}
        )[0]
        ws.patch("stock_availables", "stock_available", stock["id"], {"quantity": "41"})
    job = presta.sync()
    assert job.status == "done", job.error
    assert presta.catalog() == presta.expected()
    changed = items(presta, job.id)
    pid = int(product["id"])
    price_skus = {sku for sku, row in presta.expected().items() if row[0] == pid}
    stock_sku = next(
        sku
        for sku, row in presta.expected().items()
        if (row[0], row[1]) == (int(stock["id_product"]), int(stock["id_product_attribute"]))
    )
    assert set(changed) == price_skus | {stock_sku}
    assert not job.data["full"]


def test_a_full_pass_notices_products_deleted_in_the_shop(presta: Presta) -> None:
    assert presta.sync().status == "done"
    before = presta.catalog()
    with presta.ws as ws:
        ws.delete("products", 2)
    presta.clock.advance(300)
    incremental = presta.sync()
    assert incremental.status == "done"
    assert presta.catalog() == before  # an incremental sync cannot see a deletion
    full = presta.sync(full=True)
    assert full.status == "done", full.error
    gone = {sku for sku, row in before.items() if row[0] == 2}
    assert gone
    after = presta.catalog()
    for sku in gone:
        assert after[sku][3] == 0 and after[sku][6] is False and after[sku][7] is True
    assert {k: v for k, v in after.items() if k not in gone} == presta.expected()
    assert {
        ref for ref, i in items(presta, full.id).items() if i.requested["change"] == "removed"
    } == gone


def test_items_without_a_usable_reference_are_refused_one_by_one(presta: Presta) -> None:
    products = presta.sim.store["products"]
    simple = next(p for p in products if p.get("product_type") == "standard")
    products.update(int(simple["id"]), {"reference": ""})
    job = presta.sync()
    assert job.status == "done"
    refused = {ref: i for ref, i in items(presta, job.id).items() if i.outcome == "error"}
    assert refused == {f"product {simple['id']}": refused[f"product {simple['id']}"]}
    assert "no reference (SKU) in the shop" in (
        refused[f"product {simple['id']}"].error_message or ""
    )
    assert job.items_failed == 1


def test_a_shop_that_fails_is_retried_until_it_answers(presta: Presta) -> None:
    presta.sim.faults.fail_next(2, status=503, resource="combinations")
    job = presta.sync()
    assert job.status == "done", job.error
    assert presta.catalog() == presta.expected()
    retries = [line.message for line in log(presta, job.id) if "retrying in" in line.message]
    assert len(retries) == 2
    assert "HTTP 503" in retries[0]


def test_a_shop_that_times_out_is_retried(
    db_url: str, clock: VirtualClock, tmp_path: Path, presta_config: ShopSimulatorConfig
) -> None:
    rt = make_runtime(db_url, clock, tmp_path, http_timeout_s=0.3)
    for presta in make_presta(rt, clock, presta_config):
        presta.sim.faults.delay_answers(1.0, resource="stock_availables", times=1)
        job = presta.sync()
        assert job.status == "done", job.error
        assert presta.catalog() == presta.expected()
        assert any("did not answer in time" in line.message for line in log(presta, job.id))
    rt.close()


def test_a_refused_key_fails_the_job_with_the_reason(presta: Presta) -> None:
    from pydantic import SecretStr

    from amazon_jobs.shops import update_shop
    from amazon_jobs.store.shops import ShopChanges

    with presta.rt.db.transaction() as session:
        shop = session.get_one(Shop, presta.shop_id)
        update_shop(presta.rt, session, shop, ShopChanges(key=SecretStr("X" * 32)))
    job = presta.sync()
    assert job.status == "error"
    assert "refused the Webservice key" in (job.error or "")
    assert "X" * 32 not in (job.error or "")


def test_the_scheduler_syncs_each_shop_on_its_interval(presta: Presta) -> None:
    from amazon_jobs.domain.jobs import JobType
    from amazon_jobs.scheduler.loop import Scheduler
    from amazon_jobs.worker import Worker

    scheduler = Scheduler(presta.rt, "test")
    first = scheduler.tick().jobs(JobType.SHOP_CATALOG_SYNC)
    assert len(first) == 1
    assert scheduler.tick().jobs(JobType.SHOP_CATALOG_SYNC) == []  # one runs already
    Worker(presta.rt).run(until_idle=True)
    assert scheduler.tick().jobs(JobType.SHOP_CATALOG_SYNC) == []  # not due yet
    presta.clock.advance(presta.rt.settings.shop_catalog_sync_every_s)
    second = scheduler.tick().jobs(JobType.SHOP_CATALOG_SYNC)
    assert len(second) == 1
    Worker(presta.rt).run(until_idle=True)
    with presta.rt.db.read() as session:
        from amazon_jobs.store.models import Job

        jobs = [session.get_one(Job, i) for i in (*first, *second)]
    assert [j.status for j in jobs] == ["done", "done"]
    assert [j.data["full"] for j in jobs] == [True, False]
