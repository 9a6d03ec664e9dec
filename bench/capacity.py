"""Capacity: what N sellers cost per hour, which limit comes first, and a run that checks it.

    python -m bench.capacity [--sellers 200] [--warmup-min 5] [--minutes 10]
                             [--db sqlite|postgres|both] [--app-limits-for N]
                             [--probe-scheduler N,N,...] [--markdown]
    python -m bench.capacity --model-only [--markdown]   # the model on the last run's costs
    python -m bench.capacity --app-limits-only [--app-limits-for N]   # the crowded run alone

``docs/capacity.md`` is printed, every number of it, by
``python -m bench.capacity --db both --app-limits-for 20000 --probe-scheduler 50,200,400
--markdown`` (about half an hour on two cores); the run alone takes a few minutes.

**The model** (plain functions: :func:`kinds`, :func:`hourly`, :func:`bottlenecks`)
takes a stated workload per seller (:class:`Workload`) and the product's own cadences
and limits (:class:`Cadences`, from :class:`~amazon_jobs.config.Settings`' defaults
and :mod:`amazon_jobs.domain.limits`), and derives per seller and hour the jobs of
each kind, and per job its steps, Amazon calls per operation and items: what the
code's structure decides. What only a machine can tell is a *measured input* taken
from the run (:class:`Costs`): worker CPU and write transactions per step, log lines
per job, the scheduler's cost per account and tick, bytes per row, PostgreSQL's CPU.
At N = 10, 1,000 and 10,000 sellers it sums them up, compares every operation with
Amazon's per-seller and per-application limits, and orders the resources by use.

**The run** (:func:`measure`): ``--sellers`` simulated sellers (200), each its own
account with 1,000 listings, all on ONE LWA application, against the in-process
simulator over real HTTP with its per-application limits on. The simulator is Amazon
as it is by default (visibility delays, a few 500s and downstream failures) and
streams each seller's orders. The bench plays each seller's shop on the push path:
every scheduler interval it pushes stock and price changes, takes paid orders in
(stock down, acknowledged) and ships them within ``ship_within_h``. The product runs
itself: the real :class:`~amazon_jobs.scheduler.Scheduler` ticks every
``scheduler_interval_s`` and one real :class:`~amazon_jobs.worker.Worker` steps every
due job (``run_once`` in this thread, so that its CPU, write transactions and Amazon
calls are counted per step). Time is a virtual clock: an hour of Amazon costs only
the work done in it. A history (one import interval, :meth:`Bench.history`) and a
warm-up come first; then ``--minutes`` are measured. Hour totals are the window's,
scaled to an hour; per-job numbers follow the window's jobs to their end
(verification included), with no new work, so they are exact for those jobs.

``--app-limits-for N`` adds a run whose per-application limits are cut to the share
the sellers would have among N on one application; ``--probe-scheduler`` times the
scheduler on idle installations of several sizes. Saved: ``bench/results/capacity.json``
(``--model-only`` reprints the model from it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session

from amazon_jobs import service
from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import Settings, load_settings
from amazon_jobs.domain.backoff import poll_interval
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Limit, Operation, application_limits_for
from amazon_jobs.domain.product_changes import ProductChange
from amazon_jobs.domain.verification import CHECK_FRACTIONS
from amazon_jobs.handlers.orders_import import OVERLAP
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.scheduler.verify import start_verification
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.simulator.orders.model import OrderStatus
from amazon_jobs.simulator.orders.shipment import PackageSpec, confirm
from amazon_jobs.simulator.state import _DELAY_SIGMA
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.actions import SCHEDULER
from amazon_jobs.store.jobs import create_job
from amazon_jobs.store.models import (
    Action,
    Base,
    InventoryRow,
    Job,
    JobItem,
    JobLog,
    Order,
    OrderItem,
    Product,
    Shipment,
)
from amazon_jobs.store.orders import ShipmentSpec
from amazon_jobs.store.product_changes import apply_changes
from amazon_jobs.worker import Claimed, Worker
from bench.common import (
    BENCH_KEY,
    RESULTS,
    fmt,
    keep_shipped_orders,
    machine,
    pg_schema,
    print_table,
    save,
)

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SIZES = (10, 1_000, 10_000)
#: Share of a core a worker process is planned to use (headroom for bursts).
CPU_TARGET = 0.7
HOUR = 3600.0
#: Steps of a sync job whose items go out with its burst: one that reserves, enters
#: ``processing`` and calls, one that ends it (more for the items past the burst).
SYNC_STEPS = 2.0
T = TypeVar("T")

# -- the workload and the product ---------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """What one seller does, on average (the defaults are a mid-sized merchant-fulfilled
    seller whose shop pushes its changes; see docs/capacity.md)."""

    #: Listings on Amazon (and products in the shop).
    skus: int = 1_000
    #: Orders placed on Amazon per day, each of 1-3 lines of 1-2 units (the simulator's).
    orders_per_day: float = 48.0
    #: Stock changes the shop pushes per hour (sales elsewhere, deliveries, counts).
    stock_changes_per_h: float = 12.0
    #: Price changes the shop pushes per hour.
    price_changes_per_h: float = 4.0
    #: The shop ships each paid order within this many hours (uniformly).
    ship_within_h: float = 2.0


@dataclass(frozen=True)
class Cadences:
    """The product's own cadences and limits (defaults of Settings and domain.limits)."""

    scheduler_interval_s: float
    orders_import_every_s: float
    orders_reconcile_every_s: float
    orders_reconcile_days: float
    inventory_report_every_s: float
    verify_after_s: float
    retention_days: float
    poll_first_s: float
    poll_max_s: float
    page_size: int
    api_call_s: float
    feed_turnaround_s: float
    limits: Mapping[Operation, Limit]
    app_limits: Mapping[Operation, Limit]

    @classmethod
    def of(cls, settings: Settings) -> Cadences:
        return cls(
            settings.scheduler_interval_s,
            settings.orders_import_every_s,
            settings.orders_reconcile_every_s,
            settings.orders_reconcile_days,
            settings.inventory_report_every_s,
            settings.verify_after_s,
            settings.retention_days,
            settings.poll_first_s,
            settings.poll_max_s,
            settings.page_size,
            settings.api_call_s,
            settings.feed_turnaround_s,
            settings.operation_limits(),
            settings.application_operation_limits(),
        )


@dataclass(frozen=True)
class Amazon:
    """How Amazon behaves, as the simulator plays it (SimulatorConfig's defaults)."""

    visibility_median_s: float
    visibility_max_s: float
    visibility_sigma: float
    downstream_failure_rate: float
    report_s: float
    order_cancel_rate: float
    order_update_rate: float
    order_pending_s: float
    #: Lines per order and units per line, each equally likely (simulator.orders.stream).
    lines_per_order: tuple[int, ...] = (1, 1, 1, 2, 2, 3)
    units_per_line: tuple[int, ...] = (1, 1, 1, 2)

    @classmethod
    def of(cls, config: SimulatorConfig) -> Amazon:
        return cls(
            config.visibility_delay_s,
            config.visibility_delay_max_s,
            _DELAY_SIGMA,
            config.downstream_failure_rate,
            config.report_queue_s + config.report_processing_s,
            config.order_cancel_rate,
            config.order_update_rate,
            config.order_pending_s,
        )


# -- the model: per seller and hour -------------------------------------------------

#: The kinds of work, in table order, with what each is.
KINDS = {
    "sync": "Update QTY & Price (automatic sync; resends included)",
    "verify": "its verification (getListingsItem looks)",
    "import": "Orders Import",
    "reconcile": "Orders Import, daily reconciliation",
    "report": "Inventory Report",
    "fulfil": "Orders Fulfillment",
}
OP = Operation


@dataclass
class Kind:
    """One kind of work per seller and hour: jobs, and per job its steps, items, calls."""

    jobs_per_h: float
    steps_per_job: float
    items_per_job: float = 0.0
    calls_per_job: dict[str, float] = field(default_factory=dict)


def poisson(lam: float, kmax: int) -> list[float]:
    """P(k) for k = 0..kmax of a Poisson law of mean *lam*."""
    probabilities, p = [], math.exp(-lam)
    for k in range(kmax + 1):
        probabilities.append(p)
        p *= lam / (k + 1)
    return probabilities


