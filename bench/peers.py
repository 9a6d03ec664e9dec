"""Against the peers: the same workload sent by amazon-jobs and by the two usual Python clients.

    python -m bench.peers [--scale N] [--groups feeds orders reports catalog]

For each operation group one workload, several times the bucket's burst, is
sent three times, each time to a fresh simulator with the ``seed`` limits on
a :class:`~amazon_jobs.clock.ScaledClock`:

1. by amazon-jobs: its worker and handlers run the jobs (as in
   :mod:`bench.quota`, but on the scaled clock rather than a virtual one);
2. by python-amazon-sp-api with ``@throttle_retry()`` and
   ``@load_all_pages(use_rate_limit_header=True)``;
3. by Amazon's SDK amzn-sp-api with the usual hand-written retry-on-429 loop.

The peers are :mod:`bench.peer_clients` (its docstring says how they are
pointed at the simulator and kept on simulator time). The workloads:

- feeds: one JSON_LISTINGS_FEED per SKU, each createFeedDocument, upload, createFeed;
- orders: every page of searchOrders (100 orders a page) since 7 days ago;
- reports: createReport requests;
- catalog: searchCatalogItems with 20 EANs a request.

Measured, in simulator seconds: the makespan, from the start to the last
successful call of the group's operation, and the theoretical minimum of the
token bucket (:func:`bench.quota.ideal_makespan`: the burst at once, then one
call per restore interval, windows respected); their ratio; the 429s the
simulator answered; the requests sent of the workload's operations (429s
included). A peer that gives up (its retry exhausted, or a 429 nothing
retries) is reported as such, with how far it got.

Within a group all three clients run at the same time scale. Time a client
spends computing is multiplied by the scale too, so each group's scale keeps
that small next to its restore interval: 60 for feeds and reports (an hour of
Amazon time in a minute; intervals of 120 s and 60 s), 10 for orders (the
SDK turns a page of 100 orders into objects in ~0.3-0.7 s of CPU here), 2 for
catalog (0.2 s interval; one HTTP round trip is ~10-20 ms). ``--scale`` sets
one scale for every group. Before a group is measured, every client runs a
2-call version of it unmeasured, so that no measured run pays for code that
runs the first time in the process.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from amazon_jobs.clock import ScaledClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.limits import Operation, limits_for
from amazon_jobs.feeds.listings_feed import build_feed, patch_message, quantity_patch
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.catalog.generator import catalog_ean
from amazon_jobs.store import migrate
from amazon_jobs.worker import Worker
from bench import quota
from bench.common import BENCH_KEY, answered_at, print_table, save
from bench.peer_clients import PAGE_SIZE, PEERS, Plan, SpApiPeer, Target

PROFILE = "seed"
AMAZON_JOBS = "amazon-jobs"
#: Orders the simulator holds per page of the orders workload (the peers' page size).
ORDERS_PER_PAGE = PAGE_SIZE
#: EANs per searchCatalogItems request (Amazon's maximum; what amazon-jobs sends).
EANS_PER_SEARCH = 20
#: How far back the orders are imported (amazon-jobs' default first import).
ORDERS_SINCE = timedelta(days=7)
#: Real seconds between looks at the simulator while amazon-jobs runs.
WATCH_S = 0.05


@dataclass(frozen=True)
class Group:
    name: str
    #: The operation whose last successful call ends the makespan.
    operation: Operation
    #: Calls of that operation the workload needs.
    calls: int
    #: The limits that bind those calls (all taken together).
    binding: tuple[Operation, ...]
    #: The operations whose requests are counted.
    counted: tuple[Operation, ...]
    #: Default simulator time scale.
    scale: float
    #: bench.quota's setup of the amazon-jobs jobs; PeerClient method.
    setup: Callable[[Runtime, Simulator, int, int], None]
    method: str


GROUPS = [
    # 3x createFeed's burst of 15: the last 15 wait for the 30-an-hour window.
    Group("feeds", Operation.CREATE_FEED, 45,
          (Operation.CREATE_FEED, Operation.JSON_LISTINGS_FEED),
          (Operation.CREATE_FEED_DOCUMENT, Operation.CREATE_FEED), 60, quota.feeds, "feeds"),
    # 2x searchOrders' burst of 6.
    Group("orders", Operation.SEARCH_ORDERS, 12, (Operation.SEARCH_ORDERS,),
          (Operation.SEARCH_ORDERS,), 10, quota.orders, "orders_2026"),
    # 3x createReport's burst of 15.
    Group("reports", Operation.CREATE_REPORT, 45, (Operation.CREATE_REPORT,),
          (Operation.CREATE_REPORT,), 60, quota.reports, "reports"),
    # 10x searchCatalogItems' burst of 20.
    Group("catalog", Operation.SEARCH_CATALOG_ITEMS, 200, (Operation.SEARCH_CATALOG_ITEMS,),
          (Operation.SEARCH_CATALOG_ITEMS,), 2, quota.catalog_search, "catalog"),
]  # fmt: skip


@dataclass
class Outcome:
    """One client's run of one group's workload."""

    #: Successful calls of the group's operation.
    done: int
    #: Simulator seconds from the start to the last of them (None if it gave up).
    makespan: float | None
    throttled: int
    requests: int
    result: str = "ok"
    wall_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def simulator(group: Group, clock: ScaledClock) -> Simulator:
    products = group.calls * EANS_PER_SEARCH if group.name == "catalog" else 0
    return Simulator(SimulatorConfig.focused(profile=PROFILE, catalog_size=products), clock)


def counts(group: Group, stats: dict[str, Any]) -> tuple[int, int, int]:
    """(successful calls of the group's operation, 429s, requests of its operations)."""
    requests, throttled = stats["requests"], stats["throttled"]
    op = group.operation.value
    done = requests.get(op, 0) - throttled.get(op, 0)
    sent = sum(requests.get(o.value, 0) for o in group.counted)
    return done, sum(throttled.values()), sent


# amazon-jobs


def run_amazon_jobs(group: Group, scale: float) -> Outcome:
    """The jobs of bench.quota, run by a worker until the group's last call is made."""
    clock = ScaledClock(scale)
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            environ={},
            home=home,
            database_url=f"sqlite:///{home}/bench.db",
            secret_key=BENCH_KEY,
            allow_custom_endpoints=True,  # the account is on the simulator
            channel="feed",  # the peers send feeds: so does amazon-jobs here
            clock="scaled",
            clock_scale=scale,
            limits_profile=PROFILE,
            poll_first_s=60,
            poll_max_s=900,
            # The peers ask for 100 orders a page: so does amazon-jobs here.
            orders_page_size=ORDERS_PER_PAGE,
        )
        rt = Runtime.build(settings, clock=clock)
        migrate.upgrade(rt.db)
        sim = simulator(group, clock)
        with serve_in_thread(create_app(sim)) as server:
            catalog = group.name == "catalog"
            products = group.calls * EANS_PER_SEARCH if catalog else max(group.calls, 60)
            account_id = quota.shop(rt, sim, server.url, products, listed=not catalog)
            group.setup(rt, sim, account_id, group.calls)
            started = clock.now()
            stop = threading.Event()
            worker = threading.Thread(
                target=Worker(rt).run, kwargs={"until_idle": True, "stop": stop}, daemon=True
            )
            worker.start()
            while worker.is_alive():
                if counts(group, sim.stats())[0] >= group.calls:
                    stop.set()
                worker.join(WATCH_S)
            stats = sim.stats()
        times = answered_at(rt, group.operation)
        rt.close()
    done, throttled, sent = counts(group, stats)
    makespan = (times[-1] - started).total_seconds() if times else None
    result = "ok" if done >= group.calls else f"stopped after {done} of {group.calls}"
    return Outcome(done, makespan, throttled, sent, result)


