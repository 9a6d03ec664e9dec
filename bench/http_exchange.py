"""HTTP exchange: the worker's CPU per SP-API call and per presigned-document transfer.

    python -m bench.http_exchange [--calls 2000] [--rounds 3] [--baseline HEAD]
                                  [--only before|after]

The simulator (``SimulatorConfig.focused``, unlimited quotas) serves over HTTP
from a process of its own (forked, so that its threads do not compete with the
client's for the GIL); an :class:`SpApiClient` is built the way
``Runtime.amazon`` builds it (an :class:`AmazonGateway` with the default
timeout and transport) and each operation is called *--calls* times on one
keep-alive connection. What is measured is the CPU of the calling thread
(``time.thread_time``): microseconds of client CPU per call, token, retry
policy, observer and JSON parsing included.

Each version runs in its own child (``--part``), "before" with ``src`` of git
revision ``--baseline`` (exported by :mod:`bench.baseline`), "after" with the
working tree, interleaved over *--rounds*; the table gives each operation's
least CPU over the rounds (the round the rest of the machine disturbed least:
CPU time per call grows when other processes share the cores) and the median.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

from pydantic import SecretStr

import amazon_jobs
from amazon_jobs.amazon.auth import LwaCredentials
from amazon_jobs.amazon.client import CallRecord, SpApiClient
from amazon_jobs.amazon.gateway import AmazonGateway
from amazon_jobs.clock import SystemClock
from amazon_jobs.config import Settings
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app
from bench.baseline import CURRENT_SRC, baseline_tree, check_origin, code_env, commit_of
from bench.common import median, print_table
from bench.engine import UNLIMITED

VERSIONS = ("before", "after")
CONTENT_TYPE = "application/json; charset=UTF-8"
#: A feed of about a kilobyte, as an Update Products QTY step of a few items uploads.
FEED_BODY = json.dumps(
    {
        "header": {"sellerId": "A000", "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {
                "messageId": n,
                "sku": f"E0-{n}",
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": n}],
                    }
                ],
            }
            for n in range(1, 6)
        ],
    }
).encode()
SELLER, REFRESH = "A000", "Atzr|http-exchange"


def ignore(_record: CallRecord) -> None:
    return None


def simulator_config() -> SimulatorConfig:
    return SimulatorConfig.focused(limit_overrides=UNLIMITED)


def serve(pipe: Connection) -> None:
    """The simulator's process: serve, send the URL, stop when the pipe says so."""
    sim = Simulator(simulator_config(), SystemClock())
    sim.add_seller(SELLER, REFRESH)
    with serve_in_thread(create_app(sim)) as server:
        pipe.send(server.url)
        pipe.recv()


@contextmanager
def simulator() -> Iterator[str]:
    """The URL of a simulator serving from a forked process."""
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=serve, args=(child,))
    process.start()
    try:
        yield str(parent.recv())
    finally:
        parent.send("stop")
        process.join(timeout=10)


def build_client(config: SimulatorConfig, url: str) -> tuple[AmazonGateway, SpApiClient]:
    """A client as ``Runtime.amazon`` makes one (the gateway's defaults, custom endpoint)."""
    settings = Settings()
    gateway = AmazonGateway(
        SystemClock(), timeout_s=settings.http_timeout_s, allow_custom_endpoints=True
    )
    credentials = LwaCredentials(
        f"{url}/auth/o2/token",
        config.client_id,
        SecretStr(config.client_secret),
        SecretStr(REFRESH),
    )
    return gateway, gateway.client(1, url, credentials, ignore)


def operations(client: SpApiClient, marketplace: str) -> dict[str, Callable[[], object]]:
    """The calls measured, each set up so that it can be repeated as it is."""
    upload = client.create_feed_document(CONTENT_TYPE)
    client.upload_document(upload.url, FEED_BODY, CONTENT_TYPE)
    feed_id = client.create_feed("JSON_LISTINGS_FEED", [marketplace], upload.document_id)
    location = client.get_feed_document(upload.document_id)
    sink = io.BytesIO()
    return {
        "getFeed": lambda: client.get_feed(feed_id),
        "createFeedDocument": lambda: client.create_feed_document(CONTENT_TYPE),
        "uploadFeedDocument": lambda: client.upload_document(upload.url, FEED_BODY, CONTENT_TYPE),
        "download": lambda: client.download(location),
        "download_to (sink)": lambda: client.download_to(location, sink),
    }


def cpu_per_call(fn: Callable[[], object], calls: int) -> float:
    """Microseconds of this thread's CPU per call of *fn* (after a few warm-up calls)."""
    for _ in range(20):
        fn()
    started = time.thread_time()
    for _ in range(calls):
        fn()
    return (time.thread_time() - started) / calls * 1e6


def part(calls: int) -> dict[str, float]:
    """One child's measurement: microseconds of client CPU per call, by operation."""
    config = simulator_config()
    with simulator() as url:
        gateway, client = build_client(config, url)
        try:
            measured = operations(client, config.marketplace_id)
            return {name: cpu_per_call(fn, calls) for name, fn in measured.items()}
        finally:
            gateway.close()


def run_part(version: str, src: Path, calls: int) -> dict[str, float]:
    args = ["--part", "--calls", str(calls), "--src", str(src)]
    out = subprocess.run(
        [sys.executable, "-m", "bench.http_exchange", *args],
        env=code_env(src),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {version}: " + ", ".join(f"{k} {v:.0f}" for k, v in result.items()), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", default="HEAD")
    parser.add_argument("--only", choices=VERSIONS)
    parser.add_argument("--part", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--src", default=str(CURRENT_SRC), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        check_origin(amazon_jobs.__file__, Path(args.src))
        print(json.dumps(part(args.calls)))
        return
    sources = {"before": baseline_tree(args.baseline) / "src", "after": CURRENT_SRC}
    versions = [args.only] if args.only else list(VERSIONS)
    results: dict[str, list[dict[str, float]]] = {v: [] for v in versions}
    for _ in range(args.rounds):
        for version in versions:
            results[version].append(run_part(version, sources[version], args.calls))
    names = list(results[versions[0]][0])
    rows = []
    for name in names:
        least = [min(r[name] for r in results[version]) for version in versions]
        middle = [median([r[name] for r in results[version]]) for version in versions]
        cells: list[object] = [name, *least, *middle]
        if len(versions) == 2:
            cells.append(f"{(least[1] - least[0]) / least[0]:+.0%}")
        rows.append(cells)
    headers = ["operation"]
    headers += [f"{v} µs (least)" for v in versions] + [f"{v} µs (median)" for v in versions]
    if len(versions) == 2:
        headers.append("change (least)")
    title = (
        f"Client CPU per call (calling thread; {args.rounds} rounds x {args.calls} calls; "
        f"before = {commit_of(args.baseline)})"
    )
    print_table(title, headers, rows)


if __name__ == "__main__":
    main()