def convolve(a: Sequence[float], b: Sequence[float]) -> list[float]:
    out = [0.0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def compound(mean_orders: float, lines: Sequence[int], kmax: int) -> list[float]:
    """P(k lines) when a Poisson number of orders each brings one of *lines* (equally likely)."""
    per_order = [0.0] * (max(lines) + 1)
    for n in lines:
        per_order[n] += 1 / len(lines)
    total, power = [0.0] * (kmax + 1), [1.0]
    for orders, p in enumerate(poisson(mean_orders, kmax)):
        for k, q in enumerate(power[: kmax + 1]):
            total[k] += p * q
        if orders < kmax:
            power = convolve(power, per_order)[: kmax + 1]
    return total


def expect(pmf: Sequence[float], f: Callable[[int], float]) -> float:
    return sum(p * f(k) for k, p in enumerate(pmf))


def not_visible(t_s: float, amazon: Amazon) -> float:
    """P(an accepted change is not visible *t_s* after acceptance): log-normal delay."""
    if t_s >= amazon.visibility_max_s:
        return 0.0
    z = math.log(t_s / amazon.visibility_median_s) / amazon.visibility_sigma
    return 0.5 * math.erfc(z / math.sqrt(2))


def polls_until(done_s: float, product: Cadences) -> int:
    """getFeed/getReport calls until one sees a document Amazon finishes at *done_s*."""
    at, polls = product.poll_first_s, 1
    while at < done_s:
        at += poll_interval(polls, product.poll_first_s, product.poll_max_s)
        polls += 1
    return polls


def kinds(workload: Workload, product: Cadences, amazon: Amazon) -> dict[str, Kind]:
    """Every kind of work of one seller, per hour (see docs/capacity.md, "The model")."""
    orders_h = workload.orders_per_day / 24
    sync, verify = _listings(workload, product, amazon, orders_h)
    reconcile_h = HOUR / product.orders_reconcile_every_s if product.orders_reconcile_every_s else 0
    return {
        "sync": sync,
        "verify": verify,
        "import": _import(product, amazon, orders_h),
        "reconcile": Kind(
            reconcile_h,
            2.0,
            calls_per_job={
                OP.SEARCH_ORDERS: math.ceil(
                    max(1.0, product.orders_reconcile_days * workload.orders_per_day)
                    / product.page_size
                )
            },
        ),
        "report": Kind(
            HOUR / product.inventory_report_every_s if product.inventory_report_every_s else 0,
            2.0 + polls_until(amazon.report_s, product),
            calls_per_job={
                OP.CREATE_REPORT: 1,
                OP.GET_REPORT: polls_until(amazon.report_s, product),
                OP.GET_REPORT_DOCUMENT: 1,
            },
        ),
        "fulfil": _fulfil(product, amazon, orders_h),
    }


def _listings(
    workload: Workload, product: Cadences, amazon: Amazon, orders_h: float
) -> tuple[Kind, Kind]:
    """Automatic sync and its verification.

    Each tick makes one job of the SKUs changed since the last (none: no job). Pushed
    changes arrive at random; orders change their SKUs' quantity to send (units held
    back) once imported, so those lines come at the tick after each import. A change
    Amazon must show waits for its visibility delay; an order's line shows at once
    (Amazon lowered the quantity when the order was placed)."""
    ticks_h = HOUR / product.scheduler_interval_s
    imports_h = min(ticks_h, HOUR / product.orders_import_every_s)
    random_h = workload.stock_changes_per_h + workload.price_changes_per_h
    lines = amazon.lines_per_order
    lines_per_order = sum(lines) / len(lines) * (1 + amazon.order_cancel_rate / 2)
    kmax = 60
    quiet = poisson(random_h / ticks_h, kmax)
    orders_per_import = orders_h / imports_h
    busy = convolve(quiet, compound(orders_per_import, lines, kmax))[: kmax + 1]
    to_show = random_h / (random_h + orders_h * lines_per_order)
    share = (ticks_h - imports_h) / ticks_h
    patch, get = product.limits[OP.PATCH_LISTINGS_ITEM], product.limits[OP.GET_LISTINGS_ITEM]

    def mixed(f: Callable[[int], float]) -> float:
        return share * expect(quiet, f) + (1 - share) * expect(busy, f)

    jobs_h = ticks_h * mixed(lambda k: 1.0 if k else 0.0)
    items_h = ticks_h * mixed(float)
    looks = [product.verify_after_s * f for f in CHECK_FRACTIONS]
    late = [not_visible(t, amazon) for t in looks[:-1]]
    fails = amazon.downstream_failure_rate
    # one pass per look while an item is still not shown: a pass is two steps (looks, end)
    passes = mixed(lambda k: _passes(k, to_show, late, fails)) * ticks_h / max(jobs_h, 1e-12)
    per_item_looks = 1 + to_show * ((1 - fails) * sum(late) + fails * len(late))
    resends_h = items_h * to_show * fails
    sync = Kind(
        jobs_h + resends_h,
        (
            ticks_h * mixed(lambda k: SYNC_STEPS + max(0, k - patch.burst) if k else 0.0)
            + SYNC_STEPS * resends_h
        )
        / (jobs_h + resends_h),
        (items_h + resends_h) / (jobs_h + resends_h),
        {OP.PATCH_LISTINGS_ITEM: (items_h + resends_h) / (jobs_h + resends_h)},
    )
    verify_steps = 2 * passes + ticks_h * mixed(lambda k: max(0, k - get.burst)) / jobs_h
    verify = Kind(
        jobs_h + resends_h,
        verify_steps,
        sync.items_per_job,
        {OP.GET_LISTINGS_ITEM: sync.items_per_job * per_item_looks},
    )
    return sync, verify


def _passes(k: int, to_show: float, late: Sequence[float], fails: float) -> float:
    """Expected verification passes of a job of *k* items (0 items: no job)."""
    if k == 0:
        return 0.0
    total = 1.0
    for p in late:  # the next pass happens if any item is still not shown
        still = to_show * ((1 - fails) * p + fails)
        total += 1 - (1 - still) ** k
    return total


def _import(product: Cadences, amazon: Amazon, orders_h: float) -> Kind:
    """Regular imports: each lists (and keeps as its items) the orders whose last update
    falls in its window, the interval plus the overlap: placed (and again once paid,
    when that falls in the next window), shipped, canceled, changed without a status
    change. A page holds ``page_size`` orders."""
    every_s = product.orders_import_every_s
    if not every_s:
        return Kind(0.0, 0.0)
    window_h = (every_s + OVERLAP.total_seconds()) / HOUR
    paid_later = min(1.0, amazon.order_pending_s / every_s)
    per_order = 1 + paid_later + 1 + amazon.order_update_rate  # cancel or ship: one of them
    listed = orders_h * window_h * per_order
    pages = max(1, math.ceil(listed / product.page_size))
    return Kind(HOUR / every_s, 2.0, listed, {OP.SEARCH_ORDERS: pages})


def _fulfil(product: Cadences, amazon: Amazon, orders_h: float) -> Kind:
    """A job at each tick after which one or more packages were shipped."""
    ticks_h = HOUR / product.scheduler_interval_s
    per_tick = orders_h * (1 - amazon.order_cancel_rate) / ticks_h
    jobs_h = ticks_h * (1 - math.exp(-per_tick))
    packages = per_tick / (1 - math.exp(-per_tick)) if per_tick else 0.0
    burst = product.limits[OP.CONFIRM_SHIPMENT].burst
    return Kind(
        jobs_h,
        2.0 + max(0.0, packages - burst),
        packages,
        {OP.CONFIRM_SHIPMENT: packages},
    )


def as_feeds(sync: Kind, product: Cadences) -> Kind:
    """The same sync jobs sent as JSON listings feeds (channel ``feed``): reserved ->
    created, then createFeedDocument, upload and createFeed in one step, then one step
    per getFeed until Amazon is done after ``feed_turnaround_s`` (the last one downloads
    the report and applies it). Not measured by the run, which lets auto choose."""
    polls = polls_until(product.feed_turnaround_s, product)
    calls: dict[str, float] = {OP.CREATE_FEED_DOCUMENT: 1.0, OP.CREATE_FEED: 1.0,
             OP.JSON_LISTINGS_FEED: 1.0, OP.GET_FEED: float(polls),
             OP.GET_FEED_DOCUMENT: 1.0}  # fmt: skip
    return Kind(sync.jobs_per_h, 2.0 + polls, sync.items_per_job, calls)


def shop_writes_per_h(workload: Workload, amazon: Amazon) -> float:
    """Write transactions of the shop's pushes: one per change, three per order taken in
    (stock, acknowledgement, its activity record), two per shipment (and its record)."""
    orders_h = workload.orders_per_day / 24
    shipped_h = orders_h * (1 - amazon.order_cancel_rate)
    return (
        workload.stock_changes_per_h + workload.price_changes_per_h + 3 * orders_h + 2 * shipped_h
    )


def growth_rows_per_day(workload: Workload, amazon: Amazon) -> dict[str, float]:
    """Rows of the tables that are not jobs, per seller and day."""
    lines = sum(amazon.lines_per_order) / len(amazon.lines_per_order)
    orders = workload.orders_per_day
    return {
        "orders": orders,
        "order_items": orders * lines,
        "shipments": orders * (1 - amazon.order_cancel_rate),
        "actions": orders * (2 - amazon.order_cancel_rate),
    }


# -- measured costs (the model's inputs from the run) --------------------------------


@dataclass
class Costs:
    """What the run measured per unit of work; the model multiplies it by its counts."""

    cpu_ms_per_step: dict[str, float]
    writes_per_step: dict[str, float]
    log_lines_per_job: dict[str, float]
    scheduler_cpu_ms: float
    scheduler_wall_ms: float
    scheduler_writes: float
    bytes_per_row: dict[str, float]
    write_txn_ms: float
    #: PostgreSQL's own CPU seconds per second of worker CPU (0 on SQLite, in-process).
    db_server_cpu_ratio: float
    db: str
    machine: str
    at: str
    #: A SQLite run's mean write transaction, when the costs are PostgreSQL's (NaN: none).
    sqlite_write_txn_ms: float = math.nan


@dataclass
class Totals:
    """The model's numbers for N sellers, per hour (rows per day)."""

    n: int
    jobs: dict[str, float]
    steps: dict[str, float]
    calls: dict[str, float]
    #: Worker CPU of the steps (claims included).
    cpu_s: float
    writes: float
    items: float
    log_lines: float
    #: The scheduler's CPU and wall time (one process at a time holds its lease).
    scheduler_cpu_s: float
    scheduler_s: float
    #: PostgreSQL's CPU (from the measured ratio to the worker's; 0 on SQLite).
    db_server_s: float = 0.0


def hourly(n: int, rates: Mapping[str, Kind], costs: Costs, workload: Workload,
           amazon: Amazon, product: Cadences) -> Totals:  # fmt: skip
    """Everything N sellers cost per hour, with the measured per-unit costs."""
    jobs = {name: n * kind.jobs_per_h for name, kind in rates.items()}
    steps = {name: jobs[name] * kind.steps_per_job for name, kind in rates.items()}
    calls: dict[str, float] = {}
    for name, kind in rates.items():
        for op, per_job in kind.calls_per_job.items():
            calls[op] = calls.get(op, 0.0) + jobs[name] * per_job
    calls["LWA token"] = n * HOUR / 3600.0  # one access token an hour per account
    ticks = n * HOUR / product.scheduler_interval_s
    cpu = sum(steps[k] * costs.cpu_ms_per_step.get(k, 0.0) for k in steps) / 1000
    scheduler_cpu = ticks * costs.scheduler_cpu_ms / 1000
    writes = sum(steps[k] * costs.writes_per_step.get(k, 0.0) for k in steps)
    writes += ticks * costs.scheduler_writes + n * shop_writes_per_h(workload, amazon)
    items = sum(jobs[k] * rates[k].items_per_job for k in rates if k != "verify")
    lines = sum(jobs[k] * costs.log_lines_per_job.get(k, 0.0) for k in jobs if k != "verify")
    return Totals(n, jobs, steps, calls, cpu, writes, items, lines, scheduler_cpu,
                  ticks * costs.scheduler_wall_ms / 1000,
                  (cpu + scheduler_cpu) * costs.db_server_cpu_ratio)  # fmt: skip


def rows_per_day(totals: Totals, workload: Workload, amazon: Amazon) -> dict[str, float]:
    job_count = sum(v for k, v in totals.jobs.items() if k != "verify")
    rows = {
        "jobs": 24 * job_count,
        "job_items": 24 * totals.items,
        "job_log": 24 * totals.log_lines,
    }
    for table, per_seller in growth_rows_per_day(workload, amazon).items():
        rows[table] = totals.n * per_seller
    return rows


def stored_gb(rows_day: Mapping[str, float], costs: Costs, product: Cadences,
              workload: Workload, n: int) -> tuple[float, float]:  # fmt: skip
    """(GB written per day, GB held in steady state): jobs, items and log lines for
    ``retention_days``, orders for a year (nothing prunes them), the catalog and the
    inventory report rows as they are."""
    per_row = costs.bytes_per_row
    day = sum(rows * per_row.get(table, 0.0) for table, rows in rows_day.items()) / 1e9
    kept = sum(
        rows
        * per_row.get(table, 0.0)
        * (product.retention_days if table.startswith("job") else 365)
        for table, rows in rows_day.items()
    )
    standing = (
        n
        * workload.skus
        * sum(per_row.get(t, 0.0) for t in ("products", "listings", "amazon_inventory"))
    )
    return day, (kept + standing) / 1e9


# -- bottlenecks -------------------------------------------------------------------


@dataclass
class Use:
    """One limited resource at N sellers: what is needed, what there is, and the advice."""

    resource: str
    need: str
    capacity: str
    use: float
    advice: str


def per_second(limit: Limit) -> float:
    rate = limit.rate
    if limit.window_s and limit.window_max:
        rate = min(rate, limit.window_max / limit.window_s)
    return rate


def operation(name: str) -> Operation | None:
    """The throttled operation called *name* (None: not one, e.g. the LWA token)."""
    try:
        return Operation(name)
    except ValueError:
        return None


def quota_uses(totals: Totals, product: Cadences) -> list[tuple[str, float, float, float, float]]:
    """Per operation: calls/h per seller, per-seller limit/h, its use, and the use of the
    per-application limit by all N sellers (NaN: the operation has none)."""
    rows = []
    for name, calls in sorted(totals.calls.items()):
        op = operation(name)
        if op is None:
            continue
        per_seller = calls / totals.n
        seller_limit = per_second(product.limits[op]) * HOUR
        app = product.app_limits.get(op)
        app_limit = per_second(app) * HOUR if app else math.nan
        rows.append((name, per_seller, seller_limit, per_seller / seller_limit,
                     calls / app_limit if app else math.nan))  # fmt: skip
    return rows


def bottlenecks(totals: Totals, costs: Costs, product: Cadences) -> list[Use]:
    """Every resource's use at N sellers, highest first."""
    n, uses = totals.n, []
    app = [(name, calls, product.app_limits[op]) for name, calls in totals.calls.items()
           if (op := operation(name)) is not None and op in product.app_limits]  # fmt: skip
    if app:
        name, calls, limit = max(app, key=lambda a: a[1] / (per_second(a[2]) * HOUR))
        cap = per_second(limit) * HOUR
        uses.append(Use(f"per-application quota ({name})", f"{calls / HOUR:,.1f}/s",
                        f"{per_second(limit):,.0f}/s per LWA application", calls / cap,
                        f"{math.ceil(calls / cap / 0.8)} application(s) at 80 %: split the "
                        "sellers over several LWA applications"))  # fmt: skip
    interval = product.scheduler_interval_s
    tick_s = n * costs.scheduler_wall_ms / 1000
    uses.append(Use("scheduler (one process holds the lease)", f"{tick_s:,.1f} s a tick",
                    f"{interval:,.0f} s between ticks", tick_s / interval,
                    "the tick is one pass over every account: make it cheaper, shard it, or "
                    "raise scheduler_interval_s"))  # fmt: skip
    cores = totals.cpu_s / HOUR / CPU_TARGET
    machine_cores = os.cpu_count() or 1
    uses.append(Use("worker CPU", f"{cores:,.2f} cores at {CPU_TARGET:.0%}",
                    f"{machine_cores} cores (this machine)", cores / machine_cores,
                    f"{math.ceil(cores):,} core(s) of workers: more worker processes and "
                    "machines on one PostgreSQL"))  # fmt: skip
    writes_s = totals.writes / HOUR
    sqlite_ms = costs.write_txn_ms if costs.db == "sqlite" else costs.sqlite_write_txn_ms
    if not math.isnan(sqlite_ms):
        sqlite_max = 1000 / sqlite_ms
        what = "database writes" + (" on SQLite" if costs.db != "sqlite" else "")
        uses.append(Use(f"{what} (one writer at a time)", f"{writes_s:,.1f} txn/s",
                        f"{sqlite_max:,.0f} txn/s measured", writes_s / sqlite_max,
                        "PostgreSQL above it (many writers)"))  # fmt: skip
    if costs.db != "sqlite":
        server = totals.db_server_s / HOUR / CPU_TARGET
        uses.append(Use("PostgreSQL server CPU", f"{server:,.2f} cores at {CPU_TARGET:.0%} "
                        f"({writes_s:,.0f} txn/s)", f"{machine_cores} cores (this machine)",
                        server / machine_cores,
                        f"a {max(2, math.ceil(server))}-core PostgreSQL; size its disk by the "
                        "rows above"))  # fmt: skip
    return sorted(uses, key=lambda u: -u.use)


# -- the run: meter, worker, shop -------------------------------------------------------

#: Tables whose inserts are counted, and whose bytes per row are measured.
COUNTED: dict[str, type[Base]] = {
    "jobs": Job,
    "job_items": JobItem,
    "job_log": JobLog,
    "orders": Order,
    "order_items": OrderItem,
    "shipments": Shipment,
    "actions": Action,
    "amazon_inventory": InventoryRow,
}
SIZED = (*COUNTED, "products", "listings")
#: How the run's PostgreSQL connections are named (to find their server processes).
APPLICATION_NAME = "aj_capacity_bench"


@dataclass
class Tally:
    """What one kind of work cost: steps (or account ticks), CPU and wall time of this
    thread, write transactions and Amazon calls."""

    steps: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    writes: int = 0
    calls: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Tally) -> None:
        self.steps += other.steps
        self.cpu_s += other.cpu_s
        self.wall_s += other.wall_s
        self.writes += other.writes
        self.calls.update(other.calls)


