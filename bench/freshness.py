"""Freshness: how soon K changed SKUs are accepted by Amazon, and visible, per channel.

    python -m bench.freshness [--quick] [--ks 1,10,100] [--modes auto,feed,api]
                              [--feed-queue-s 120] [--feed-processing-s 180]
                              [--api-max-k N] [--warm] [--reuse RESULTS.json ...]

For K = 1, 10, 100, 1,000, 10,000 and 50,000 SKUs whose shop quantity differs
from Amazon's, an Update Products QTY job (two for 50,000: a job holds at most
one feed's 25,000 items) runs to the end under the ``sp-api`` limits, three
times: through the channel *auto* picks, through the feed only and through the
Listings Items API only. Each run has a fresh database and a fresh in-process
simulator over real HTTP, on a virtual clock, so the times are Amazon's
(simulated) seconds from the job's creation:

- **accepted**: until Amazon accepted the last change (a feed's changes when its
  processing ends, a patchListingsItem's when it answers ACCEPTED);
- **visible**: until the last change shows on the listing (the simulator's
  seeded visibility delay after acceptance, median 60 s, at most 30 min).

Beside them, the minimum the buckets allow (the physical limit): for the feed,
the createFeedDocument/createFeed/JSON_LISTINGS_FEED tokens of ceil(K/25,000)
feeds, then Amazon's queue and processing, one feed after another; for the API,
K calls at patchListingsItem's burst 5 and 5 a second, ``max(0, K - 5) / 5`` s.
The visible minimum gives those same acceptance times the simulator's own
seeded delays. The check: *auto* within 1.05x of the better fixed channel at
every K, for both times. ``docs/freshness.md`` explains the setup and the
sources of Amazon's typical feed times.

The API-only run at 50,000 takes most of an hour of real time (one step per
item): ``--api-max-k 10000`` extrapolates it from the pace of the 10,000 run
(marked ``*``), ``--reuse`` takes runs saved by an earlier invocation, and
``--warm`` sends one feed first so that *auto* knows the account's turnaround.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from amazon_jobs.clock import Clock, VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.crypto import generate_key
from amazon_jobs.domain import buckets
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Limit, Operation, application_limits_for, limits_for
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_listings_job
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.catalog.generator import catalog_ean
from amazon_jobs.simulator.listings.issues import Issue
from amazon_jobs.simulator.models import SimListing
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import add_account
from amazon_jobs.store.models import Job
from amazon_jobs.worker import Worker
from bench.common import fmt, print_table, save, simulator_account

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
PROFILE = "sp-api"
KS = (1, 10, 100, 1_000, 10_000, 50_000)
QUICK_KS = (1, 10, 100, 1_000)
#: Amazon's typical time a JSON_LISTINGS_FEED waits IN_QUEUE and then runs IN_PROGRESS,
#: 5 minutes in all (docs/freshness.md: sources, and why this split).
FEED_QUEUE_S = 120.0
FEED_PROCESSING_S = 180.0
#: Most messages in one JSON_LISTINGS_FEED (and so items in one job).
FEED_MAX_MESSAGES = 25_000
#: The quantity Amazon shows before the change, and the shop's new one.
OLD_QUANTITY, NEW_QUANTITY = 5, 7
PRICE = Decimal("9.99")
#: The SKU of the warm-up feed (``--warm``).
WARM_SKU = "W-000000"
#: What each mode forces (None: the account's setting, auto).
MODES: dict[str, Channel | None] = {"auto": None, "feed": Channel.FEED, "api": Channel.API}
TOLERANCE = 1.05


class RecordingSimulator(Simulator):
    """The simulator, noting when it accepts the first change of each SKU and when
    that change is due to become visible (later changes of a SKU are only counted:
    a resend would mean the product sent something twice)."""

    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        super().__init__(config, clock)
        self.accepted_at: dict[str, datetime] = {}
        self.visible_at: dict[str, datetime] = {}
        self.repeats = 0

    def forget(self) -> None:
        """Start recording afresh (after a warm-up job)."""
        with self.lock:
            self.accepted_at.clear()
            self.visible_at.clear()
            self.repeats = 0

    def accept_changes(
        self,
        seller_id: str,
        changes: Mapping[str, SimListing | None],
        accepted_at: datetime,
        *,
        quantity_set: Collection[str] | None = None,
        issues: Mapping[str, Sequence[Issue]] | None = None,
    ) -> None:
        with self.lock:
            super().accept_changes(
                seller_id, changes, accepted_at, quantity_set=quantity_set, issues=issues
            )
            pending = self.seller(seller_id).pending
            for sku in changes:
                if sku in self.accepted_at:
                    self.repeats += 1
                    continue
                waiting = pending.get(sku)
                self.accepted_at[sku] = accepted_at
                # No pending change left: it was made visible as it was accepted.
                self.visible_at[sku] = waiting[-1].visible_at if waiting else accepted_at


@dataclass
class Outcome:
    """One run: K SKUs through one mode."""

    k: int
    mode: str
    #: Seconds from the job's creation until the last change was accepted / visible.
    accepted_s: float
    visible_s: float
    #: Changes accepted (K when all were) and listings still showing the old value.
    accepted: int
    stale: int
    repeats: int
    throttled: int
    #: The channel of each job, and auto's estimate (job.data) of each.
    channels: list[str] = field(default_factory=list)
    estimates: list[dict[str, Any]] = field(default_factory=list)
    real_s: float = 0.0
    #: Not run: computed from the minimum at the pace measured at a smaller K.
    extrapolated: bool = False
    #: The account had one feed of its own before (auto knew its turnaround).
    warm: bool = False


@dataclass(frozen=True)
class Minimum:
    """The physical limit of each channel for K SKUs, in seconds."""

    feed_accepted_s: float
    api_accepted_s: float
    feed_visible_s: float
    api_visible_s: float


def simulator_config(queue_s: float, processing_s: float) -> SimulatorConfig:
    """A kind Amazon (no random failures) with Amazon's typical feed times and the
    default visibility delays (median 60 s, at most 30 min, seeded)."""
    defaults = SimulatorConfig()
    return SimulatorConfig.focused(
        profile=PROFILE,
        feed_queue_s=queue_s,
        feed_processing_s=processing_s,
        visibility_delay_s=defaults.visibility_delay_s,
        visibility_delay_max_s=defaults.visibility_delay_max_s,
    )


def skus(k: int) -> list[str]:
    return [f"F-{n:06d}" for n in range(k)]


def seed(rt: Runtime, sim: Simulator, url: str, k: int, warm: bool) -> int:
    """An account whose K listings show OLD_QUANTITY on Amazon (and as confirmed) while
    the shop holds NEW_QUANTITY: K changed SKUs (and the warm-up's SKU)."""
    names = skus(k) + ([WARM_SKU] if warm else [])
    asins = [f"B0{n:08d}" for n in range(len(names))]
    sim.seed_listings(
        {"sku": sku, "asin": asin, "quantity": OLD_QUANTITY, "price": str(PRICE)}
        for sku, asin in zip(names, asins, strict=True)
    )
    products = [
        ProductRow(sku, catalog_ean(n + 1), f"Product {n}", NEW_QUANTITY, PRICE)
        for n, sku in enumerate(names)
    ]
    listings = [
        ListingRow(sku, asin, OLD_QUANTITY, PRICE) for sku, asin in zip(names, asins, strict=True)
    ]
    with rt.db.transaction() as session:
        account_id = add_account(session, simulator_account(sim, url), rt.cipher, rt.clock.now()).id
        for start in range(0, len(names), 5000):
            catalog.upsert_products(session, products[start : start + 5000], rt.clock.now())
            catalog.upsert_listings(
                session, account_id, listings[start : start + 5000], rt.clock.now()
            )
    return account_id


def warm_up(rt: Runtime, sim: RecordingSimulator, account_id: int) -> None:
    """One feed of one SKU, to the end, so that auto knows the account's feed turnaround
    (as an account in use does); then the simulator records afresh."""
    selection = Selection(skus=(WARM_SKU,))
    create_listings_job(rt, JobType.UPDATE_QTY, account_id, selection, channel=Channel.FEED)
    Worker(rt).run(until_idle=True)
    sim.forget()


def run(k: int, mode: str, config: SimulatorConfig, warm: bool = False) -> Outcome:
    """K changed SKUs through *mode*, on a fresh database and simulator (*warm*: after
    a warm-up feed)."""
    real_started = time.perf_counter()
    clock = VirtualClock(START)
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            environ={},
            home=home,
            database_url=f"sqlite:///{home}/bench.db",
            secret_key=generate_key(),
            allow_custom_endpoints=True,  # the account is on the simulator
            clock="virtual",
            limits_profile=PROFILE,
        )
        rt = Runtime.build(settings, clock=clock)
        try:
            migrate.upgrade(rt.db)
            sim = RecordingSimulator(config, clock)
            with serve_in_thread(create_app(sim)) as server:
                account_id = seed(rt, sim, server.url, k, warm)
                if warm:
                    warm_up(rt, sim, account_id)
                started = clock.now()
                create_listings_job(
                    rt,
                    JobType.UPDATE_QTY,
                    account_id,
                    Selection(changed=True),
                    channel=MODES[mode],
                )
                Worker(rt).run(until_idle=True)
                outcome = measured(k, mode, sim, clock, started)
            outcome.channels, outcome.estimates = choices(rt, account_id, started)
            outcome.warm = warm
        finally:
            rt.close()
    outcome.real_s = time.perf_counter() - real_started
    return outcome


