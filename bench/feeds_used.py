"""Feeds used by automatic sync: K changed listings, changed over several rounds before sending.

    python -m bench.feeds_used [--sizes 1000,10000,100000] [--rounds 3] [--db sqlite|postgres]

createFeed is Amazon's scarcest quota, so the scheduler's automatic sync
(:mod:`amazon_jobs.scheduler.sync`) should put K changed listings into as few
JSON_LISTINGS_FEED feeds as the feed size allows, and send each SKU once.

For each K a shop with K + 10 % listings on one account starts in sync with
the in-process SP-API simulator (served on 127.0.0.1). Then ``--rounds``
change rounds happen, one scheduler interval apart, *before anything is
sent*: each changes the quantity, the price or both of a random subset of
the K SKUs (every one of the K is changed at least once, about 40 % of them
two or three times), through the shop's product upsert; the scheduler ticks
after each round (:meth:`amazon_jobs.scheduler.Scheduler.tick`, what the
scheduler loop runs every ``scheduler_interval_s``). The jobs a tick creates
are only assembled by the worker's step (``--hold created``, as while
createFeed quota is short) or left alone (``--hold reserved``): none is sent
before the last round. Then the worker runs to the end on a virtual clock,
with the scheduler ticking every ``scheduler_interval_s`` of virtual time
in between, as in production.

Measured per K: feeds Amazon received (the simulator's ``stats()``) against
the minimum ceil(K / feed_max_messages); messages in them against the K
distinct SKUs; the sync jobs each round's tick created, how many of those
ticks deferred sync (an update job was still unsent) and how many jobs the
ticks after the last round created; how many SKUs the round-1 jobs carried
and how many went later; whether Amazon's final quantity and price equal
the shop's latest values for all K SKUs (and the untouched listings stayed
as they were); 429s; virtual time from the last round to the last job done;
and wall time (real seconds, setup included, for information only).
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.runner import run_step
from amazon_jobs.runtime import Runtime
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.scheduler.sync import SYNC_JOB_TYPE
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.jobs import next_due_at
from amazon_jobs.store.models import Job, JobItem, Product
from amazon_jobs.worker import Worker
from bench.common import pg_schema, print_table, save, simulator_account

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SIZES = (1_000, 10_000, 100_000)
CHUNK = 5000
#: Share of the K SKUs changed in 1, 2 and 3 rounds (capped at the number of rounds).
TIMES_CHANGED = ((1, 0.6), (2, 0.3), (3, 0.1))
#: Safety stop of the drive loop (virtual scheduler ticks after the last round).
MAX_TICKS = 10_000


@dataclass
class Outcome:
    """What one run measured."""

    k: int
    listings: int
    changes: int = 0
    changed_twice: int = 0
    feed_max: int = 0
    feeds: int = 0
    messages: int = 0
    feed_sizes: list[int] = field(default_factory=list)
    skus_sent: int = 0
    most_sends: int = 0
    jobs_per_tick: list[int] = field(default_factory=list)
    deferred_ticks: int = 0
    jobs_after_rounds: int = 0
    round1_skus: int = 0
    later_skus: int = 0
    jobs_done: int = 0
    jobs_total: int = 0
    items_failed: int = 0
    mismatched: int = 0
    untouched_moved: int = 0
    throttled: int = 0
    virtual_s: float = 0.0
    wall_s: float = 0.0

    @property
    def minimum(self) -> int:
        return math.ceil(self.k / self.feed_max)

    def row(self) -> list[Any]:
        ticks = "/".join(str(n) for n in self.jobs_per_tick)
        match = (
            f"all {self.k:,} match"
            if self.mismatched == 0 and self.untouched_moved == 0
            else f"{self.mismatched:,} differ, {self.untouched_moved:,} untouched moved"
        )
        return [
            self.k,
            self.changes,
            self.feeds,
            self.minimum,
            self.feeds - self.minimum,
            self.messages,
            self.skus_sent,
            self.messages - self.k,
            f"{ticks} + {self.jobs_after_rounds}",
            self.deferred_ticks,
            f"{self.round1_skus:,} + {self.later_skus:,}",
            match,
            self.throttled,
            self.virtual_s / 60,
            self.wall_s,
        ]


HEADERS = [
    "K",
    "changes",
    "feeds",
    "min feeds",
    "extra feeds",
    "messages",
    "distinct SKUs sent",
    "extra msgs",
    "jobs per round tick + after",
    "ticks deferred",
    "SKUs in round-1 jobs + later",
    "Amazon = shop",
    "429s",
    "virtual min",
    "wall s",
]


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "postgres":
        with pg_schema("aj_feeds") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as home:
            yield f"sqlite:///{home}/bench.db"


def sku(n: int) -> str:
    return f"F-{n:07d}"


def initial(n: int) -> tuple[int, Decimal]:
    return 5 + n % 20, Decimal("9.99") + n % 7


def seed_shop(rt: Runtime, sim: Simulator, url: str, listings: int) -> int:
    """An account whose *listings* products are listed on Amazon exactly as in the shop."""
    spec = simulator_account(sim, url)
    now = rt.clock.now()
    products = [ProductRow(sku(n), None, f"Product {n}", *initial(n)) for n in range(listings)]
    rows = [ListingRow(p.sku, f"B0{n:08d}", p.quantity, p.price) for n, p in enumerate(products)]
    with rt.db.transaction() as session:
        account_id = add_account(session, spec, rt.cipher, now).id
    for start in range(0, listings, CHUNK):
        with rt.db.transaction() as session:
            catalog.upsert_products(session, products[start : start + CHUNK], now)
            catalog.upsert_listings(session, account_id, rows[start : start + CHUNK], now)
    sim.seed_listings(
        {"sku": r.sku, "asin": r.asin, "quantity": r.quantity, "price": str(r.price)} for r in rows
    )
    return account_id


def plan_rounds(k: int, listings: int, rounds: int, rng: random.Random) -> list[list[int]]:
    """Product numbers changed in each round: K distinct ones in all, some in several rounds."""
    chosen = rng.sample(range(listings), k)
    per_round: list[list[int]] = [[] for _ in range(rounds)]
    weights = [share for _, share in TIMES_CHANGED]
    counts = [min(times, rounds) for times, _ in TIMES_CHANGED]
    for n in chosen:
        times = rng.choices(counts, weights)[0]
        for r in rng.sample(range(rounds), times):
            per_round[r].append(n)
    return [sorted(numbers) for numbers in per_round]


def change(
    rt: Runtime, numbers: list[int], values: dict[int, tuple[int, Decimal]], rng: random.Random
) -> None:
    """One round: the shop raises the quantity, the price or both of each product."""
    rows = []
    for n in numbers:
        quantity, price = values[n]
        what = rng.choice(("quantity", "price", "both"))
        if what != "price":
            quantity += rng.randint(1, 9)
        if what != "quantity":
            price += Decimal(rng.randint(1, 99)) / 100
        values[n] = quantity, price
        rows.append(ProductRow(sku(n), None, f"Product {n}", quantity, price))
    now = rt.clock.now()
    for start in range(0, len(rows), CHUNK):
        with rt.db.transaction() as session:
            catalog.upsert_products(session, rows[start : start + CHUNK], now)


def hold(rt: Runtime, job_ids: list[int], status: str) -> None:
    """Let the worker assemble the new jobs (reserved -> created), but send nothing."""
    if status == JobStatus.CREATED.value:
        for job_id in job_ids:
            run_step(rt, job_id, "bench-assembler", SYNC_JOB_TYPE.value)
    with rt.db.read() as session:
        statuses = set(session.scalars(select(Job.status).where(Job.id.in_(job_ids))))
    assert statuses <= {status}, f"jobs moved past {status}: {statuses}"


def drive(rt: Runtime, clock: VirtualClock, scheduler: Scheduler, interval: float) -> int:
    """Worker and scheduler together on the virtual clock until nothing is left to do.

    The worker steps every due job; virtual time then jumps to the next due job
    or the next scheduler tick, whichever comes first. Returns the jobs the
    ticks created.
    """
    worker = Worker(rt, worker_id="bench-worker")
    next_tick = clock.now() + timedelta(seconds=interval)
    created = 0
    for _ in range(MAX_TICKS):
        while worker.run_once():
            pass
        with rt.db.read() as session:
            wake = next_due_at(session)
        if wake is not None and wake < next_tick:
            clock.set(wake)
            continue
        clock.set(next_tick)
        next_tick += timedelta(seconds=interval)
        jobs = scheduler.tick().jobs(SYNC_JOB_TYPE)
        created += len(jobs)
        if wake is None and not jobs:
            return created
    raise RuntimeError("the jobs did not finish")


def run(k: int, rounds: int, db: str, hold_status: str, feed_max: int, seed: int) -> Outcome:
    started = time.perf_counter()
    listings = k + k // 10
    rng = random.Random(seed + k)
    clock = VirtualClock(START)
    outcome = Outcome(k=k, listings=listings)
    with database(db) as url, tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            environ={},
            home=home,
            database_url=url,
            secret_key="1Y0v0IZTqAuijWOPRZLhVLc_SBPRpIWRZW6WQORPcD4=",
            allow_custom_endpoints=True,  # the account is on the simulator
            clock="virtual",
            orders_import_every_s=0,
            inventory_report_every_s=0,
            feed_max_messages=feed_max,
            channel="feed",  # what is measured: feeds (bench.freshness compares channels)
        )
        outcome.feed_max = settings.feed_max_messages
        interval = settings.scheduler_interval_s
        rt = Runtime.build(settings, clock=clock)
        try:
            migrate.upgrade(rt.db)
            sim = Simulator(SimulatorConfig.focused(), clock)
            with serve_in_thread(create_app(sim)) as server:
                seed_shop(rt, sim, server.url, listings)
                scheduler = Scheduler(rt, "bench-scheduler")
                assert not scheduler.tick().created, "the shop should start in sync"
                values = {n: initial(n) for n in range(listings)}
                plan = plan_rounds(k, listings, rounds, rng)
                times = Counter(n for numbers in plan for n in numbers)
                outcome.changes = sum(times.values())
                outcome.changed_twice = sum(1 for c in times.values() if c > 1)
                for numbers in plan:
                    clock.advance(interval)
                    change(rt, numbers, values, rng)
                    report = scheduler.tick()
                    jobs = report.jobs(SYNC_JOB_TYPE)
                    outcome.jobs_per_tick.append(len(jobs))
                    outcome.deferred_ticks += bool(report.sync_deferred)
                    hold(rt, jobs, hold_status)
                assert sim.stats()["feeds_created"] == 0, "nothing is sent before the last round"
                sent_from = clock.now()
                outcome.jobs_after_rounds = drive(rt, clock, scheduler, interval)
                outcome.virtual_s = (clock.now() - sent_from).total_seconds()
                measure(rt, sim, outcome, set(times), values)
        finally:
            rt.close()
    outcome.wall_s = time.perf_counter() - started
    return outcome


def measure(
    rt: Runtime,
    sim: Simulator,
    outcome: Outcome,
    changed: set[int],
    values: dict[int, tuple[int, Decimal]],
) -> None:
    stats = sim.stats()
    feeds = [f for f in stats["feeds"] if f["feed_type"] == "JSON_LISTINGS_FEED"]
    outcome.feeds = len(feeds)
    outcome.feed_sizes = [f["messages"] for f in feeds]
    outcome.messages = sum(outcome.feed_sizes)
    outcome.throttled = sum(stats["throttled"].values())
    with rt.db.read() as session:
        jobs = session.execute(
            select(Job.id, Job.status, Job.items_total, Job.items_failed)
            .where(Job.type == SYNC_JOB_TYPE.value)
            .order_by(Job.id)
        ).all()
        sends = Counter(
            dict(
                session.execute(
                    select(JobItem.ref, func.count())
                    .where(JobItem.message_id.is_not(None))
                    .group_by(JobItem.ref)
                ).all()
            )
        )
        shop = {
            row.sku: (row.quantity, row.price)
            for row in session.execute(select(Product.sku, Product.quantity, Product.price))
        }
    first_wave = sum(outcome.jobs_per_tick)
    outcome.jobs_total = len(jobs)
    outcome.jobs_done = sum(1 for j in jobs if j.status == JobStatus.DONE.value)
    outcome.items_failed = sum(j.items_failed for j in jobs)
    outcome.round1_skus = sum(j.items_total for j in jobs[:first_wave])
    outcome.later_skus = sum(j.items_total for j in jobs[first_wave:])
    outcome.skus_sent = len(sends)
    outcome.most_sends = max(sends.values(), default=0)
    amazon = sim.listings()
    for n, expected in values.items():
        listing = amazon[sku(n)]
        same = (listing.quantity, listing.price) == expected == shop[sku(n)]
        if not same and n in changed:
            outcome.mismatched += 1
        elif not same:
            outcome.untouched_moved += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="Comma-separated K values (changed listings).",
    )
    parser.add_argument("--rounds", type=int, default=3, help="Change rounds before sending.")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--hold",
        default=JobStatus.CREATED.value,
        choices=[JobStatus.RESERVED.value, JobStatus.CREATED.value],
        help="Status the jobs of a round wait in while the next rounds happen.",
    )
    parser.add_argument("--feed-max", type=int, default=25_000, help="feed_max_messages.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    outcomes = []
    for k in sizes:
        outcome = run(k, args.rounds, args.db, args.hold, args.feed_max, args.seed)
        outcomes.append(outcome)
        print(
            f"  K={k:,}: {outcome.feeds} feed(s) {outcome.feed_sizes}, "
            f"{outcome.jobs_done}/{outcome.jobs_total} jobs done, "
            f"{outcome.items_failed} item(s) failed, {outcome.wall_s:.1f} s",
            flush=True,
        )
    rows = [o.row() for o in outcomes]
    title = (
        f"Feeds used by auto sync: K changed listings over {args.rounds} rounds before sending "
        f"({args.db}, feed_max_messages={args.feed_max:,}, jobs held in {args.hold})"
    )
    print_table(title, HEADERS, rows)
    save(
        "feeds_used",
        title,
        HEADERS,
        rows,
        db=args.db,
        rounds=args.rounds,
        hold=args.hold,
        feed_max_messages=args.feed_max,
        details=[
            {
                "k": o.k,
                "listings": o.listings,
                "skus_changed_in_several_rounds": o.changed_twice,
                "feed_sizes": o.feed_sizes,
                "most_sends_of_one_sku": o.most_sends,
                "jobs_done": o.jobs_done,
                "jobs_total": o.jobs_total,
                "items_failed": o.items_failed,
            }
            for o in outcomes
        ],
    )


if __name__ == "__main__":
    main()