class Meter:
    """Counts, around a piece of work, this thread's CPU and wall time, the write
    transactions (``Database.on_write``) and how long each held the database, and the
    simulator's requests."""

    def __init__(self, rt: Runtime, sim: Simulator) -> None:
        self.rt, self.sim = rt, sim
        self.tallies: dict[str, Tally] = {}
        #: The same, by job and kind.
        self.per_job: dict[tuple[int, str], Tally] = {}
        self.writes = 0
        self.txn_s, self.txns = 0.0, 0
        self._began: float | None = None
        rt.db.on_write.append(self._on_write)
        event.listen(rt.db.engine, "commit", self._on_commit)

    def _on_write(self, _session: object) -> None:
        self.writes += 1
        self._began = time.perf_counter()

    def _on_commit(self, _connection: object) -> None:
        if self._began is not None:
            self.txn_s += time.perf_counter() - self._began
            self.txns += 1
            self._began = None

    def calls(self) -> Counter[str]:
        with self.sim.lock:
            made = Counter(self.sim.counters.requests)
            made["LWA token"] = self.sim.counters.tokens_issued
        return made

    def last_ids(self) -> dict[str, int]:
        """The highest id of each counted table (rows above it are new)."""
        with self.rt.db.read() as session:
            return {
                name: int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0)  # type: ignore[attr-defined]
                for name, model in COUNTED.items()
            }

    def run(self, work: Callable[[], T]) -> tuple[T, Tally]:
        """Do *work*; its result and what it cost (steps left at 0)."""
        writes, calls = self.writes, self.calls()
        cpu, wall = time.thread_time(), time.perf_counter()
        out = work()
        cost = Tally(0, time.thread_time() - cpu, time.perf_counter() - wall)
        cost.writes = self.writes - writes
        cost.calls = self.calls() - calls
        return out, cost

    def add(self, label: str, cost: Tally, steps: int, job_id: int | None = None) -> None:
        cost.steps = steps
        self.tallies.setdefault(label, Tally()).merge(cost)
        if job_id is not None:
            self.per_job.setdefault((job_id, label), Tally()).merge(cost)