def measured(
    k: int, mode: str, sim: RecordingSimulator, clock: VirtualClock, started: datetime
) -> Outcome:
    """The run's times, once the simulator's clock is at the last change's visibility
    (so its listings can be checked: each must show the new quantity)."""
    if not sim.accepted_at:
        nan = float("nan")
        return Outcome(k, mode, nan, nan, 0, k, sim.repeats, throttled(sim))
    last_accepted = max(sim.accepted_at.values())
    last_visible = max(sim.visible_at.values())
    clock.set(last_visible)
    shown = sim.listings()
    stale = sum(1 for sku in skus(k) if shown[sku].quantity != NEW_QUANTITY)
    return Outcome(
        k,
        mode,
        (last_accepted - started).total_seconds(),
        (last_visible - started).total_seconds(),
        len(sim.accepted_at),
        stale,
        sim.repeats,
        throttled(sim),
    )


def throttled(sim: Simulator) -> int:
    stats = sim.stats()
    counts: list[int] = [*stats["throttled"].values(), *stats["throttled_application"].values()]
    return sum(counts)


def choices(
    rt: Runtime, account_id: int, since: datetime
) -> tuple[list[str], list[dict[str, Any]]]:
    """The channel each job of the account created from *since* went through, and the
    estimate it was chosen on (job.data, written by the worker)."""
    query = select(Job).where(Job.account_id == account_id, Job.created_at >= since)
    with rt.db.read() as session:
        jobs = session.scalars(query.order_by(Job.id))
        data = [dict(job.data or {}) for job in jobs]
    channels = [str(d.get("channel", "?")) for d in data]
    estimates = [d["channel_estimate"] for d in data if "channel_estimate" in d]
    return channels, estimates


