"""Throughput of local work: building feeds, applying reports, importing inventory.

    python -m bench.local_work [--quick]

Each measurement runs in its own process (so peak memory is its own), at two
sizes, on SQLite and on PostgreSQL, and prints wall time, peak RSS and how the
time per item grows from the small size to the large one (1.0 = linear).
Targets: feed build (100 000 messages) < 3 s and < 200 MB; report apply
(100 000 messages) < 10 s; 1 000 000-row import < 30 s and < 300 MB.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.feeds.inventory_report import read_inventory
from amazon_jobs.feeds.processing_report import parse_processing_report
from amazon_jobs.handlers.feed_result import apply_report
from amazon_jobs.handlers.reservation import Selection, reserve
from amazon_jobs.handlers.update_offer import UpdateQuantity
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import migrate
from amazon_jobs.store.available import targets_for
from amazon_jobs.store.inventory import activate_snapshot, insert_records
from amazon_jobs.store.jobs import lock_job
from amazon_jobs.store.models import Account, Job
from bench.common import pg_schema, print_table, save

HEADER = (
    "item-name\titem-description\tlisting-id\tseller-sku\tprice\tquantity\topen-date\t"
    "image-url\titem-is-marketplace\tproduct-id-type\tzshop-shipping-fee\titem-note\t"
    "item-condition\tzshop-category1\tzshop-browse-path\tzshop-storefront-feature\tasin1\t"
    "asin2\tasin3\twill-ship-internationally\texpedited-shipping\tzshop-boldface\tproduct-id\t"
    "bid-for-featured-placement\tadd-delete\tpending-quantity\tfulfillment-channel\t"
    "merchant-shipping-group\tstatus"
)
SIZES = {"feed": (10_000, 100_000), "apply": (10_000, 100_000), "import": (100_000, 1_000_000)}
TARGETS = {"feed": "< 3 s, < 200 MB", "apply": "< 10 s", "import": "< 30 s, < 300 MB"}


class PeakRss:
    """Samples the process's resident memory every 10 ms; ``peak_mb`` after the block."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self._read()

    def _read(self) -> None:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        self.peak_mb = max(self.peak_mb, pages * os.sysconf("SC_PAGE_SIZE") / 1e6)


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "postgres":
        with pg_schema("aj_local") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as home:
            yield f"sqlite:///{home}/bench.db"


def runtime(url: str) -> Runtime:
    settings = load_settings(
        environ={},
        database_url=url,
        secret_key="AaFu4ZdMnYItECBriYBPQkfxDqCBajlzCxJV2LRfojA=",
        clock="virtual",
    )
    rt = Runtime.build(settings, clock=VirtualClock(datetime(2026, 11, 27, tzinfo=UTC)))
    migrate.upgrade(rt.db)
    return rt


def seed_listings(rt: Runtime, count: int) -> int:
    """An account with *count* active listings, written with set-based SQL."""
    dialect = rt.db.dialect
    series = (
        f"generate_series(1, {count}) AS g(n)"
        if dialect == "postgresql"
        else f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count})"
        " SELECT n FROM s) AS g"
    )
    now = "'2026-11-27 00:00:00'"
    quantity = "mod(n, 50)" if dialect == "postgresql" else "n % 50"  # psycopg reads % itself
    with rt.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO accounts (name, seller_id, region, marketplace_id, endpoint, "
            "lwa_token_url, lwa_client_id, lwa_client_secret_enc, refresh_token_enc, created_at, "
            f"orders_api) VALUES ('b', 'A1', 'na', 'ATVPDKIKX0DER', 'x', 'x', 'x', 'x', 'x', {now},"
            " '2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO products (sku, ean, title, quantity, price, created_at, updated_at) "
            f"SELECT 'SKU-' || n, NULL, 'Product ' || n, {quantity}, 9.99, {now}, {now} "
            f"FROM {series}"
        )
        conn.exec_driver_sql(
            "INSERT INTO listings (account_id, product_id, state, asin, confirmed_quantity, "
            "confirmed_price, updated_at) "
            f"SELECT 1, id, '{ListingState.ACTIVE.value}', 'B000000000', 999, 9.99, {now} "
            "FROM products"
        )
    return 1


def reserve_all(rt: Runtime, account_id: int, count: int) -> int:
    handler = UpdateQuantity()
    with rt.db.transaction() as session:
        reservation = reserve(
            session,
            account_id=account_id,
            job_type=JobType.UPDATE_QTY,
            selection=Selection(all=True),
            eligible=handler.eligible,
            changed=handler.changed(targets_for(session, account_id)),
            requested=handler.requested,
            max_items=count,
            now=rt.clock.now(),
        )
    return reservation.jobs[0].id


