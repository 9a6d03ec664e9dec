"""Dashboard and API list latency with many jobs in PostgreSQL (first page and filtered).

    python -m bench.dashboard [--sizes 100000 1000000] [--repeat 30]

Server time: each request goes through the whole FastAPI app in-process
(routing, auth, query, template or JSON), without network. Target: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from amazon_jobs.clock import SystemClock
from amazon_jobs.config import load_settings
from amazon_jobs.runtime import Runtime
from amazon_jobs.store import migrate
from amazon_jobs.store.users import add_user, create_api_token
from amazon_jobs.web.app import create_app
from bench.common import BENCH_KEY, median, p95, pg_schema, print_table, save, timed

SEED_SQL = """
INSERT INTO accounts (name, seller_id, region, marketplace_id, endpoint, lwa_token_url,
                      lwa_client_id, lwa_client_secret_enc, refresh_token_enc, created_at,
                      orders_api)
SELECT 'acct-' || a, 'A' || a, 'na', 'ATVPDKIKX0DER', 'http://127.0.0.1:1', 'http://127.0.0.1:1',
       'id', 'x', 'x', now(), '2026-01-01'
FROM generate_series(1, 5) AS a;

INSERT INTO jobs (account_id, type, status, priority, created_at, updated_at, finished_at,
                  next_run_at, attempts, polls, items_total, items_ok, items_failed, data)
SELECT 1 + mod(i, 5),
       (ARRAY['send_products','update_qty','update_price','update_qty_price','stop',
              'stop_remove','orders_fulfillment','inventory_report','orders_import'])
           [1 + mod(i, 9)],
       CASE WHEN mod(i, 100) < 90 THEN 'done' WHEN mod(i, 100) < 93 THEN 'canceled'
            WHEN mod(i, 100) < 95 THEN 'error' WHEN mod(i, 100) < 97 THEN 'waiting_for_result'
            WHEN mod(i, 100) < 99 THEN 'created' ELSE 'reserved' END,
       0,
       now() - make_interval(secs => (:n - i) * 30),
       now() - make_interval(secs => (:n - i) * 30),
       NULL, NULL, 0, 0, 10, 9, 1, '{}'
FROM generate_series(1, :n) AS i;
UPDATE jobs SET finished_at = updated_at WHERE status IN ('done', 'canceled', 'error');
UPDATE jobs SET next_run_at = updated_at WHERE status NOT IN ('done', 'canceled', 'error');
ANALYZE;
"""

REQUESTS = [
    ("page: first", "/"),
    ("page: status=error", "/?status=error"),
    ("page: account+type", "/?account=3&type=update_qty"),
    ("page: 100th page", None),
    ("api: first", "/api/v1/jobs"),
    ("api: status=error", "/api/v1/jobs?status=error"),
    ("api: account+type", "/api/v1/jobs?account=3&type=update_qty"),
]
#: Date-range requests, relative to today (the seeded jobs are 30 s apart, newest now).
DAY_RANGES = [
    ("page: yesterday", 1, 1),
    ("page: one day, 20 days back", 20, 20),
    ("page: the last 7 days", 7, 0),
]


def seed(rt: Runtime, jobs: int) -> float:
    started = time.perf_counter()
    with rt.db.engine.begin() as conn:
        for statement in SEED_SQL.split(";\n"):
            if statement.strip():
                conn.exec_driver_sql(statement.replace(":n", str(jobs)))
    return time.perf_counter() - started


def client_for(rt: Runtime) -> tuple[TestClient, dict[str, str]]:
    with rt.db.transaction() as session:
        user = add_user(session, "bench", "a long bench password", rt.clock.now())
        token = create_api_token(session, user, "bench", rt.clock.now())
    client = TestClient(create_app(rt), base_url="http://localhost")
    client.post("/login", data={"username": "bench", "password": "a long bench password"})
    return client, {"Authorization": f"Bearer {token}"}


def measure(size: int, repeat: int) -> list[list[object]]:
    rows: list[list[object]] = []
    with pg_schema() as url:
        settings = load_settings(environ={}, database_url=url, secret_key=BENCH_KEY)
        rt = Runtime.build(settings, clock=SystemClock())
        migrate.upgrade(rt.db)
        seconds = seed(rt, size)
        print(f"  {size:,} jobs seeded in {seconds:.1f} s", flush=True)
        client, auth = client_for(rt)
        with client:
            deep = _hundredth_page(client)
            for name, path in [*REQUESTS, *_date_requests()]:
                target = path or deep
                headers = auth if target.startswith("/api") else {}
                status = client.get(target, headers=headers).status_code
                times = timed(lambda t=target, h=headers: client.get(t, headers=h), repeat)
                rows.append([size, name, status, median(times), p95(times)])
        rt.close()
    return rows


def _date_requests() -> list[tuple[str, str | None]]:
    today = datetime.now(UTC).date()
    return [
        (name, f"/?from={today - timedelta(days=start)}&to={today - timedelta(days=end)}")
        for name, start, end in DAY_RANGES
    ]


def _hundredth_page(client: TestClient) -> str:
    html = client.get("/").text
    marker = "before="
    first_id = (
        int(html.split(marker, 1)[1].split('"', 1)[0].split("&", 1)[0]) if marker in html else 1
    )
    return f"/?before={max(1, first_id - 99 * 50)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    rows: list[list[object]] = []
    for size in args.sizes:
        rows.extend(measure(size, args.repeat))
    headers = ["jobs", "request", "HTTP", "median ms", "p95 ms"]
    title = "Dashboard and API: server time per request (target p95 < 50 ms)"
    print_table(title, headers, rows)
    save("dashboard", title, headers, rows)


if __name__ == "__main__":
    main()