class MeteredWorker(Worker):
    """The real worker; each step notes what kind of work it was."""

    kind: str | None = None
    job_id: int | None = None

    def _step(self, job_id: int, claim: Claimed, *args: Any, **kwargs: Any) -> None:
        if claim.snapshot is not None:  # the job as the claim read it
            status, data = claim.snapshot[0].status, claim.snapshot[0].data
        else:
            with self.rt.db.read() as session:
                status, data = session.execute(
                    select(Job.status, Job.data).where(Job.id == job_id)
                ).one()
        self.kind, self.job_id = kind_of(claim.job_type, status, data), job_id
        super()._step(job_id, claim, *args, **kwargs)


def kind_of(job_type: str, status: str, data: Mapping[str, Any] | None) -> str:
    """The model's kind of a job's step (its type, its status, its mode)."""
    if job_type == JobType.ORDERS_IMPORT:
        return "reconcile" if (data or {}).get("mode") == "reconcile" else "import"
    if job_type == JobType.UPDATE_QTY_PRICE:
        return "verify" if status == JobStatus.DONE else "sync"
    return {
        JobType.INVENTORY_REPORT: "report",
        JobType.ORDERS_FULFILLMENT: "fulfil",
    }.get(JobType(job_type), job_type)


class Shop:
    """The sellers' shops on the push path, drawn from one seeded generator."""

    def __init__(self, rt: Runtime, workload: Workload, accounts: Sequence[int], seed: int) -> None:
        self.rt, self.workload, self.accounts = rt, workload, accounts
        self.rng = random.Random(seed)
        #: Orders placed before this are in the shop's stock already (and in Amazon's).
        self.stock_since = rt.clock.now()

    def act(self) -> None:
        """One scheduler interval of the shops: pushed changes, orders taken in, shipments."""
        now = self.rt.clock.now()
        interval = self.rt.settings.scheduler_interval_s
        for n in range(len(self.accounts)):
            for change in self._changes(n, interval):
                with self.rt.db.transaction() as session:
                    apply_changes(session, [change], now)
        self.take_orders_in(now)
        self._ship(now)

    def _changes(self, n: int, interval: float) -> list[ProductChange]:
        rng, workload = self.rng, self.workload
        changes = []
        for _ in range(draw(rng, workload.stock_changes_per_h * interval / HOUR)):
            changes.append(ProductChange(0, sku_of(n, rng.randrange(workload.skus)),
                                         rng.randint(0, 40), None))  # fmt: skip
        for _ in range(draw(rng, workload.price_changes_per_h * interval / HOUR)):
            price = Decimal(rng.randint(500, 9000)) / 100
            changes.append(ProductChange(0, sku_of(n, rng.randrange(workload.skus)), None, price))
        return changes

    def take_orders_in(self, now: datetime) -> None:
        """Paid orders not in the shop yet: their units leave the shop's stock (but for
        orders placed before the run, in the seeded stock already) and the shop
        acknowledges them (so they are no longer held back from Amazon)."""
        with self.rt.db.read() as session:
            new = session.execute(
                select(Order.id, Order.account_id, Order.amazon_order_id, Order.purchased_at)
                .where(Order.status == "UNSHIPPED", Order.in_shop_at.is_(None))
            ).all()  # fmt: skip
        for order_id, account_id, amazon_id, purchased in new:
            stock = as_utc(purchased) >= self.stock_since
            with self.rt.db.transaction() as session:
                lines = session.execute(
                    select(OrderItem.product_id, OrderItem.quantity_ordered).where(
                        OrderItem.order_id == order_id
                    )
                ).all()
                for product_id, units in lines if stock else ():
                    product = session.get(Product, product_id) if product_id else None
                    if product is not None:
                        product.quantity = max(0, product.quantity - units)
                        product.updated_at = now
            service.acknowledge_order(self.rt, amazon_id, account_id, actor="bench")

    def _ship(self, now: datetime) -> None:
        shipped = select(Shipment.id).where(Shipment.order_id == Order.id).exists()
        with self.rt.db.read() as session:
            due = session.execute(
                select(Order.account_id, Order.amazon_order_id, Order.purchased_at).where(
                    Order.status == "UNSHIPPED", Order.in_shop_at.is_not(None), ~shipped
                )
            ).all()
        for account_id, amazon_id, purchased in due:
            if ship_at(amazon_id, purchased, self.workload.ship_within_h) <= now:
                spec = ShipmentSpec("UPS", f"1Z{random.Random(amazon_id).randrange(10**12):012d}",
                                    now)  # fmt: skip
                service.ship_order(self.rt, account_id, amazon_id, spec, actor="bench")


def ship_at(amazon_order_id: str, purchased_at: datetime, within_h: float) -> datetime:
    """When the shop ships an order: once paid (5 minutes), then within *within_h* hours
    (the same draw for the same order, wherever it is asked)."""
    delay = 300 + random.Random(amazon_order_id).uniform(0, within_h * HOUR)
    return as_utc(purchased_at) + timedelta(seconds=delay)


def draw(rng: random.Random, mean: float) -> int:
    """A Poisson draw."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        p *= rng.random()
        k += 1
    return k


def seller_of(n: int) -> str:
    return f"A{n:04d}CAPACITY"


def sku_of(seller: int, k: int) -> str:
    return f"S{seller:04d}-{k:05d}"


def as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- the run ---------------------------------------------------------------------


@dataclass
class Run:
    """The run's settings."""

    sellers: int = 200
    warmup_min: float = 5.0
    minutes: float = 10.0
    db: str = "sqlite"
    app_limits_for: int | None = None
    seed: int = 1
    #: Longest time, after the window, to follow its jobs to their end.
    drain_max_min: float = 45.0


@dataclass
class Cohort:
    """The jobs created in the window, followed to their end (verification included),
    per kind: how many, what their steps cost, their items and log lines."""

    jobs: dict[str, int]
    tallies: dict[str, Tally]
    items: dict[str, int]
    log_lines: dict[str, int]
    #: Jobs of the cohort not finished when the drain stopped.
    unfinished: int


@dataclass
class Measured:
    """What the run measured: the window's totals (by kind, the scheduler and the shop)
    and its cohort's per-job numbers."""

    run: Run
    window: dict[str, Tally]
    cohort: Cohort
    throttled: dict[str, int]
    quota_waits: dict[str, int]
    bytes_per_row: dict[str, float]
    write_txn_ms: float
    #: CPU seconds PostgreSQL's backends spent in the window (0 on SQLite).
    db_server_cpu_s: float
    real_s: float
    window_real_s: float
    #: The machine's 1-minute load average at the window's end (other work slows it).
    load: float = 0.0