def measure_feed(rt: Runtime, size: int) -> dict[str, Any]:
    """Number the messages, read the products (one transaction), build the document."""
    account_id = seed_listings(rt, size)
    job_id = reserve_all(rt, account_id, size)
    handler = UpdateQuantity()
    with rt.db.read() as session:
        account = session.get_one(Account, account_id)
    with PeakRss() as rss:
        started = time.perf_counter()
        handler.build(rt, job_id, account)
        document = handler.feed_document(rt, job_id, account)
        seconds = time.perf_counter() - started
    assert document.count(b'"messageId"') == size
    return {"seconds": seconds, "peak_mb": rss.peak_mb, "bytes": len(document)}


def measure_apply(rt: Runtime, size: int) -> dict[str, Any]:
    """Apply a processing report of *size* messages, a tenth of them refused."""
    account_id = seed_listings(rt, size)
    job_id = reserve_all(rt, account_id, size)
    handler = UpdateQuantity()
    with rt.db.read() as session:
        account = session.get_one(Account, account_id)
    handler.build(rt, job_id, account)
    report = _report(size)
    with PeakRss() as rss:
        started = time.perf_counter()
        parsed = parse_processing_report(report)
        with rt.db.transaction() as session:
            job = lock_job(session, job_id)
            apply_report(
                session,
                job,
                parsed,
                handler.confirmed_columns,
                handler.error_columns,
                rt.clock.now(),
            )
        seconds = time.perf_counter() - started
    with rt.db.read() as session:
        job = session.get_one(Job, job_id)
        assert job.items_ok + job.items_failed == size
    return {"seconds": seconds, "peak_mb": rss.peak_mb}


def _report(size: int) -> bytes:
    issues = [
        {"messageId": n, "sku": f"SKU-{n}", "code": "99022", "severity": "ERROR", "message": "x"}
        for n in range(1, size + 1, 10)
    ]
    body = {
        "header": {"sellerId": "A1", "version": "2.0", "feedId": "1"},
        "issues": issues,
        "summary": {
            "errors": len(issues),
            "warnings": 0,
            "messagesProcessed": size,
            "messagesAccepted": size - len(issues),
            "messagesInvalid": len(issues),
        },
    }
    return json.dumps(body).encode()


def measure_import(rt: Runtime, size: int) -> dict[str, Any]:
    """Stream a gzip TSV of *size* rows into the Amazon Inventory table and switch to it."""
    seed_listings(rt, 1000)
    with tempfile.TemporaryFile() as raw:
        _write_report(raw, size)
        with PeakRss() as rss:
            started = time.perf_counter()
            raw.seek(0)
            chunk: list[Any] = []
            for row in read_inventory(raw, "UTF-8"):
                chunk.append(row)
                if len(chunk) >= 5000:
                    with rt.db.transaction() as session:
                        insert_records(session, 1, 7, chunk)
                    chunk = []
            with rt.db.transaction() as session:
                insert_records(session, 1, 7, chunk)
                activated = activate_snapshot(session, 1, 7)
            seconds = time.perf_counter() - started
    assert activated is not None and activated[0] == size
    return {"seconds": seconds, "peak_mb": rss.peak_mb}


def _write_report(raw: Any, size: int) -> None:
    rng = random.Random(1)
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5) as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
        text.write(HEADER + "\n")
        for n in range(size):
            cells = [""] * 29
            cells[0], cells[3] = f"Product {n}", f"SKU-{n}"
            cells[4], cells[5] = f"{rng.randint(100, 9999) / 100:.2f}", str(rng.randint(0, 99))
            cells[16], cells[28] = f"B{n:09d}", "Active"
            text.write("\t".join(cells) + "\n")
        text.flush()
        text.detach()


MEASURES: dict[str, Callable[[Runtime, int], dict[str, Any]]] = {
    "feed": measure_feed,
    "apply": measure_apply,
    "import": measure_import,
}


def one(kind: str, db: str, size: int) -> dict[str, Any]:
    with database(db) as url:
        rt = runtime(url)
        try:
            return MEASURES[kind](rt, size)
        finally:
            rt.close()


def run_child(kind: str, db: str, size: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.local_work", "--one", kind, db, str(size)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", nargs=3, metavar=("KIND", "DB", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="Sizes divided by ten.")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.one:
        kind, db, size = args.one
        print(json.dumps(one(kind, db, int(size))))
        return
    rows = []
    for kind, (small, large) in SIZES.items():
        if args.quick:
            small, large = small // 10, large // 10
        for db in args.db:
            a, b = run_child(kind, db, small), run_child(kind, db, large)
            growth = (b["seconds"] / large) / (a["seconds"] / small)
            rows.append([kind, db, small, a["seconds"], large, b["seconds"], b["peak_mb"],
                         growth, TARGETS[kind]])  # fmt: skip
            print(f"  {kind} on {db}: {b['seconds']:.2f} s for {large:,}", flush=True)
    headers = ["work", "db", "small", "s", "large", "s", "peak MB", "growth", "target (large)"]
    title = "Local work: wall time and peak RSS (growth = time per item large/small)"
    print_table(title, headers, rows)
    save("local_work", title, headers, rows)


if __name__ == "__main__":
    main()
