"""Quota efficiency: how close amazon-jobs comes to the limit Amazon's token buckets set.

    python -m bench.quota [--scale 1.0]

For each operation group a workload needing many more calls than the bucket's
burst runs against the in-process simulator on a virtual clock (so hours of
Amazon time take seconds). The makespan (first job created to the last call
of that operation) is divided by the theoretical minimum: the burst at once,
then one call per restore interval, windows and hourly caps respected.
Target: ratio <= 1.01 and zero 429s. ``--scale`` shrinks the workloads for a
quick run.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain import buckets
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Limit, Operation, limits_for
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import (
    add_to_selling_list,
    create_inventory_job,
    create_listings_job,
    create_orders_import_job,
)
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.catalog.generator import catalog_ean
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import add_account
from amazon_jobs.worker import Worker
from bench.common import BENCH_KEY, answered_at, print_table, save, simulator_account

START = datetime(2026, 11, 27, 8, 0).astimezone()


@dataclass(frozen=True)
class Workload:
    group: str
    operation: Operation
    calls: int
    #: The operations whose limits bind the calls (all taken together).
    binding: tuple[Operation, ...]
    setup: Callable[[Runtime, Simulator, int, int], None]


def ideal_makespan(
    limits: dict[Operation, Limit], binding: Sequence[Operation], calls: int
) -> float:
    """Seconds from the first to the last of *calls* when each goes as soon as allowed."""
    states = {op: buckets.full(limits[op], START) for op in binding}
    now = START
    for _ in range(calls):
        now = max(buckets.next_token_at(states[op], limits[op], now) for op in binding)
        for op in binding:
            taken = buckets.take(states[op], limits[op], now)
            assert taken is not None
            states[op] = taken
    return (now - START).total_seconds()


def shop(rt: Runtime, sim: Simulator, url: str, products: int, listed: bool = True) -> int:
    spec = simulator_account(sim, url)
    rows = [
        ProductRow(f"B-{n:06d}", catalog_ean(n + 1), f"Product {n}", 5, Decimal("9.99"))
        for n in range(products)
    ]
    listings = [ListingRow(r.sku, f"B0{n:08d}", 5, r.price) for n, r in enumerate(rows)]
    if listed:
        sim.seed_listings(
            {"sku": x.sku, "asin": x.asin, "quantity": 5, "price": "9.99"} for x in listings
        )
    with rt.db.transaction() as session:
        account_id = add_account(session, spec, rt.cipher, rt.clock.now()).id
        for start in range(0, len(rows), 5000):
            catalog.upsert_products(session, rows[start : start + 5000], rt.clock.now())
        if listed:
            for start in range(0, len(listings), 5000):
                catalog.upsert_listings(
                    session, account_id, listings[start : start + 5000], rt.clock.now()
                )
    return account_id


def feeds(rt: Runtime, _sim: Simulator, account_id: int, n: int) -> None:
    for k in range(n):
        selection = Selection(skus=(f"B-{k:06d}",))
        create_listings_job(rt, JobType.UPDATE_QTY, account_id, selection)


def orders(rt: Runtime, sim: Simulator, account_id: int, pages: int) -> None:
    past = rt.clock.now() - timedelta(hours=6)
    for k in range(pages * 100):
        sim.orders.add_order(
            [{"sku": f"B-{k % 50:06d}"}], purchased_at=past + timedelta(seconds=2 * k)
        )
    create_orders_import_job(rt, account_id)


def reports(rt: Runtime, _sim: Simulator, account_id: int, n: int) -> None:
    for _ in range(n):
        create_inventory_job(rt, account_id)


def catalog_search(rt: Runtime, _sim: Simulator, account_id: int, _requests: int) -> None:
    add_to_selling_list(rt, account_id, all_products=True)
    create_listings_job(rt, JobType.SEND_PRODUCTS, account_id, Selection(all=True))


def run(workload: Workload, scale: float, profile: str) -> list[object]:
    calls = max(3, int(workload.calls * scale))
    clock = VirtualClock(START)
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            environ={},
            home=home,
            database_url=f"sqlite:///{home}/bench.db",
            secret_key=BENCH_KEY,
            allow_custom_endpoints=True,  # the account is on the simulator
            clock="virtual",
            limits_profile=profile,
            poll_first_s=60,
            poll_max_s=900,
            channel="feed",  # the feeds workload measures createFeed
        )
        rt = Runtime.build(settings, clock=clock)
        migrate.upgrade(rt.db)
        config = SimulatorConfig.focused(
            profile=profile,
            catalog_size=calls * 20 if workload.group == "catalog" else 0,
        )
        sim = Simulator(config, clock)
        with serve_in_thread(create_app(sim)) as server:
            products = calls * 20 if workload.group == "catalog" else max(calls, 60)
            account_id = shop(rt, sim, server.url, products, listed=workload.group != "catalog")
            started = clock.now()
            workload.setup(rt, sim, account_id, calls)
            Worker(rt).run(until_idle=True)
            stats = sim.stats()
        times = answered_at(rt, workload.operation)
        rt.close()
    limits = limits_for(profile)
    ideal = ideal_makespan(limits, workload.binding, calls)
    made = (times[-1] - started).total_seconds() if times else float("nan")
    throttled = sum(stats["throttled"].values())
    return [workload.group, workload.operation.value, calls, len(times), ideal, made,
            made / ideal if ideal else 1.0, throttled]  # fmt: skip


WORKLOADS = [
    Workload("feeds", Operation.CREATE_FEED, 120,
             (Operation.CREATE_FEED, Operation.JSON_LISTINGS_FEED), feeds),
    Workload("orders", Operation.SEARCH_ORDERS, 50, (Operation.SEARCH_ORDERS,), orders),
    Workload("reports", Operation.CREATE_REPORT, 80, (Operation.CREATE_REPORT,), reports),
    Workload("catalog", Operation.SEARCH_CATALOG_ITEMS, 1000,
             (Operation.SEARCH_CATALOG_ITEMS,), catalog_search),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="Fraction of each workload.")
    parser.add_argument("--profile", default="sp-api", choices=["sp-api", "seed"])
    args = parser.parse_args()
    rows = []
    for workload in WORKLOADS:
        rows.append(run(workload, args.scale, args.profile))
        print(f"  {workload.group}: done", flush=True)
    headers = ["group", "operation", "calls", "made", "minimum s", "makespan s", "ratio", "429s"]
    title = f"Quota efficiency ({args.profile} limits; target ratio <= 1.01, zero 429s)"
    print_table(title, headers, rows)
    save("quota", title, headers, rows, profile=args.profile)


if __name__ == "__main__":
    main()
