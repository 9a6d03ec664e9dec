"""Engine: job steps per second with the simulator answering at once, and due-to-claim time.

    python -m bench.engine [--jobs 600]

Update Products QTY jobs (one item each, over 20 accounts) run to the end with
`amazon-jobs worker` processes: on SQLite with 1 worker, on PostgreSQL with 1
and 4. Amazon (the in-process simulator) processes feeds at once and no quota
binds, so what is measured is our own engine: claims, transactions, HTTP.
Then, with the workers idle, jobs are created one by one and the time from a
job becoming due to its first step is taken. Targets: >= 1 000 steps/s on
PostgreSQL with 4 workers, >= 200 on SQLite; due-to-claim p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from amazon_jobs.clock import SystemClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_listings_job
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.store import catalog, migrate
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.models import Job, JobLog
from bench.common import BENCH_KEY, median, p95, pg_schema, print_table, save

ACCOUNTS = 20
UNLIMITED: dict[str, dict[str, float]] = {
    op.value: {"burst": 1_000_000, "rate": 1_000_000.0} for op in Operation
}
UNLIMITED[Operation.JSON_LISTINGS_FEED.value]["window_max"] = 1_000_000


def config_file(directory: Path) -> Path:
    lines = ["poll_first_s = 0.001", "poll_max_s = 0.01", "scheduler_interval_s = 3600"]
    lines.append('channel = "feed"  # the engine as measured before the API channel')
    lines.append("allow_custom_endpoints = true  # the account is on the simulator")
    for name, values in UNLIMITED.items():
        lines.append(f'[limits."{name}"]')
        lines += [f"{key} = {value}" for key, value in values.items()]
    path = directory / "bench.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def database(kind: str) -> Any:
    if kind == "postgres":
        with pg_schema("aj_engine") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as home:
            yield f"sqlite:///{home}/engine.db"


def seed(rt: Runtime, sim: Simulator, url: str) -> list[int]:
    ids = []
    for n in range(ACCOUNTS):
        seller, token = f"A{n:03d}", f"Atzr|engine-{n}"
        sim.add_seller(seller, token)
        rows = [ProductRow(f"E{n}-{k}", None, "x", 5, Decimal("1.00")) for k in range(200)]
        listings = [ListingRow(r.sku, "B000000000", 0, r.price) for r in rows]
        sim.seed_listings(
            ({"sku": r.sku, "asin": "B000000000", "quantity": 0, "price": "1"} for r in rows),
            seller_id=seller,
        )
        spec = AccountSpec(
            name=f"e{n}",
            seller_id=seller,
            region="na",
            marketplace_id=sim.config.marketplace_id,
            lwa_client_id=sim.config.client_id,
            lwa_client_secret=SecretStr(sim.config.client_secret),
            refresh_token=SecretStr(token),
            endpoint=url,
            lwa_token_url=f"{url}/auth/o2/token",
        )
        with rt.db.transaction() as session:
            account_id = add_account(session, spec, rt.cipher, rt.clock.now()).id
            catalog.upsert_products(session, rows, rt.clock.now())
            catalog.upsert_listings(session, account_id, listings, rt.clock.now())
        ids.append(account_id)
    return ids


def create_jobs(rt: Runtime, accounts: list[int], count: int, offset: int = 0) -> None:
    for k in range(count):
        account = accounts[k % ACCOUNTS]
        sku = f"E{k % ACCOUNTS}-{(offset + k // ACCOUNTS) % 200}"
        create_listings_job(rt, JobType.UPDATE_QTY, account, Selection(skus=(sku,)))


def spawn(env: dict[str, str], count: int, until_idle: bool) -> list[subprocess.Popen[str]]:
    args = [sys.executable, "-m", "amazon_jobs", "worker", "--no-scheduler", "--concurrency", "2"]
    if until_idle:
        args.append("--until-idle")
    return [
        subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        for _ in range(count)
    ]


def steps_of(processes: list[subprocess.Popen[str]]) -> int:
    total = 0
    for process in processes:
        out, _ = process.communicate(timeout=600)
        found = re.search(r"after (\d+) step", out)
        total += int(found.group(1)) if found else 0
    return total


def installation(
    url: str, home: str, channel: str = "feed"
) -> tuple[Runtime, Simulator, dict[str, str]]:
    """The bench's runtime on *url* (schema made), an Amazon that answers at once with no
    quota, and the environment worker processes get the same configuration from."""
    toml = config_file(Path(home))
    if channel != "feed":
        text = toml.read_text(encoding="utf-8").replace('"feed"', f'"{channel}"', 1)
        toml.write_text(text, encoding="utf-8")
    values = {"database_url": url, "secret_key": BENCH_KEY, "home": home}
    settings = load_settings(
        config_file=toml, environ={}, database_url=url, secret_key=BENCH_KEY, home=home
    )
    rt = Runtime.build(settings, clock=SystemClock())
    migrate.upgrade(rt.db)
    sim = Simulator(
        SimulatorConfig.focused(feed_queue_s=0, feed_processing_s=0, limit_overrides=UNLIMITED),
        SystemClock(),
    )
    env = {**os.environ, "AMAZON_JOBS_CONFIG": str(toml)}
    env.update({f"AMAZON_JOBS_{k.upper()}": v for k, v in values.items()})
    return rt, sim, env


def measure(kind: str, workers: int, jobs: int) -> list[object]:
    with database(kind) as url, tempfile.TemporaryDirectory() as home:
        rt, sim, env = installation(url, home)
        with serve_in_thread(create_app(sim)) as server:
            accounts = seed(rt, sim, server.url)
            create_jobs(rt, accounts, jobs)
            started, cpu = time.perf_counter(), _cpu_seconds()
            steps = steps_of(spawn(env, workers, until_idle=True))
            seconds = time.perf_counter() - started
            workers_cpu, amazon_cpu = (b - a for a, b in zip(cpu, _cpu_seconds(), strict=True))
            busy = stepping_seconds(rt)
            lags = due_to_claim(rt, env, accounts, workers)
        rt.close()
    per_step = [1000 * workers_cpu / steps, 1000 * amazon_cpu / steps]
    return [kind, workers, jobs, steps, seconds, busy, steps / busy, *per_step, median(lags),
            p95(lags)]  # fmt: skip


def _cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of the finished worker processes, and of this process
    (where the simulator, playing Amazon, answers them)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def stepping_seconds(rt: Runtime) -> float:
    """From the first step's record to the last job's end: the run without process start-up."""
    with rt.db.read() as session:
        first = session.scalar(
            select(func.min(JobLog.at)).where(JobLog.message.like("Reserved → Created%"))
        )
        last = session.scalar(select(func.max(Job.finished_at)))
    assert first is not None and last is not None
    return float((last - first).total_seconds())


def due_to_claim(
    rt: Runtime, env: dict[str, str], accounts: list[int], workers: int
) -> list[float]:
    """Milliseconds from creation (due at once) to the first step, workers idle."""
    processes = spawn(env, workers, until_idle=False)
    time.sleep(2)
    with rt.db.read() as session:
        before = session.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0
    for k in range(60):
        create_jobs(rt, accounts, 1, offset=100 + k)
        time.sleep(0.05)
    time.sleep(2)
    for process in processes:
        process.send_signal(signal.SIGTERM)
    steps_of(processes)
    with rt.db.read() as session:
        rows = session.execute(
            select(Job.created_at, JobLog.at)
            .join(JobLog, JobLog.job_id == Job.id)
            .where(Job.id > before, JobLog.message.like("Reserved → Created%"))
        ).all()
    return [(at - created).total_seconds() * 1000 for created, at in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=600)
    args = parser.parse_args()
    rows = [
        measure("sqlite", 1, args.jobs),
        measure("postgres", 1, args.jobs),
        measure("postgres", 4, args.jobs),
    ]
    headers = [
        "db",
        "workers",
        "jobs",
        "steps",
        "wall s",
        "stepping s",
        "steps/s",
        "worker CPU ms/step",
        "simulator CPU ms/step",
        "claim p50 ms",
        "p95 ms",
    ]
    title = "Engine: steps per second, simulator answering at once (targets in the docstring)"
    print_table(title, headers, rows)
    save("engine", title, headers, rows)


if __name__ == "__main__":
    main()