class ServerCpu:
    """CPU seconds PostgreSQL's backends spent for the run's connections (from /proc;
    the shared WAL writer and checkpointer are left out). Zero on SQLite, which runs in
    the worker's own thread and is counted there."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.ticks = os.sysconf("SC_CLK_TCK")

    def sample(self) -> dict[int, float]:
        if self.rt.db.dialect != "postgresql":
            return {}
        with self.rt.db.read() as session:
            pids = session.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": APPLICATION_NAME},
            ).all()
        return {pid: cpu for pid in pids if (cpu := self._cpu(int(pid))) is not None}

    def _cpu(self, pid: int) -> float | None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        except OSError:
            return None
        after_name = stat.rsplit(")", 1)[1].split()  # utime and stime: fields 14 and 15
        return (int(after_name[11]) + int(after_name[12])) / self.ticks

    @staticmethod
    def spent(before: Mapping[int, float], after: Mapping[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@contextmanager
def database(kind: str, home: str) -> Iterator[str]:
    if kind == "postgres":
        with pg_schema("aj_capacity") as url:
            yield f"{url}&application_name={APPLICATION_NAME}"
    else:
        yield f"sqlite:///{home}/capacity.db"


def app_overrides(run: Run) -> dict[str, dict[str, float]]:
    """Per-application limits scaled to the share of *run.sellers* among
    *run.app_limits_for* sellers (none: Amazon's own)."""
    if not run.app_limits_for:
        return {}
    share = run.sellers / run.app_limits_for
    return {
        op.value: {"burst": max(1, int(limit.burst * share)), "rate": limit.rate * share}
        for op, limit in application_limits_for("sp-api").items()
    }


def simulator_config(workload: Workload, run: Run) -> SimulatorConfig:
    """Amazon as it is (the defaults), streaming each seller's orders, with the orders of
    the last ``ship_within_h`` (and a quarter of an hour) already placed: shipments run
    at their steady rate from the first imports on."""
    return SimulatorConfig(
        orders_per_hour=workload.orders_per_day / 24,
        order_backlog_h=workload.ship_within_h + 0.25,
        application_limit_overrides=app_overrides(run) or None,
    )


def seed(rt: Runtime, sim: Simulator, url: str, workload: Workload, run: Run) -> list[int]:
    """The sellers, their listings on both sides, and a history that spreads each
    account's periodic jobs as a running installation has them: a previous Orders
    Import, reconciliation and Inventory Report at a random time of their interval."""
    rng, accounts = random.Random(run.seed), []
    phases_of = phases(run.sellers, random.Random(run.seed + 2))
    for n in range(run.sellers):
        products = [ProductRow(sku_of(n, k), None, f"Product {k}", rng.randint(2, 40),
                               Decimal(rng.randint(500, 9000)) / 100)
                    for k in range(workload.skus)]  # fmt: skip
        spec = _seller(sim, url, n, products)
        listings = [ListingRow(p.sku, asin_of(n, k), p.quantity, p.price)
                    for k, p in enumerate(products)]  # fmt: skip
        now = rt.clock.now()
        with rt.db.transaction() as session:
            account = add_account(session, spec, rt.cipher, now)
            account.orders_imported_until = now - timedelta(hours=sim.config.order_backlog_h)
            catalog.upsert_products(session, products, now)
            catalog.upsert_listings(session, account.id, listings, now)
            _history(session, rt.settings, account.id, now, phases_of[n])
            accounts.append(account.id)
    _shipped_before(sim, workload, rt.clock.now())
    return accounts


def _seller(sim: Simulator, url: str, n: int, products: Sequence[ProductRow]) -> AccountSpec:
    """Seller *n* on the simulator, with *products* listed, all on the simulator's one
    application; the account that reaches it."""
    seller, token = seller_of(n), f"Atzr|capacity-{n}"
    sim.add_seller(seller, token)
    sim.seed_listings(
        ({"sku": p.sku, "asin": asin_of(n, k), "quantity": p.quantity, "price": str(p.price)}
         for k, p in enumerate(products)),
        seller_id=seller,
    )  # fmt: skip
    config = sim.config
    return account_spec(config, url, f"seller-{n}", seller_id=seller, refresh_token=token)


def phases(count: int, rng: random.Random) -> list[float]:
    """*count* phases in [0, 1), one in each 1/count of it, shuffled: the accounts' jobs
    of one interval spread evenly over it (any window then holds its share of them)."""
    spread = [(k + rng.random()) / count for k in range(count)]
    rng.shuffle(spread)
    return spread


def _history(
    session: Session, settings: Settings, account_id: int, now: datetime, phase: float
) -> None:
    """A finished (canceled) reconciliation and Inventory Report at *phase* of their
    interval (the regular import's history is a real import: :meth:`Bench.history`)."""
    history = (
        (JobType.ORDERS_IMPORT, settings.orders_reconcile_every_s, {"mode": "reconcile"}),
        (JobType.INVENTORY_REPORT, settings.inventory_report_every_s, None),
    )
    for job_type, every_s, data in history:
        at = now - timedelta(seconds=phase * every_s)
        job = create_job(session, account_id, job_type, at, data=data)
        job.status, job.next_run_at, job.finished_at = JobStatus.CANCELED, None, at


def _shipped_before(sim: Simulator, workload: Workload, now: datetime) -> None:
    """The orders placed before the run whose ship time has passed were shipped and
    confirmed then (as the running installation would have done): Amazon shows them
    Shipped since that time."""
    with sim.lock:
        for n in itertools.count():
            seller = seller_of(n)
            if not sim.has_seller(seller):
                return
            for order in sim.orders.orders_of(seller, now):
                at = ship_at(order.order_id, order.purchased_at, workload.ship_within_h)
                if at < now and order.status_at(at) == OrderStatus.UNSHIPPED:
                    units = {item.order_item_id: item.quantity for item in order.items}
                    package = PackageSpec(order.marketplace_id, "1", "UPS", None, None,
                                          f"1Z{n:04d}{len(units)}", at, units)  # fmt: skip
                    confirm(order, package, at)


def asin_of(seller: int, k: int) -> str:
    return f"B{seller:04d}{k:05d}"


@contextmanager
def installation(run: Run) -> Iterator[tuple[Runtime, VirtualClock]]:
    """A fresh database (schema made) and runtime on a virtual clock, seeded one import
    interval before START (:meth:`Bench.history` fills that interval)."""
    with tempfile.TemporaryDirectory() as home, database(run.db, home) as url:
        settings = load_settings(
            environ={},
            home=home,
            database_url=url,
            secret_key=BENCH_KEY,
            allow_custom_endpoints=True,  # the accounts are on the simulator
            clock="virtual",
            application_limits=app_overrides(run),
        )
        clock = VirtualClock(START - timedelta(seconds=settings.orders_import_every_s))
        rt = Runtime.build(settings, clock=clock, rng=random.Random(run.seed))
        try:
            migrate.upgrade(rt.db)
            yield rt, clock
        finally:
            rt.close()


def measure(workload: Workload, run: Run) -> Measured:
    started = time.perf_counter()
    with installation(run) as (rt, clock):
        sim = Simulator(simulator_config(workload, run), clock)
        with serve_in_thread(create_app(sim)) as server:
            accounts = seed(rt, sim, server.url, workload, run)
            print(f"  seeded {run.sellers} sellers in {time.perf_counter() - started:.0f} s",
                  flush=True)  # fmt: skip
            bench = Bench(rt, sim, Shop(rt, workload, accounts, run.seed), run, started)
            return bench.measured()


#: Job types kept as history by the aged probe, by the model's kind.
HISTORY = {
    "sync": JobType.UPDATE_QTY_PRICE,
    "import": JobType.ORDERS_IMPORT,
    "fulfil": JobType.ORDERS_FULFILLMENT,
    "report": JobType.INVENTORY_REPORT,
}


#: How long an installation keeps orders (the model's "a year of orders").
ORDERS_KEPT_DAYS = 365


def keep_orders(rt: Runtime, accounts: Sequence[int], workload: Workload) -> int:
    """A year of shipped orders for each account, at the workload's rate, on its SKUs:
    closed, so no unit of theirs is held back, but there to be read past (what the
    held-back units once read for each listing); how many."""
    count = round(workload.orders_per_day * ORDERS_KEPT_DAYS)
    for n, account_id in enumerate(accounts):
        skus = [sku_of(n, k) for k in range(workload.skus)]
        keep_shipped_orders(rt, account_id, count, skus, str(n), ORDERS_KEPT_DAYS)
    return count * len(accounts)


def age(rt: Runtime, accounts: Sequence[int], rates: Mapping[str, Kind], days: float) -> int:
    """Finished jobs of the last *days* for each account, at the model's rates (what
    retention keeps in a running installation); how many."""
    now, total = rt.clock.now(), 0
    for account_id in accounts:
        rows = []
        for kind, job_type in HISTORY.items():
            count = round(rates[kind].jobs_per_h * 24 * days)
            for i in range(count):
                at = now - timedelta(days=days) * (1 - i / count)
                rows.append({"account_id": account_id, "type": job_type.value,
                             "status": JobStatus.DONE.value, "priority": 0,
                             "created_at": at, "updated_at": at, "finished_at": at,
                             "attempts": 1, "items_total": 1, "items_ok": 1,
                             "data": {}})  # fmt: skip
        with rt.db.transaction() as session:
            session.execute(insert(Job), rows)
        total += len(rows)
    if rt.db.dialect == "postgresql":
        with rt.db.engine.connect() as connection:  # autovacuum would, in a while
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return total


def probe_scheduler(workload: Workload, sizes: Sequence[int], db: str, aged: int = 0) -> Table:
    """The scheduler's tick on installations of several sizes where nothing changes: its
    per-account cost, if constant, makes a tick grow with N; if it grows with N, the tick
    grows with N squared. *aged* accounts: once more, with ``retention_days`` of finished
    jobs and a year of shipped orders kept (what a young installation does not show)."""
    rows: list[list[Any]] = []
    runs = [(n, False) for n in sizes] + ([(aged, True)] if aged else [])
    for n, old in runs:
        run = Run(sellers=n, db=db)
        with installation(run) as (rt, clock):
            sim = Simulator(simulator_config(workload, run), clock)
            accounts = seed(rt, sim, "http://127.0.0.1:9", workload, run)  # no call is made
            kept = "none"
            if old:
                product = Cadences.of(rt.settings)
                orders = keep_orders(rt, accounts, workload)
                count = age(rt, accounts, kinds(workload, product, Amazon.of(sim.config)),
                            product.retention_days)  # fmt: skip
                kept = (f"{count:,} ({product.retention_days:g} days), and {orders:,} "
                        f"shipped orders ({ORDERS_KEPT_DAYS} days)")  # fmt: skip
            scheduler = Scheduler(rt, "capacity-probe")
            scheduler.tick()  # the first tick makes each account's first Orders Import
            walls, cpus = [], []
            for tick in range(4):
                clock.advance(rt.settings.scheduler_interval_s)
                if tick == 0:  # one more warm-up tick: the first ones make the first jobs
                    scheduler.tick()
                    continue
                cpu, wall = time.thread_time(), time.perf_counter()
                scheduler.tick()
                cpus.append(time.thread_time() - cpu)
                walls.append(time.perf_counter() - wall)
        wall_ms, cpu_ms = 1000 * statistics.median(walls) / n, 1000 * statistics.median(cpus) / n
        rows.append([n, n * workload.skus, kept, wall_ms, cpu_ms, wall_ms * n / 1000])
        print(f"  scheduler probe: {n} accounts, {wall_ms:.1f} ms an account", flush=True)
    headers = ["accounts", "listings", "finished jobs kept", "ms per account (wall)", "CPU ms",
               "s per tick"]  # fmt: skip
    title = (f"The scheduler's tick when nothing changed, by installation size ({db}; "
             f"{workload.skus:,} listings an account; "
             f"load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    return (title, headers, rows)


@dataclass
class Marks:
    """Where the window began: the clock, the last ids, the simulator's 429s, real time."""

    at: datetime
    ids: dict[str, int]
    throttled: Counter[str]
    real: float
    server: dict[int, float]


class Bench:
    """Tick, step, jump: the warm-up, the measured window, then its jobs to their end."""

    def __init__(self, rt: Runtime, sim: Simulator, shop: Shop, run: Run, started: float) -> None:
        assert isinstance(rt.clock, VirtualClock)
        self.rt, self.sim, self.shop, self.run, self.started = rt, sim, shop, run, started
        self.clock: VirtualClock = rt.clock
        self.meter, self.worker = Meter(rt, sim), MeteredWorker(rt)
        self.scheduler = Scheduler(rt, "capacity-bench")
        self.interval = timedelta(seconds=rt.settings.scheduler_interval_s)
        self.server = ServerCpu(rt)

    def history(self) -> None:
        """What a running installation has behind it, from the seeding (one import
        interval before START) to START: each account's orders imported once, at a time
        spread over the interval as the accounts' imports are, and taken in by the shop."""
        began = self.clock.now()
        every_s = self.rt.settings.orders_import_every_s
        spread = phases(len(self.shop.accounts), random.Random(self.run.seed + 1))
        at_phase = dict(zip(self.shop.accounts, spread, strict=True))
        for account_id in sorted(at_phase, key=at_phase.__getitem__):
            self.clock.set(began + timedelta(seconds=at_phase[account_id] * every_s))
            service.create_orders_import_job(self.rt, account_id, actor=SCHEDULER)
            while self._step():
                pass
        self.clock.set(START)
        self.shop.take_orders_in(START)

    def measured(self) -> Measured:
        self.history()
        window_at = START + timedelta(minutes=self.run.warmup_min)
        self._live(window_at)
        marks = self._mark()
        print(f"  warm-up done ({time.perf_counter() - self.started:.0f} s)", flush=True)
        self._live(window_at + timedelta(minutes=self.run.minutes))
        window = {k: replace(t, calls=Counter(t.calls)) for k, t in self.meter.tallies.items()}
        txn_ms = 1000 * self.meter.txn_s / self.meter.txns if self.meter.txns else math.nan
        window_real = time.perf_counter() - marks.real
        server_s = ServerCpu.spent(marks.server, self.server.sample())
        with self.sim.lock:
            throttled = Counter(self.sim.counters.throttled) - marks.throttled
        waits = quota_waits(self.rt, marks.ids["job_log"])
        cohort = self._drain(marks.ids["jobs"], self.meter.last_ids()["jobs"])
        return Measured(self.run, window, cohort, dict(throttled), waits,
                        bytes_per_row(self.rt), txn_ms, server_s,
                        time.perf_counter() - self.started, window_real,
                        os.getloadavg()[0])  # fmt: skip

    def _live(self, until: datetime) -> None:
        """The shop and the scheduler every interval, the worker whenever a job is due."""
        next_tick = self.clock.now()
        while self.clock.now() < until:
            if self.clock.now() >= next_tick:
                self.meter.add("shop", self.meter.run(self.shop.act)[1], 0)
                ticked = self.meter.run(self.scheduler.tick)[1]
                self.meter.add("scheduler", ticked, len(self.shop.accounts))
                next_tick += self.interval
            if not self._step():
                self.clock.set(min(next_tick, until, self._next_due() or until))

    def _step(self) -> bool:
        """One step of a due job, metered; False when none is due."""
        due = self._next_due()
        if due is None or due > self.clock.now():
            return False
        worker = self.worker
        worker.kind = worker.job_id = None
        stepped, cost = self.meter.run(worker.run_once)
        if stepped and worker.kind is None:
            raise RuntimeError("MeteredWorker did not see the step: has Worker._step changed?")
        self.meter.add(worker.kind or "idle", cost, stepped, worker.job_id)
        return True

    def _next_due(self) -> datetime | None:
        with self.rt.db.read() as session:
            due = session.scalar(
                select(func.min(Job.next_run_at)).where(Job.next_run_at.is_not(None))
            )
        return as_utc(due) if due is not None else None

    def _mark(self) -> Marks:
        self.meter.tallies.clear()
        self.meter.txn_s, self.meter.txns = 0.0, 0
        with self.sim.lock:
            throttled = Counter(self.sim.counters.throttled)
        return Marks(self.clock.now(), self.meter.last_ids(), throttled, time.perf_counter(),
                     self.server.sample())  # fmt: skip

    def _drain(self, after: int, last: int) -> Cohort:
        """Follow the window's jobs (ids after..last) to their end: no more shop or
        scheduler ticks, only the start of their verification (the scheduler's part)."""
        cohort = (Job.id > after, Job.id <= last)
        until = self.clock.now() + timedelta(minutes=self.run.drain_max_min)
        next_tick = self.clock.now()
        while self.clock.now() < until:
            if self.clock.now() >= next_tick:
                if not self._start_verifications(cohort):
                    break
                next_tick += self.interval
            if not self._step():
                self.clock.set(min(next_tick, until, self._next_due() or until))
        return self._cohort(after, last)

    def _start_verifications(self, cohort: tuple[Any, ...]) -> int:
        """Start the verification of the cohort's Done jobs that wait for it (what the
        scheduler's tick does); the number of cohort jobs not finished yet."""
        with self.rt.db.read() as session:
            waiting = session.scalars(
                select(Job.account_id)
                .where(*cohort, Job.status == JobStatus.DONE, Job.items_to_verify > 0,
                       Job.next_run_at.is_(None))
                .distinct()
            ).all()  # fmt: skip
            running = session.scalar(
                select(func.count()).where(*cohort, Job.next_run_at.is_not(None))
            )
        for account_id in waiting:
            start_verification(self.rt, account_id)
        return len(waiting) + int(running or 0)

    def _cohort(self, after: int, last: int) -> Cohort:
        kind: dict[int, str] = {}
        items: Counter[str] = Counter()
        lines: Counter[str] = Counter()
        with self.rt.db.read() as session:
            rows = session.execute(
                select(Job.id, Job.type, Job.data, Job.next_run_at)
                .where(Job.id > after, Job.id <= last)
            ).all()  # fmt: skip
            kind = {row.id: kind_of(row.type, JobStatus.CREATED, row.data) for row in rows}
            for table, counter in ((JobItem, items), (JobLog, lines)):
                for job_id, count in session.execute(
                    select(table.job_id, func.count())
                    .where(table.job_id > after, table.job_id <= last)
                    .group_by(table.job_id)
                ):
                    counter[kind[job_id]] += count
        tallies: dict[str, Tally] = {}
        for (job_id, label), tally in self.meter.per_job.items():
            if after < job_id <= last:
                tallies.setdefault(label, Tally()).merge(tally)
        unfinished = sum(1 for row in rows if row.next_run_at is not None)
        return Cohort(dict(Counter(kind.values())), tallies, dict(items), dict(lines), unfinished)


def quota_waits(rt: Runtime, after_log_id: int) -> dict[str, int]:
    """Quota waits the jobs logged after *after_log_id*, by operation (a job logs a wait
    once per operation it waits for, until it gets the token)."""
    waits: Counter[str] = Counter()
    with rt.db.read() as session:
        for (message,) in session.execute(
            select(JobLog.message).where(
                JobLog.id > after_log_id, JobLog.message.like("%ait% s for % quota%")
            )
        ):
            waits[message.split(" for ", 1)[1].split(" quota", 1)[0]] += 1
    return dict(waits)


def bytes_per_row(rt: Runtime) -> dict[str, float]:
    """Bytes each row of a table takes, its indexes included (SQLite: dbstat;
    PostgreSQL: pg_total_relation_size), over the rows it holds at the end."""
    sizes: dict[str, float] = {}
    with rt.db.read() as session:
        for table in SIZED:
            rows = session.scalar(text(f"SELECT count(*) FROM {table}")) or 0
            if not rows:
                continue
            if rt.db.dialect == "sqlite":
                total = session.scalar(
                    text(
                        "SELECT sum(pgsize) FROM dbstat WHERE name = :t OR name IN "
                        "(SELECT name FROM sqlite_master WHERE tbl_name = :t AND type = 'index')"
                    ),
                    {"t": table},
                )
            else:
                total = session.scalar(
                    text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": table}
                )
            sizes[table] = float(total or 0) / rows
    return sizes


# -- from the measurement to the model's inputs, and the comparison ---------------------


def costs_of(measured: Measured) -> Costs:
    """The model's measured inputs: per step from the cohort, per tick from the window."""
    cohort, run = measured.cohort, measured.run
    steps = {k: t for k, t in cohort.tallies.items() if k in KINDS and t.steps}
    ticks = measured.window["scheduler"]
    lines = {k: cohort.log_lines.get(k, 0) / n for k, n in cohort.jobs.items() if n}
    worker_s = sum(t.cpu_s for k, t in measured.window.items() if k != "shop")
    return Costs(
        {k: 1000 * t.cpu_s / t.steps for k, t in steps.items()},
        {k: t.writes / t.steps for k, t in steps.items()},
        lines,
        1000 * ticks.cpu_s / ticks.steps,
        1000 * ticks.wall_s / ticks.steps,
        ticks.writes / ticks.steps,
        measured.bytes_per_row,
        measured.write_txn_ms,
        measured.db_server_cpu_s / worker_s if worker_s else 0.0,
        run.db,
        machine(),
        datetime.now(UTC).isoformat(timespec="seconds"),
    )


# -- tables ------------------------------------------------------------------------

Table = tuple[str, list[str], list[list[Any]]]


def workload_table(workload: Workload, product: Cadences, amazon: Amazon) -> Table:
    rows: list[list[Any]] = [
        ["listings per seller", workload.skus, "products in the shop, listed on Amazon"],
        ["orders per day", workload.orders_per_day,
         f"{sum(amazon.lines_per_order) / len(amazon.lines_per_order):.2f} lines each; "
         f"{amazon.order_cancel_rate:.0%} canceled by the buyer"],
        ["stock changes per hour", workload.stock_changes_per_h, "pushed by the shop (PATCH)"],
        ["price changes per hour", workload.price_changes_per_h, "pushed by the shop (PATCH)"],
        ["shipments per day", workload.orders_per_day * (1 - amazon.order_cancel_rate),
         f"each paid order shipped within {workload.ship_within_h:g} h"],
        ["scheduler tick", f"{product.scheduler_interval_s:g} s",
         "changed listings become one Update QTY & Price job per account and tick"],
        ["orders import", f"every {product.orders_import_every_s:g} s",
         f"+ a reconciliation every {product.orders_reconcile_every_s:g} s "
         f"({product.orders_reconcile_days:g} days)"],
        ["inventory report", f"every {product.inventory_report_every_s:g} s",
         f"Amazon takes {amazon.report_s:g} s to make it"],
        ["verification", "looks at " + ", ".join(f"{f * product.verify_after_s:g}"
                                                  for f in CHECK_FRACTIONS) + " s",
         f"Amazon shows a change after a median {amazon.visibility_median_s:g} s "
         f"(log-normal, at most {amazon.visibility_max_s:g} s)"],
        ["retention", f"{product.retention_days:g} days", "finished jobs, items and log"],
    ]  # fmt: skip
    return ("Workload per seller and the product's cadences", ["what", "value", "notes"], rows)


def model_table(rates: Mapping[str, Kind]) -> Table:
    rows = []
    for name, kind in rates.items():
        calls = ", ".join(f"{op} {n:,.2f}" for op, n in kind.calls_per_job.items())
        rows.append([name, KINDS[name], kind.jobs_per_h, kind.steps_per_job, kind.items_per_job,
                     calls])  # fmt: skip
    headers = ["kind", "what", "jobs/h per seller", "steps/job", "items/job", "calls/job"]
    return ("The model per seller: jobs per hour, and per job", headers, rows)


def sizes_table(everything: Sequence[Totals], costs: Costs, product: Cadences,
                workload: Workload, amazon: Amazon) -> Table:  # fmt: skip
    rows: list[list[Any]] = []
    add = rows.append
    add(["jobs/h"] + [sum(v for k, v in t.jobs.items() if k != "verify") for t in everything])
    add(["steps/h"] + [sum(t.steps.values()) for t in everything])
    for name in KINDS:
        add([f"  steps/h {name}"] + [t.steps[name] for t in everything])
    ops = sorted({op for t in everything for op in t.calls}, key=str)
    for op in ops:
        add([f"Amazon calls/h {op}"] + [t.calls.get(op, 0.0) for t in everything])
    add(["write transactions/h"] + [t.writes for t in everything])
    add(["  per second"] + [t.writes / HOUR for t in everything])
    add(["worker CPU s/h (steps)"] + [t.cpu_s for t in everything])
    add([f"worker cores at {CPU_TARGET:.0%}"] + [t.cpu_s / HOUR / CPU_TARGET for t in everything])
    add(["scheduler CPU s/h (one process)"] + [t.scheduler_cpu_s for t in everything])
    if costs.db != "sqlite":
        add(["PostgreSQL server CPU s/h"] + [t.db_server_s for t in everything])
    calls_s = [sum(v for k, v in t.calls.items() if k != "LWA token") / HOUR for t in everything]
    add([f"calls in flight at {product.api_call_s:g} s a call"] + [c * product.api_call_s
                                                                   for c in calls_s])  # fmt: skip
    per_tick = [t.scheduler_s * product.scheduler_interval_s / HOUR for t in everything]
    add(["scheduler s per tick (one process)", *per_tick])
    days = [rows_per_day(t, workload, amazon) for t in everything]
    for table in days[0]:
        add([f"rows/day {table}"] + [d[table] for d in days])
    gb = [
        stored_gb(d, costs, product, workload, t.n) for d, t in zip(days, everything, strict=True)
    ]
    add(["GB written/day"] + [g[0] for g in gb])
    add(
        [f"GB held ({product.retention_days:g} days of jobs, a year of orders)"]
        + [g[1] for g in gb]
    )
    headers = ["per hour"] + [f"N = {t.n:,}" for t in everything]
    title = f"The model at N sellers (CPU, writes, log lines and bytes: measured on {costs.db})"
    return (title, headers, rows)


def quota_table(totals: Totals, product: Cadences) -> Table:
    rows = [[op, per_seller, seller_limit, f"{use:.1%}",
             "-" if math.isnan(app) else f"{app:.1%}"]
            for op, per_seller, seller_limit, use, app in quota_uses(totals, product)]  # fmt: skip
    headers = ["operation", "calls/h per seller", "seller limit/h", "seller use",
               f"app use at N = {totals.n:,}"]  # fmt: skip
    return (f"Amazon's limits at N = {totals.n:,} (sp-api usage plans)", headers, rows)


def channel_table(rates: Mapping[str, Kind], product: Cadences, n: int) -> Table:
    """Automatic sync through the Listings Items API (what auto chose for these small
    jobs) or as feeds: per seller, and the per-application limits at N."""
    rows: list[list[Any]] = []
    for name, kind in (("Listings Items API", rates["sync"]),
                       ("JSON listings feed", as_feeds(rates["sync"], product))):  # fmt: skip
        verify = rates["verify"]
        for op, per_job in [*kind.calls_per_job.items(), *verify.calls_per_job.items()]:
            per_h = kind.jobs_per_h * per_job
            seller = per_h / (per_second(product.limits[Operation(op)]) * HOUR)
            app = product.app_limits.get(Operation(op))
            app_use = n * per_h / (per_second(app) * HOUR) if app else math.nan
            rows.append([name, op, per_h, f"{seller:.1%}",
                         "-" if math.isnan(app_use) else f"{app_use:.1%}"])  # fmt: skip
        rows.append([name, "steps (sync + verification)", kind.jobs_per_h * kind.steps_per_job
                     + verify.jobs_per_h * verify.steps_per_job, "", ""])  # fmt: skip
    headers = ["channel", "per seller and hour", "calls", "seller limit use",
               f"app limit use at N = {n:,}"]  # fmt: skip
    return (f"Channel choice for automatic sync (feed turnaround {product.feed_turnaround_s:g} s; "
            "the feed is modelled, not measured)", headers, rows)  # fmt: skip


def bottleneck_table(everything: Sequence[Totals], costs: Costs, product: Cadences) -> Table:
    rows: list[list[Any]] = []
    for totals in everything:
        for rank, use in enumerate(bottlenecks(totals, costs, product)):
            rows.append([f"{totals.n:,}" if rank == 0 else "", rank + 1, use.resource, use.need,
                         use.capacity, f"{use.use:.1%}", use.advice])  # fmt: skip
    headers = ["N", "#", "resource", "needs", "has", "use", "to scale"]
    return ("What comes first at N sellers (highest use first)", headers, rows)


def validation_table(measured: Measured, totals: Totals, rates: Mapping[str, Kind]) -> Table:
    """Per kind: the model's jobs per hour beside the window's, and per job (the
    window's jobs followed to their end) steps, calls and items beside the model's."""
    cohort, hours = measured.cohort, measured.run.minutes / 60
    rows: list[list[Any]] = []
    for name, kind in rates.items():
        tally = cohort.tallies.get(name, Tally())
        owner = "sync" if name == "verify" else name  # a verification is its sync job's
        jobs = cohort.jobs.get(owner, 0)
        lines = cohort.log_lines.get(name, 0)
        rows.append([name, totals.jobs[name], jobs / hours,
                     kind.steps_per_job, ratio(tally.steps, jobs),
                     sum(kind.calls_per_job.values()), ratio(sum(tally.calls.values()), jobs),
                     kind.items_per_job, ratio(cohort.items.get(owner, 0), jobs),
                     ratio(1000 * tally.cpu_s, tally.steps), ratio(tally.writes, tally.steps),
                     ratio(lines, jobs) if name != "verify" else "-"])  # fmt: skip
    headers = ["kind", "model jobs/h", "measured", "model steps/job", "measured",
               "model calls/job", "measured", "model items/job", "measured",
               "CPU ms/step", "writes/step", "log lines/job"]  # fmt: skip
    title = (f"Model vs measured per kind, {measured.run.sellers} sellers on one application "
             f"({measured.run.minutes:g} min window; per job: its jobs followed to their end; "
             f"{measured.run.db}; load average {measured.load:.1f} "
             f"on {os.cpu_count()} cores)")  # fmt: skip
    return (title, headers, rows)


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def totals_table(measured: Measured, totals: Totals, workload: Workload, amazon: Amazon) -> Table:
    """The model's hour totals for the run's sellers beside the window's, scaled to an hour."""
    per_h = 60 / measured.run.minutes
    window, cohort = measured.window, measured.cohort
    made: Counter[str] = Counter()
    for tally in window.values():
        made.update(tally.calls)
    steps = sum(t.steps for k, t in window.items() if k in KINDS)
    rows: list[list[Any]] = [
        ["jobs", sum(v for k, v in totals.jobs.items() if k != "verify"),
         per_h * sum(cohort.jobs.values())],
        ["steps", sum(totals.steps.values()), per_h * steps],
    ]  # fmt: skip
    for op in sorted(set(totals.calls) | set(made), key=str):
        rows.append([f"calls {op}", totals.calls.get(op, 0.0), per_h * made.get(op, 0)])
    shop = window.get("shop", Tally())
    rows += [
        ["write transactions", totals.writes, per_h * sum(t.writes for t in window.values())],
        ["  of which the shop's pushes", totals.n * shop_writes_per_h(workload, amazon),
         per_h * shop.writes],
        ["worker CPU s (steps + scheduler)", totals.cpu_s + totals.scheduler_cpu_s,
         per_h * sum(t.cpu_s for k, t in window.items() if k != "shop")],
        ["job items", totals.items, per_h * sum(cohort.items.values())],
        ["job log lines", totals.log_lines, per_h * sum(cohort.log_lines.values())],
        ["429s", 0, per_h * sum(measured.throttled.values())],
    ]  # fmt: skip
    for op, count in sorted(measured.quota_waits.items()):
        rows.append([f"quota waits {op}", "-", per_h * count])
    headers = ["per hour", f"model, N = {totals.n:,}", "measured (window scaled to 1 h)"]
    return (f"Hour totals for {totals.n:,} sellers", headers, rows)


def app_table(measured: Measured, rates: Mapping[str, Kind], costs: Costs,
              workload: Workload, amazon: Amazon, product: Cadences) -> Table:  # fmt: skip
    """The run with the per-application limits scaled down: demand, limit, what went."""
    run = measured.run
    assert run.app_limits_for
    share = run.sellers / run.app_limits_for
    totals = hourly(run.sellers, rates, costs, workload, amazon, product)
    per_h = 60 / run.minutes
    made: Counter[str] = Counter()
    for tally in measured.window.values():
        made.update(tally.calls)
    rows: list[list[Any]] = []
    for op, limit in product.app_limits.items():
        demand = totals.calls.get(op, 0.0)
        if not demand:
            continue
        limit_h = per_second(limit) * share * HOUR
        rows.append([op, limit_h, demand, f"{demand / limit_h:.0%}", per_h * made.get(op, 0),
                     per_h * measured.quota_waits.get(op, 0),
                     per_h * measured.throttled.get(op, 0)])  # fmt: skip
    verify = measured.cohort.tallies.get("verify", Tally())
    jobs = measured.cohort.jobs.get("sync", 0)
    rows.append(["verification steps per job", "-", rates["verify"].steps_per_job, "-",
                 ratio(verify.steps, jobs), "-", "-"])  # fmt: skip
    rows.append(["window's jobs unfinished after the drain", "-", 0, "-",
                 measured.cohort.unfinished, "-", "-"])  # fmt: skip
    headers = ["per hour", "app limit (scaled)", "model demand", "use", "measured calls",
               "quota waits", "429s"]  # fmt: skip
    title = (f"{run.sellers} sellers with the per-application limits cut to {run.sellers:,}/"
             f"{run.app_limits_for:,} of Amazon's (their share among {run.app_limits_for:,} "
             f"sellers on one application; {run.minutes:g} min window, {run.db})")  # fmt: skip
    return (title, headers, rows)


# -- results, Markdown, main ---------------------------------------------------------


def markdown(table: Table) -> str:
    title, headers, rows = table
    lines = [f"**{title}**", "", "| " + " | ".join(headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]  # fmt: skip
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if isinstance(value, float) and 0 < abs(value) < 0.01:
        return f"{value:.2g}"
    return fmt(value)


def load_costs() -> tuple[Costs, dict[str, Any]]:
    saved = json.loads((RESULTS / "capacity.json").read_text(encoding="utf-8"))
    names = {f.name for f in fields(Costs)}
    return Costs(**{k: v for k, v in saved["costs"].items() if k in names}), saved


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sellers", type=int, default=Run.sellers)
    parser.add_argument("--warmup-min", type=float, default=Run.warmup_min)
    parser.add_argument("--minutes", type=float, default=Run.minutes, help="Measured window.")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help="both: a SQLite run, then a PostgreSQL one whose costs the model takes (and "
        "the SQLite run's writer ceiling).",
    )
    parser.add_argument(
        "--app-limits-for",
        type=int,
        metavar="N",
        help="Then a second run with the per-application limits scaled to the share the "
        "sellers would have among N on one application.",
    )
    parser.add_argument(
        "--app-limits-only",
        action="store_true",
        help="Only the run with the per-application limits cut (--app-limits-for, 20,000 "
        "if not given): print its table, save nothing.",
    )
    parser.add_argument(
        "--probe-scheduler",
        metavar="N,N,...",
        help="Then time the scheduler's tick on idle installations of these sizes.",
    )
    parser.add_argument(
        "--probe-aged",
        type=int,
        default=50,
        metavar="N",
        help="With --probe-scheduler: also N accounts with retention_days of finished jobs "
        "kept (0: not).",
    )
    parser.add_argument(
        "--model-only",
        action="store_true",
        help="No run: the model on the costs saved in bench/results/capacity.json.",
    )
    parser.add_argument("--markdown", action="store_true", help="Print the tables as Markdown.")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    workload = Workload()
    settings = load_settings(environ={}, secret_key=BENCH_KEY, home=tempfile.gettempdir())
    product = Cadences.of(settings)
    amazon = Amazon.of(SimulatorConfig())
    rates = kinds(workload, product, amazon)
    measured: Measured | None = None
    extra: list[Table] = []
    if args.app_limits_only:
        run = Run(args.sellers, args.warmup_min, args.minutes, "sqlite",
                  app_limits_for=args.app_limits_for or 20_000)  # fmt: skip
        scaled = measure(workload, run)
        table = app_table(scaled, rates, costs_of(scaled), workload, amazon, product)
        if args.markdown:
            print(f"\n{markdown(table)}")
        else:
            print_table(*table)
        return
    if args.model_only:
        costs, saved = load_costs()
        extra = [(str(t[0]), list(t[1]), list(t[2])) for t in saved.get("measured", [])]
    else:
        dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        runs = [Run(args.sellers, args.warmup_min, args.minutes, db) for db in dbs]
        made = [measure(workload, run) for run in runs]
        measured, costs = made[-1], costs_of(made[-1])
        if len(made) > 1:
            costs.sqlite_write_txn_ms = made[0].write_txn_ms
        for each in made:
            at_run = hourly(each.run.sellers, rates, costs_of(each), workload, amazon, product)
            extra += [validation_table(each, at_run, rates),
                      totals_table(each, at_run, workload, amazon)]  # fmt: skip
        if args.app_limits_for:
            scaled = measure(workload, replace(runs[0], app_limits_for=args.app_limits_for))
            extra.append(app_table(scaled, rates, costs_of(scaled), workload, amazon, product))
        if args.probe_scheduler:
            sizes = [int(n) for n in args.probe_scheduler.split(",")]
            extra += [probe_scheduler(workload, sizes, db, args.probe_aged) for db in dbs]
    everything = [hourly(n, rates, costs, workload, amazon, product) for n in SIZES]
    tables = [
        workload_table(workload, product, amazon),
        model_table(rates),
        sizes_table(everything, costs, product, workload, amazon),
        quota_table(everything[-1], product),
        channel_table(rates, product, SIZES[-1]),
        bottleneck_table(everything, costs, product),
        *extra,
    ]
    for table in tables:
        if args.markdown:
            print(f"\n{markdown(table)}")
        else:
            print_table(*table)
    if measured is not None:
        print(f"\n  {measured.real_s:,.0f} s real for the run, its window "
              f"{measured.window_real_s:,.0f} s")  # fmt: skip
        _save(extra, costs, measured, workload)


def _save(measured_tables: Sequence[Table], costs: Costs, measured: Measured,
          workload: Workload) -> None:  # fmt: skip
    title, headers, rows = measured_tables[0]
    save(
        "capacity",
        title,
        headers,
        rows,
        costs=asdict(costs),
        workload=asdict(workload),
        run=asdict(measured.run),
        measured=[list(t) for t in measured_tables],
        window={k: {**asdict(t), "calls": dict(t.calls)} for k, t in measured.window.items()},
        cohort={
            **asdict(measured.cohort),
            "tallies": {
                k: {**asdict(t), "calls": dict(t.calls)} for k, t in measured.cohort.tallies.items()
            },
        },
        throttled=measured.throttled,
        quota_waits=measured.quota_waits,
        db_server_cpu_s=measured.db_server_cpu_s,
        real_s=measured.real_s,
    )


if __name__ == "__main__":
    main()