# -- the physical limit -------------------------------------------------------------


def grant_times(limits: Sequence[Limit], n: int) -> list[float]:
    """Seconds after START at which each of *n* calls can go, when each call takes a
    token of every bucket in *limits* as soon as all have one."""
    states = [buckets.full(limit, START) for limit in limits]
    now, times = START, []
    for _ in range(n):
        now = max(
            buckets.next_token_at(state, limit, now)
            for state, limit in zip(states, limits, strict=True)
        )
        taken = [buckets.take(s, lim, now) for s, lim in zip(states, limits, strict=True)]
        states = [state for state in taken if state is not None]
        assert len(states) == len(limits)
        times.append((now - START).total_seconds())
    return times


def feed_ends(k: int, queue_s: float, processing_s: float) -> list[float]:
    """When each of the ceil(K/25,000) feeds would end at best: created as soon as its
    tokens allow, queued, then processed after the seller's previous feed (Amazon
    processes a seller's feeds of one type one at a time, as the simulator does)."""
    sp_api = limits_for(PROFILE)
    gates = [
        sp_api[Operation.CREATE_FEED_DOCUMENT],
        sp_api[Operation.CREATE_FEED],
        sp_api[Operation.JSON_LISTINGS_FEED],
    ]
    ends: list[float] = []
    for created in grant_times(gates, math.ceil(k / FEED_MAX_MESSAGES)):
        start = max(created + queue_s, ends[-1] if ends else 0.0)
        ends.append(start + processing_s)
    return ends


