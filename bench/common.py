"""Shared pieces of the benchmarks: tables printed and saved, a PostgreSQL scratch schema,
the orders an installation keeps."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy import select

from amazon_jobs.domain.limits import Operation
from amazon_jobs.runtime import Runtime
from amazon_jobs.simulator import Simulator
from amazon_jobs.store.accounts import AccountSpec
from amazon_jobs.store.models import JobLog, Order, OrderItem

RESULTS = Path(__file__).parent / "results"
#: The key the benches encrypt their simulator accounts' credentials with (a Fernet
#: key: passphrases are refused).
BENCH_KEY = "q3R4w1mQm0cR5fI0yq1Qb8mWJ3vZk5m0Xj2bq7o9F3k="
PG_BASE = os.environ.get(
    "AMAZON_JOBS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Wall times, in milliseconds, of *repeat* calls of *fn* (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(
            "  ".join(
                c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)
            )
        )


def save(
    name: str, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], **extra: Any
) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "title": title,
        "machine": machine(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "headers": list(headers),
        "rows": [list(row) for row in rows],
        **extra,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


@contextmanager
def pg_schema(prefix: str = "aj_bench") -> Iterator[str]:
    """A fresh PostgreSQL schema; yields a URL whose search_path is it. Dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_BASE, pool_pre_ping=True)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").isdigit()


def simulator_account(sim: Simulator, url: str, name: str = "bench") -> AccountSpec:
    """An account of the simulator's default seller, served at *url*."""
    config = sim.config
    return AccountSpec(
        name=name,
        seller_id=config.seller_id,
        region="na",
        marketplace_id=config.marketplace_id,
        lwa_client_id=config.client_id,
        lwa_client_secret=SecretStr(config.client_secret),
        refresh_token=SecretStr(config.refresh_token),
        endpoint=url,
        lwa_token_url=f"{url}/auth/o2/token",
    )


def answered_at(rt: Runtime, operation: Operation) -> list[datetime]:
    """When Amazon answered each successful call of *operation* (from the job logs), in order."""
    with rt.db.read() as session:
        return sorted(
            session.scalars(
                select(JobLog.at).where(
                    JobLog.message.like(f"{operation.value} %"),
                    JobLog.message.like("%HTTP 20%"),
                )
            )
        )


#: Rows inserted per statement when a bench fills an installation's history.
HISTORY_BATCH = 5_000


def keep_shipped_orders(
    rt: Runtime, account_id: int, count: int, skus: Sequence[str], tag: str, days: float = 365
) -> None:
    """*count* shipped orders of *account_id* spread over the last *days*, two lines each on
    its *skus*: what an installation keeps, closed (no unit of theirs is held back). *tag*
    makes their Amazon order ids unique within the installation."""
    now = rt.clock.now()
    for start in range(0, count, HISTORY_BATCH):
        numbers = range(start, min(count, start + HISTORY_BATCH))
        orders = []
        for i in numbers:
            at = now - timedelta(days=days) * (1 - i / count)
            orders.append({"account_id": account_id, "amazon_order_id": f"kept-{tag}-{i}",
                           "status": "SHIPPED", "purchased_at": at, "amazon_updated_at": at,
                           "fulfilled_by": "MERCHANT", "imported_at": at, "updated_at": at,
                           "in_shop_at": at})  # fmt: skip
        with rt.db.transaction() as session:
            ids = session.scalars(sa.insert(Order).returning(Order.id), orders).all()
            session.execute(
                sa.insert(OrderItem),
                [{"order_id": order_id, "order_item_id": f"{order_id}-{line}",
                  "sku": skus[(i * 7 + line) % len(skus)], "quantity_ordered": 1,
                  "quantity_shipped": 1}
                 for i, order_id in zip(numbers, ids, strict=True) for line in range(2)],
            )  # fmt: skip
