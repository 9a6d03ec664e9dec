"""Real worker processes against PostgreSQL and the simulator, on a shared scaled clock.

The test process runs the simulator (in a thread) and seeds the shop; the
workers are ``python -m amazon_jobs worker`` processes that read the same
scale and anchor from the environment, so all of them agree on "now".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from amazon_jobs.clock import Clock, ScaledClock, SystemClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.catalog import ListingRow, ProductRow
from amazon_jobs.runtime import Runtime
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from amazon_jobs.simulator.account import account_spec
from amazon_jobs.store import catalog
from amazon_jobs.store.accounts import add_account

SECRET_KEY = "BUj7qopVuYllY_9QwRjkwzyk-ygbzH_hASNCAPmwOIQ="


@dataclass
class Fleet:
    """The shop side (runtime), Amazon (simulator) and the environment for workers."""

    rt: Runtime
    sim: Simulator
    server: RunningServer
    env: dict[str, str]
    logs: Path
    accounts: dict[str, int] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_account(self, n: int, products: int = 20, unknown_on_amazon: int = 0) -> int:
        """Account n: its own simulated seller, with products P{n}-k listed on both sides."""
        seller, token = f"A{n:02d}SELLER", f"Atzr|seller-{n}"
        self.sim.add_seller(seller, token)
        config = self.sim.config
        spec = account_spec(
            config, self.server.url, f"acct-{n}", seller_id=seller, refresh_token=token
        )
        rows = [
            ProductRow(f"P{n}-{k}", None, f"Product {n}-{k}", 10, Decimal("9.99"))
            for k in range(products)
        ]
        listings = [ListingRow(r.sku, f"B0{n:02d}{k:06d}", 10, r.price) for k, r in enumerate(rows)]
        self.sim.seed_listings(
            (
                {"sku": x.sku, "asin": x.asin, "quantity": 10, "price": "9.99"}
                for x in listings[unknown_on_amazon:]
            ),
            seller_id=seller,
        )
        now = self.rt.clock.now()
        with self.rt.db.transaction() as session:
            account_id = add_account(session, spec, self.rt.cipher, now).id
            catalog.upsert_products(session, rows, now)
            catalog.upsert_listings(session, account_id, listings, now)
        self.accounts[seller] = account_id
        return account_id

    def worker(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "amazon_jobs", "worker", *args],
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@contextmanager
def fleet(
    database_url: str,
    tmp_path: Path,
    *,
    scale: float = 100.0,
    system_clock: bool = False,
    sim_config: SimulatorConfig | None = None,
    limits: dict[str, dict[str, float]] | None = None,
    **settings: Any,
) -> Iterator[Fleet]:
    """Amazon, the shop side and the workers' environment; on a scaled clock shared by
    every process, or (``system_clock``) on the wall clock itself. *limits* go to both
    sides: the simulator's buckets and the workers' (through their configuration file)."""
    anchor = datetime.now(UTC)
    clock: Clock = SystemClock() if system_clock else ScaledClock(scale, anchor)
    timing = (
        {"clock": "system"}
        if system_clock
        else {"clock": "scaled", "clock_scale": scale, "clock_anchor": anchor.isoformat()}
    )
    values = {
        "database_url": database_url,
        "secret_key": SECRET_KEY,
        **timing,
        "home": str(tmp_path),
        "allow_custom_endpoints": True,  # the fleet's account is on the simulator
        # the feed unless a test asks for the Listings Items API (issue 16's own tests)
        "channel": "feed",
        **settings,
    }
    if limits:
        lines = [f"[limits.{op}]\n" + "".join(f"{k} = {v}\n" for k, v in limit.items())
                 for op, limit in limits.items()]  # fmt: skip
        (tmp_path / "amazon-jobs.toml").write_text("\n".join(lines), encoding="utf-8")
    rt = Runtime.build(load_settings(environ={}, limits=limits, **values), clock=clock)
    config = sim_config or SimulatorConfig.focused(feed_queue_s=5, feed_processing_s=10)
    if limits:
        config = replace(config, limit_overrides=limits)
    sim = Simulator(config, clock)
    server = serve_in_thread(create_app(sim))
    env = {**os.environ, **{f"AMAZON_JOBS_{k.upper()}": str(v) for k, v in values.items()}}
    env.pop("AMAZON_JOBS_CHECKPOINT", None)
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    crew = Fleet(rt, sim, server, env, logs)
    try:
        yield crew
    finally:
        crew.stop_all()
        server.stop()
        rt.close()


def wait_for(predicate: Any, timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
