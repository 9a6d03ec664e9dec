"""Shop Catalog Sync throughput: a full sync of 100,000 combinations from the shop
simulator, then an incremental sync after 1 % of the products changed.

    python -m bench.shop_catalog [--products N]

The shop simulator runs in its own process (real HTTP on 127.0.0.1), so the
peak memory reported (ru_maxrss of the process that runs the sync, one process
per sync) is the connector's and the worker's alone. The catalog is SQLite.
Items/s counts the SKUs the sync went through; requests per item is the shop
Webservice requests of the job over those SKUs. The incremental sync must
change exactly the SKUs of the changed products (checked: the count, and every SKU
listed as a job item).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from amazon_jobs.clock import SystemClock
from amazon_jobs.config import load_settings
from amazon_jobs.handlers.shop_catalog_sync import ShopCatalogSync
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import _bind, serve_forever
from amazon_jobs.shop.webservice import WebserviceClient
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.shops import add_shop, link_account
from amazon_jobs.store import migrate
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.models import Job, JobItem, Product
from amazon_jobs.store.shops import ShopSpec
from amazon_jobs.worker import Worker
from bench.common import print_table, save

SECRET = "mg13Pm9XyLcm9X2LZRpoaKGJ9CBwMKaVsTszlwFPerQ="
COMBINATION_SHARE = 0.8
MAX_COMBINATIONS = 6  # 2 to 6 per product: 4 on average


def _serve(products: int, port: int) -> None:
    config = ShopSimulatorConfig(
        products=products,
        seed=1,
        combination_share=COMBINATION_SHARE,
        max_combinations=MAX_COMBINATIONS,
    )
    serve_forever(create_app(ShopSimulator(config, SystemClock())), "127.0.0.1", port)


def _runtime(home: Path) -> Runtime:
    settings = load_settings(
        environ={},
        home=home,
        database_url=f"sqlite:///{home / 'bench.db'}",
        secret_key=SECRET,
        allow_custom_endpoints=True,
        http_timeout_s=120.0,
    )
    return Runtime.build(settings)


def _sync(home: Path, full: bool, out: Any) -> None:
    """One sync in this (child) process; sends back its numbers."""
    rt = _runtime(home)
    started = time.perf_counter()
    job = ShopCatalogSync().create(rt, 1, full=full)
    Worker(rt).run(until_idle=True)
    wall = time.perf_counter() - started
    with rt.db.read() as session:
        done = session.get_one(Job, job.id)
        changed = set(session.scalars(select(JobItem.ref).where(JobItem.job_id == job.id)))
        skus = session.scalar(select(func.count()).select_from(Product)) or 0
        out.send(
            {
                "status": done.status,
                "error": done.error,
                "wall_s": wall,
                "requests": int(done.data.get("requests", 0)),
                "counts": done.data.get("counts", {}),
                "changed": sorted(changed),
                "skus": skus,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    rt.close()


def _in_child(home: Path, full: bool) -> dict[str, Any]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=_sync, args=(home, full, child))
    process.start()
    result: dict[str, Any] = parent.recv()
    process.join()
    return result


def _touch(url: str, products: int) -> set[int]:
    """Change the price of 1 % of the products (every 100th) through the Webservice."""
    ids = set(range(1, products + 1, 100))
    with WebserviceClient(url, DEFAULT_KEY, timeout_s=60) as client:
        for product_id in ids:
            client.patch("products", "product", product_id, {"price": "123.450000"})
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=31_250)
    args = parser.parse_args()
    sock = _bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(args.products, port), daemon=True
    )
    server.start()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        _setup(home, url)
        full = _in_child(home, True)
        touched = _touch(url, args.products)
        incremental = _in_child(home, False)
        expected = _skus_of(home, touched)
    server.terminate()
    rows = [
        _row("full sync", full, full["skus"]),
        _row("incremental (1 %)", incremental, full["skus"]),
    ]
    updated = sum(incremental["counts"].get(k, 0) for k in ("created", "updated", "removed"))
    rows[1].append(f"{updated} updated (expected {len(expected)})")
    rows[0].append(f"{full['counts'].get('created', 0)} created")
    headers = ["sync", "SKUs", "wall s", "items/s", "requests", "req/item", "peak MB", "changes"]
    title = f"Shop Catalog Sync, {args.products} products, {full['skus']} SKUs (SQLite)"
    print_table(title, headers, rows)
    assert full["status"] == "done" and incremental["status"] == "done", (full, incremental)
    # Items are listed up to ITEM_CAP; every listed one and the count must be the changed ones.
    assert set(incremental["changed"]) <= expected, "the incremental sync changed other SKUs"
    assert updated == len(expected), (updated, len(expected))
    save("shop_catalog", title, headers, rows, products=args.products)


def _row(name: str, result: dict[str, Any], skus: int) -> list[Any]:
    wall = result["wall_s"]
    return [
        name,
        skus,
        round(wall, 1),
        round(skus / wall),
        result["requests"],
        round(result["requests"] / skus, 4),
        round(result["peak_mb"]),
    ]


def _setup(home: Path, url: str) -> None:
    rt = _runtime(home)
    migrate.upgrade(rt.db)
    spec = AccountSpec("us", "A1", "na", "ATVPDKIKX0DER", "c", SecretStr("s"), SecretStr("r"))
    with rt.db.transaction() as session:
        account = add_account(session, spec, rt.cipher, rt.clock.now())
        shop = add_shop(rt, session, ShopSpec("bench", url, SecretStr(DEFAULT_KEY)))
        link_account(rt, session, account, shop)
    rt.close()


def _skus_of(home: Path, product_ids: set[int]) -> set[str]:
    rt = _runtime(home)
    with rt.db.read() as session:
        query = select(Product.sku).where(Product.shop_product_id.in_(product_ids))
        found = set(session.scalars(query))
    rt.close()
    return found


if __name__ == "__main__":
    main()