# The peers


def plan_for(group: Group, sim: Simulator, now: datetime) -> Plan:
    """The peers' workload, the same as amazon-jobs' (same SKUs, orders, EANs)."""
    seller = sim.config.seller_id
    if group.name == "feeds":
        documents = tuple(
            build_feed(seller, [patch_message(1, f"B-{k:06d}", [quantity_patch(5)])])
            for k in range(group.calls)
        )
        return Plan(feed_documents=documents)
    if group.name == "orders":
        return Plan(since=now - ORDERS_SINCE)
    if group.name == "reports":
        return Plan(reports=group.calls)
    codes = [catalog_ean(n + 1) for n in range(group.calls * EANS_PER_SEARCH)]
    batches = tuple(
        tuple(codes[k : k + EANS_PER_SEARCH]) for k in range(0, len(codes), EANS_PER_SEARCH)
    )
    return Plan(ean_batches=batches)


def seed(sim: Simulator, clock: ScaledClock, group: Group) -> None:
    """What bench.quota.shop and bench.quota.orders give the simulator for amazon-jobs."""
    if group.name == "catalog":
        return
    sim.seed_listings(
        {"sku": f"B-{n:06d}", "asin": f"B0{n:08d}", "quantity": 5, "price": "9.99"}
        for n in range(max(group.calls, 60))
    )
    if group.name != "orders":
        return
    past = clock.now() - timedelta(hours=6)
    for k in range(group.calls * ORDERS_PER_PAGE):
        sim.orders.add_order(
            [{"sku": f"B-{k % 50:06d}"}], purchased_at=past + timedelta(seconds=2 * k)
        )