def api_answers(k: int) -> list[float]:
    """When each of K patchListingsItem calls could be answered at best: the pair's
    bucket (burst 5, 5 a second) and the application's, taken together."""
    operation = Operation.PATCH_LISTINGS_ITEM
    gates = [limits_for(PROFILE)[operation], application_limits_for(PROFILE)[operation]]
    return grant_times(gates, k)


def last_visible(config: SimulatorConfig, accepted: Sequence[float], warm: bool) -> float:
    """When the last change would be visible if the i-th were accepted at accepted[i]:
    the same seeded delays the simulator draws, in acceptance order (after the
    warm-up's, with *warm*)."""
    sim = RecordingSimulator(config, VirtualClock(START))
    listing = SimListing(asin="B000000000", quantity=NEW_QUANTITY, price=PRICE)
    if warm:
        sim.accept_changes(config.seller_id, {WARM_SKU: listing}, START, quantity_set=())
        sim.forget()
    for n, at in enumerate(accepted):
        at_time = START + timedelta(seconds=at)
        sim.accept_changes(config.seller_id, {f"F-{n:06d}": listing}, at_time, quantity_set=())
    return (max(sim.visible_at.values()) - START).total_seconds()


def minimum(k: int, config: SimulatorConfig, warm: bool) -> Minimum:
    ends = feed_ends(k, config.feed_queue_s, config.feed_processing_s)
    feed_accepts = [ends[n // FEED_MAX_MESSAGES] for n in range(k)]
    api_accepts = api_answers(k)
    return Minimum(
        ends[-1],
        api_accepts[-1],
        last_visible(config, feed_accepts, warm),
        last_visible(config, api_accepts, warm),
    )


def extrapolated(k: int, config: SimulatorConfig, pace: float, warm: bool) -> Outcome:
    """An API-only run not made (too long in real time): every call answered at the
    bucket's pace stretched by *pace* (the measured over the minimum time of the
    largest API-only run made), each change then visible after its seeded delay."""
    answers = [at * pace for at in api_answers(k)]
    visible = last_visible(config, answers, warm)
    channels = [f"{Channel.API.value} (extrapolated)"]
    return Outcome(
        k, "api", answers[-1], visible, k, 0, 0, 0, channels, extrapolated=True, warm=warm
    )


def pace_of(runs: Sequence[Outcome]) -> float:
    """Measured over minimum accepted time of the largest API-only run made (1.0: none)."""
    made = [r for r in runs if r.mode == "api" and not r.extrapolated and r.k > 5]
    if not made:
        return 1.0
    largest = max(made, key=lambda r: r.k)
    return largest.accepted_s / api_answers(largest.k)[-1]


def crossover(config: SimulatorConfig) -> int:
    """The smallest K for which the feed's minimum beats the API's (one feed's reach)."""
    turnaround = feed_ends(1, config.feed_queue_s, config.feed_processing_s)[-1]
    burst, rate = 5, 5.0  # patchListingsItem, sp-api
    return math.floor(turnaround * rate) + burst + 1


# -- the table ----------------------------------------------------------------------


def ratio(auto: float, best: float) -> float:
    if math.isnan(auto) or math.isnan(best):
        return float("nan")
    if best <= 0:
        return 1.0 if auto <= 0 else float("inf")
    return auto / best


def row(k: int, low: Minimum, runs: Mapping[str, Outcome]) -> list[Any]:
    nan = float("nan")
    acc = {m: runs[m].accepted_s if m in runs else nan for m in MODES}
    vis = {m: runs[m].visible_s if m in runs else nan for m in MODES}
    marked = {m: m in runs and runs[m].extrapolated for m in MODES}
    acc_ratio = ratio(acc["auto"], min(acc["feed"], acc["api"]))
    vis_ratio = ratio(vis["auto"], min(vis["feed"], vis["api"]))
    verdict = "PASS" if max(acc_ratio, vis_ratio) <= TOLERANCE else "FAIL"
    if math.isnan(acc_ratio) or math.isnan(vis_ratio):
        verdict = "n/a"
    chose = "+".join(runs["auto"].channels) if "auto" in runs else "-"
    best_visible = min(low.feed_visible_s, low.api_visible_s)
    cells = [k, chose, low.feed_accepted_s, low.api_accepted_s, acc["auto"], acc["feed"],
             acc["api"], best_visible, vis["auto"], vis["feed"], vis["api"],
             acc_ratio, vis_ratio, verdict]  # fmt: skip
    for mode, index in (("auto", 4), ("feed", 5), ("api", 6)):
        if marked[mode]:  # shown as extrapolated, wherever the table goes
            cells[index] = f"{fmt(cells[index])}*"
            cells[index + 4] = f"{fmt(cells[index + 4])}*"
    return cells


HEADERS = [
    "K", "auto chose", "min feed s", "min API s", "auto s", "feed s", "API s",
    "vis min s", "vis auto s", "vis feed s", "vis API s", "auto/best", "vis auto/best",
    "1.05x",
]  # fmt: skip


def problems(outcome: Outcome) -> list[str]:
    """What is wrong with a run, beyond its times."""
    found = []
    if outcome.accepted != outcome.k:
        found.append(f"{outcome.k - outcome.accepted} change(s) never accepted")
    if outcome.stale:
        found.append(f"{outcome.stale} listing(s) not showing the new quantity")
    if outcome.repeats:
        found.append(f"{outcome.repeats} change(s) sent again")
    if outcome.throttled:
        found.append(f"{outcome.throttled} 429(s)")
    return found


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="K up to 1,000 only.")
    parser.add_argument("--ks", help="Comma-separated K values (overrides --quick).")
    parser.add_argument("--modes", default="auto,feed,api", help="Comma-separated modes.")
    parser.add_argument(
        "--api-max-k",
        type=int,
        help="Do not run API-only above this K: extrapolate it (marked *) from the pace "
        "of the largest API-only run made.",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        nargs="+",
        default=[],
        help="Results files whose runs are taken instead of made again (same settings!).",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="Send one feed first in every run, so auto knows the account's turnaround.",
    )
    parser.add_argument("--feed-queue-s", type=float, default=FEED_QUEUE_S)
    parser.add_argument("--feed-processing-s", type=float, default=FEED_PROCESSING_S)
    return parser.parse_args()


def reused(paths: Sequence[Path], config: SimulatorConfig) -> dict[tuple[int, str], Outcome]:
    """The runs saved in earlier results files, by (K, mode); a run made beats an
    extrapolated one, a later file an earlier one. A file made with other Amazon
    times is refused."""
    names = {f.name for f in fields(Outcome)}
    found: dict[tuple[int, str], Outcome] = {}
    for path in paths:
        result = json.loads(path.read_text(encoding="utf-8"))
        times = (result.get("feed_queue_s"), result.get("feed_processing_s"))
        if times != (config.feed_queue_s, config.feed_processing_s):
            raise SystemExit(f"{path}: made with feed times {times}, not this run's")
        for saved in result.get("runs", []):
            outcome = Outcome(**{key: value for key, value in saved.items() if key in names})
            key = (outcome.k, outcome.mode)
            if key not in found or found[key].extrapolated or not outcome.extrapolated:
                found[key] = outcome
    return found


def measure(
    ks: Sequence[int],
    modes: Sequence[str],
    config: SimulatorConfig,
    api_max_k: int | None,
    saved: Mapping[tuple[int, str], Outcome],
    warm: bool,
) -> tuple[list[list[Any]], list[Outcome]]:
    """Every mode at every K (taken from *saved* where it holds the run): the table's
    rows, and every run."""
    rows: list[list[Any]] = []
    made: list[Outcome] = []
    for k in ks:
        runs: dict[str, Outcome] = {}
        for mode in modes:
            if (k, mode) in saved:
                runs[mode] = saved[(k, mode)]
            elif mode == "api" and api_max_k is not None and k > api_max_k:
                runs[mode] = extrapolated(k, config, pace_of(made), warm)
            else:
                runs[mode] = run(k, mode, config, warm)
            made.append(runs[mode])
            print(f"  {progress(runs[mode])}", flush=True)
        rows.append(row(k, minimum(k, config, warm), runs))
    return rows, made


def progress(outcome: Outcome) -> str:
    notes = "; ".join(problems(outcome)) or "ok"
    return (
        f"K={outcome.k:,} {outcome.mode}: accepted {outcome.accepted_s:,.1f} s, visible "
        f"{outcome.visible_s:,.1f} s, via {'+'.join(outcome.channels)} "
        f"({outcome.real_s:,.1f} s real; {notes})"
    )


def verdicts(rows: Sequence[Sequence[Any]], made: Sequence[Outcome]) -> list[str]:
    """PASS / FAIL per K, with what auto chose and on which estimate."""
    lines = []
    for cells in rows:
        k = cells[0]
        auto = next((r for r in made if r.k == k and r.mode == "auto"), None)
        estimate = "; ".join(
            f"estimate API {e['api_s']:,.0f} s, feed {e['feed_s']:,.0f} s"
            for e in (auto.estimates if auto else [])
        )
        lines.append(
            f"K={k:,}: {cells[-1]} (auto/best accepted {fmt(cells[11])}, visible "
            f"{fmt(cells[12])}; auto chose {cells[1]}; {estimate or 'no estimate'})"
        )
    return lines


def main() -> None:
    args = arguments()
    ks = [int(k) for k in args.ks.split(",")] if args.ks else list(QUICK_KS if args.quick else KS)
    modes = [m for m in args.modes.split(",") if m]
    config = simulator_config(args.feed_queue_s, args.feed_processing_s)
    rows, made = measure(ks, modes, config, args.api_max_k, reused(args.reuse, config), args.warm)
    title = (
        f"Freshness: seconds until Amazon accepted / shows every change ({PROFILE} limits; "
        f"feed queue {config.feed_queue_s:.0f} s + processing {config.feed_processing_s:.0f} s; "
        f"visibility median {config.visibility_delay_s:.0f} s, max "
        f"{config.visibility_delay_max_s:.0f} s; target auto <= {TOLERANCE}x the better channel"
        f"{'; after a warm-up feed' if args.warm else ''})"
    )
    print_table(title, HEADERS, rows)
    if any(r.extrapolated for r in made):
        print("  * not run: extrapolated from the largest API-only run's pace (--api-max-k)")
    for line in verdicts(rows, made):
        print(f"  {line}")
    print(f"  crossover of the minimums: the feed is faster from K = {crossover(config):,}")
    typical = (args.feed_queue_s, args.feed_processing_s) == (FEED_QUEUE_S, FEED_PROCESSING_S)
    name = "freshness_partial"
    if typical and not args.ks and not args.warm and modes == list(MODES):
        name = "freshness_quick" if args.quick else "freshness"
    details = [{**r.__dict__, "problems": problems(r)} for r in made]
    path = save(name, title, HEADERS, rows, profile=PROFILE, crossover=crossover(config),
                feed_queue_s=config.feed_queue_s, feed_processing_s=config.feed_processing_s,
                visibility_delay_s=config.visibility_delay_s,
                visibility_delay_max_s=config.visibility_delay_max_s, runs=details)  # fmt: skip
    print(f"  saved {path}")


if __name__ == "__main__":
    main()
