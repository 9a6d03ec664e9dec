"""Orders to Shop throughput: Amazon orders written to the PrestaShop simulator.

    python -m bench.shop_orders [--orders 1000] [--postgres]

Places the orders on the SP-API simulator, imports them (not timed), then times one
Orders to Shop job writing every order into the PrestaShop simulator over real
HTTP on 127.0.0.1 (customer, address, cart, order, state, note per order). Prints
orders/s, Webservice requests per order (counted at the shop) and the process's
peak RSS; saves ``bench/results/shop_orders.json``. The shop simulator answers at
once: a real shop spends 0.5 to 2 s on each order POST (``prestashop-facts.md``
§3.8), so real throughput is bounded by the shop, not by this job.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.shop_orders.harness import make_presta

from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_orders_import_job, create_orders_to_shop_job
from amazon_jobs.store import migrate
from amazon_jobs.store.database import Database
from amazon_jobs.store.jobs import get_job
from amazon_jobs.worker import Worker
from bench.common import pg_schema, print_table, save

KEY = "mg13Pm9XyLcm9X2LZRpoaKGJ9CBwMKaVsTszlwFPerQ="


class Counting:
    """ASGI middleware counting requests by method and resource."""

    def __init__(self, app: Any) -> None:
        self.app, self.calls = app, Counter[str]()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            parts = scope["path"].split("/")
            self.calls[f"{scope['method']} {parts[2] if len(parts) > 2 else ''}"] += 1
        await self.app(scope, receive, send)


def run(url: str, orders: int, home: Path) -> dict[str, Any]:
    clock = VirtualClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    settings = load_settings(environ={}, home=home, database_url=url, secret_key=KEY,
                             clock="virtual", allow_custom_endpoints=True)  # fmt: skip
    rt = Runtime.build(settings, clock=clock)
    counters: list[Counting] = []

    def wrap(app: Any) -> Counting:
        counters.append(Counting(app))
        return counters[-1]

    with ExitStack() as stack:
        presta = make_presta(rt, clock, products=200, sellable=20, wrap=wrap)
        stack.callback(presta.close)
        stack.callback(rt.close)
        skus = list(presta.skus)
        for sku in skus:
            presta.set_stock(sku, 100_000)
        base = clock.now() - timedelta(hours=2)
        for n in range(orders):
            presta.amazon.orders.add_order(
                [{"sku": skus[n % len(skus)], "quantity": 1 + n % 2},
                 {"sku": skus[(n + 7) % len(skus)], "quantity": 1}],
                purchased_at=base + timedelta(seconds=5 * n),
            )  # fmt: skip
        create_orders_import_job(rt, presta.account_id)
        Worker(rt).run(until_idle=True)
        counters[0].calls.clear()
        started = time.perf_counter()
        job = create_orders_to_shop_job(rt, presta.account_id)
        Worker(rt).run(until_idle=True)
        elapsed = time.perf_counter() - started
        with rt.db.read() as session:
            done = get_job(session, job.id)
        assert done.status == JobStatus.DONE and done.items_ok == orders, done.error
        assert len(presta.shop_orders()) == orders
        calls = counters[0].calls
    return {
        "seconds": elapsed,
        "orders_per_s": orders / elapsed,
        "requests_per_order": sum(calls.values()) / orders,
        "requests": dict(sorted(calls.items())),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        if args.postgres:
            url, db = stack.enter_context(pg_schema("aj_bench_shop")), "postgresql"
        else:
            url, db = f"sqlite:///{tmp}/bench.db", "sqlite"
        result = run(url, args.orders, Path(tmp))
    title = f"Orders to Shop: {args.orders} Amazon orders into the PrestaShop simulator"
    headers = ["database", "orders", "seconds", "orders/s", "requests/order", "peak RSS MB"]
    rows = [[db, args.orders, result["seconds"], result["orders_per_s"],
             result["requests_per_order"], result["peak_rss_mb"]]]  # fmt: skip
    print_table(title, headers, rows)
    print("requests:", ", ".join(f"{k} {v}" for k, v in result["requests"].items()))
    save(f"shop_orders_{db}", title, headers, rows, requests=result["requests"])


if __name__ == "__main__":
    main()