def run_peer(name: str, group: Group, scale: float) -> Outcome:
    clock = ScaledClock(scale)
    sim = simulator(group, clock)
    seed(sim, clock, group)
    config = sim.config
    result = "ok"
    with serve_in_thread(create_app(sim)) as server:
        target = Target(
            url=server.url,
            client_id=config.client_id,
            client_secret=config.client_secret,
            refresh_token=config.refresh_token,
            marketplace_id=config.marketplace_id,
            clock=clock,
        )
        plan = plan_for(group, sim, clock.now())
        started = clock.now()
        try:
            with PEERS[name](target) as peer:
                peer.run(group.method, plan)
        except Exception as exc:
            result = gave_up(exc, name, group)
            if not result.startswith("gave up"):
                traceback.print_exc()
        ended = clock.now()
        stats = sim.stats()
    done, throttled, sent = counts(group, stats)
    if result == "ok" and done < group.calls:
        result = f"ended after {done} of {group.calls}"
    if result != "ok":
        result = f"{result} ({done} of {group.calls} done)"
    makespan = (ended - started).total_seconds() if result == "ok" else None
    return Outcome(done, makespan, throttled, sent, result)


def gave_up(exc: BaseException, name: str, group: Group) -> str:
    """How a peer's failure reads in the table: a 429 it no longer retries is giving up."""
    status = getattr(exc, "status", None) or getattr(exc, "code", None)
    if status == 429 or type(exc).__name__ == "SellingApiRequestThrottledException":
        if name == SpApiPeer.name and group.name == "orders":
            # throttle_retry wraps the call that makes load_all_pages' generator,
            # not the requests of the pages it yields.
            return "gave up: 429 between pages, not retried"
        if name == SpApiPeer.name:
            return "gave up: throttle_retry's 10 tries all 429"
        return "gave up on a 429"
    first_line = str(exc).splitlines()[0][:80] if str(exc) else ""
    return f"failed: {type(exc).__name__}: {first_line}"


# The table


def warm_up(group: Group, scale: float) -> None:
    """A small unmeasured run of the group by every client, so that each measured run
    starts warm: code that runs for the first time in a process is slow, and on the
    scaled clock tens of milliseconds are seconds of simulator time.
    """
    small = replace(group, calls=2)
    run_amazon_jobs(small, scale)
    for name in PEERS:
        run_peer(name, small, scale)


CLIENTS = [AMAZON_JOBS, *PEERS]


def run_group(group: Group, scale: float) -> list[list[object]]:
    ideal = quota.ideal_makespan(limits_for(PROFILE), group.binding, group.calls)
    warm_up(group, scale)
    rows = []
    for client in CLIENTS:
        began = time.perf_counter()
        if client == AMAZON_JOBS:
            outcome = run_amazon_jobs(group, scale)
        else:
            outcome = run_peer(client, group, scale)
        outcome.wall_s = time.perf_counter() - began
        made = outcome.makespan
        ratio = made / ideal if made is not None and ideal else None
        rows.append([group.name, client, scale, group.calls, outcome.done, ideal, made, ratio,
                     outcome.throttled, outcome.requests, outcome.result])  # fmt: skip
        print(f"  {group.name} / {client}: {outcome.result}, {outcome.wall_s:.0f} s", flush=True)
    return rows


HEADERS = ["group", "client", "scale", "calls", "done", "minimum s", "makespan s", "ratio",
           "429s", "requests", "result"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help="Simulator time scale for every group (default: 60, catalog 2).",
    )
    parser.add_argument(
        "--groups",
        nargs="+",
        choices=[g.name for g in GROUPS],
        default=[g.name for g in GROUPS],
    )
    args = parser.parse_args()
    # amzn-sp-api's modules call logging.basicConfig(level=INFO) when imported.
    logging.getLogger().setLevel(logging.WARNING)
    began = time.perf_counter()
    rows: list[list[object]] = []
    for group in GROUPS:
        if group.name in args.groups:
            rows += run_group(group, args.scale or group.scale)
    wall = time.perf_counter() - began
    title = (
        f"Against the peers ({PROFILE} limits, simulator seconds; "
        "requests = calls of the workload's operations, 429s included)"
    )
    # A peer that gave up has no makespan: "-" in the table and the JSON (bench.report).
    rows = [["-" if c is None else c for c in row] for row in rows]
    print_table(title, HEADERS, rows)
    print(f"\n{wall:.0f} s wall")
    save("peers", title, HEADERS, rows, profile=PROFILE, wall_s=round(wall, 1))


if __name__ == "__main__":
    main()
