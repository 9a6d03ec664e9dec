"""Oversized and hostile inputs: huge and non-UTF-8 CSV files, a 10 000-column inventory
report, deeply nested and oversized JSON bodies, a huge form field.

What is measured (time, peak memory) runs in a fresh Python process. Just before the
import or request, its peak RSS is reset to its RSS (Linux ``/proc/self/clear_refs``);
growth = peak RSS after (``VmHWM``) - RSS before. Without /proc: growth =
``getrusage(RUSAGE_SELF).ru_maxrss`` after - before (never more than the true growth).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from amazon_jobs.errors import AmazonDocumentError
from amazon_jobs.feeds.inventory_report import InventoryRecord, read_inventory
from tests.integration.api_helpers import assert_error

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
#: The largest peak-RSS growth any of these inputs may cause.
RSS_BOUND_MB = 300

pytestmark = pytest.mark.timeout(300)


# What runs in the measuring process (``python -m tests.integration.test_hostile_inputs``).


def _proc_status_mb(field: str) -> float | None:
    try:
        status = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in status if line.startswith(field)), None)


def _peak_mb() -> float:
    peak = _proc_status_mb("VmHWM:")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if peak is None else peak


def _baseline_mb() -> float:
    """The RSS now, with the peak reset to it (where Linux lets us; else the peak so far)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    now = _proc_status_mb("VmRSS:")
    return _peak_mb() if now is None else now


def _measure_import(csv_path: str) -> dict[str, Any]:
    from amazon_jobs.catalog_import import import_products
    from amazon_jobs.clock import VirtualClock
    from amazon_jobs.errors import CsvError
    from amazon_jobs.store import migrate
    from amazon_jobs.store.database import Database
    from tests.conftest import T0

    workdir = Path(tempfile.mkdtemp())
    db = Database(f"sqlite:///{workdir / 'import.db'}")
    migrate.upgrade(db)
    before, start = _baseline_mb(), time.monotonic()
    answer: dict[str, Any] = {}
    try:
        result = import_products(db, Path(csv_path), VirtualClock(T0))
        answer |= {
            "rows": result.rows,
            "created": result.created,
            "rejected": result.rejected,
            "errors": [str(e) for e in result.errors[:3]],
            "errors_kept": len(result.errors),
        }
    except CsvError as error:
        answer["refused"] = str(error)
    answer |= {"seconds": time.monotonic() - start, "growth_mb": _peak_mb() - before}
    from sqlalchemy import func, select

    from amazon_jobs.store.models import Product

    with db.read() as session:
        answer["stored"] = session.scalar(select(func.count()).select_from(Product))
    return answer


def _body_chunks(kind: str, size: int) -> Iterator[bytes]:
    """Request bodies made as they are sent, never whole in memory."""
    chunk = 256 * 1024
    if kind == "json":  # a valid start of a products upsert, then rows without end
        row = b'{"sku":"S","title":"A title","quantity":1,"price":"1.00"},'
        yield b'{"products":['
        for _ in range(size // chunk):
            yield row * (chunk // len(row))
    elif kind == "nested":
        depth = size // 2
        yield b"[" * depth + b"]" * depth
    elif kind == "max_rows":  # the largest valid upsert: 10 000 rows, titles all escapes
        title = "\\u00e9" * 500
        rows = (
            f'{{"sku":"SKU-{n:05d}","title":"{title}","quantity":1,"price":"1.00"}}'
            for n in range(10_000)
        )
        yield b'{"products":[' + ",".join(rows).encode() + b"]}"
    elif kind == "form":  # one urlencoded field of *size* bytes
        yield b"password=x&next=%2F&username="
        for _ in range(size // chunk):
            yield b"a" * chunk


def _measure_requests(requests: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each request's answer, time and memory growth: the web app's ASGI callable is driven
    with a body that is generated as the app reads it."""
    from amazon_jobs.clock import VirtualClock
    from amazon_jobs.store import migrate
    from amazon_jobs.store.database import Database
    from amazon_jobs.store.users import add_user, create_api_token
    from amazon_jobs.web.app import create_app
    from tests.conftest import T0, make_runtime

    workdir = Path(tempfile.mkdtemp())
    url = f"sqlite:///{workdir / 'web.db'}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    clock = VirtualClock(T0)
    rt = make_runtime(url, clock, workdir)
    with rt.db.transaction() as session:
        user = add_user(session, "seller", "a long password 123", clock.now())
        token = create_api_token(session, user, "tests", clock.now())
    app = create_app(rt)

    async def call(
        method: str, path: str, content_type: str, body: Iterator[bytes], length: int | None
    ) -> tuple[int, bytes, int]:
        headers = [
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", content_type.encode()),
            (b"host", b"127.0.0.1"),
            (b"origin", b"http://127.0.0.1"),
        ]
        if length is not None:
            headers.append((b"content-length", str(length).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        sent = 0
        pending = iter(body)
        status, out = 0, bytearray()

        ended = False

        async def receive() -> dict[str, Any]:
            nonlocal sent, ended
            if ended:
                await asyncio.sleep(3600)  # the client waits for the answer
            piece = next(pending, None)
            if piece is None:
                ended = True
                return {"type": "http.request", "body": b"", "more_body": False}
            sent += len(piece)
            return {"type": "http.request", "body": piece, "more_body": True}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                out.extend(message.get("body", b""))

        async def until_answered() -> None:
            await app(scope, receive, send)

        await asyncio.wait_for(until_answered(), timeout=60)
        return status, bytes(out), sent

    # A small request first, so that what is loaded once is in the baseline.
    asyncio.run(call("PUT", "/api/v1/products", "application/json", iter([b"{}"]), None))
    answers = {}
    for name, spec in requests.items():
        before, start = _baseline_mb(), time.monotonic()
        size = spec["size"]
        status, body, sent = asyncio.run(
            call(
                spec["method"],
                spec["path"],
                spec["content_type"],
                _body_chunks(spec["kind"], size),
                size if spec["declare_length"] else None,
            )
        )
        answers[name] = {
            "status": status,
            "body": body.decode("utf-8", "replace")[:2000],
            "sent_mb": sent / MB,
            "seconds": time.monotonic() - start,
            "growth_mb": _peak_mb() - before,
        }
    rt.close()
    return answers


def _main() -> None:
    what, args = sys.argv[1], json.loads(sys.argv[2])
    answer = _measure_import(**args) if what == "import" else _measure_requests(args)
    print(json.dumps(answer))


if __name__ == "__main__":
    _main()


# The tests.


def measured(what: str, args: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.test_hostile_inputs", what, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(what, json.dumps(answer)[:3000])
    return answer


def write_big_csv(path: Path, size: int, valid: int) -> int:
    """A CSV of at least *size* bytes, written as it is made: *valid* good products, then
    rows whose quantity is negative. Titles are 480 characters, as many sellers write."""
    title = ("Stainless steel water bottle 750 ml vacuum insulated keeps drinks cold " * 7)[:480]
    rows = written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("sku,ean,title,quantity,price\n")
        while written < size:
            block = "".join(
                f"SKU-{n:08d},,{title},{n % 100 if n < valid else -1},12.50\n"
                for n in range(rows, rows + 1000)
            )
            out.write(block)
            written += len(block)
            rows += 1000
    return rows


def test_a_200_mb_csv_is_imported_as_a_stream_with_bounded_memory(tmp_path: Path) -> None:
    """A seller's big file is read row by row, not refused: good rows stored, each bad row
    counted, the first 1000 described; memory does not grow with the file."""
    path = tmp_path / "big.csv"
    rows = write_big_csv(path, 200 * MB, valid=2000)
    assert path.stat().st_size >= 200 * MB
    answer = measured("import", {"csv_path": str(path)})
    assert "refused" not in answer, answer
    assert answer["rows"] == rows and answer["created"] == answer["stored"] == 2000
    assert answer["rejected"] == rows - 2000 and answer["errors_kept"] == 1000
    assert answer["errors"][0] == "line 2002: quantity -1 is negative"
    assert answer["growth_mb"] < 100, answer


def import_in_process(path: Path, sqlite_url: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from amazon_jobs.catalog_import import import_products
    from amazon_jobs.clock import VirtualClock
    from amazon_jobs.errors import CsvError
    from amazon_jobs.store.database import Database
    from amazon_jobs.store.models import Product
    from tests.conftest import T0

    db = Database(sqlite_url)
    answer: dict[str, Any] = {}
    try:
        answer["result"] = import_products(db, path, VirtualClock(T0))
    except CsvError as error:
        answer["refused"] = str(error)
    with db.read() as session:
        answer["stored"] = session.scalar(select(func.count()).select_from(Product))
    db.dispose()
    return answer


def test_a_cp1252_csv_is_refused_naming_line_and_byte_and_nothing_is_stored(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "sku,ean,title,quantity,price\r\nA-1,,Pen,3,1.50\r\nA-2,,Café crème,1,2.00\r\n".encode(
            "cp1252"
        )
    )
    answer = import_in_process(path, sqlite_url)
    refused = answer["refused"]
    at = path.read_bytes().index(b"\xe9") + 1
    assert refused.startswith(f"line 3: the file is not UTF-8 text (byte {at} is b'\\xe9"), refused
    assert "nothing was imported" in refused and 'save it as "CSV UTF-8"' in refused
    assert answer["stored"] == 0


def test_binary_garbage_is_refused_as_not_utf8_and_nothing_is_stored(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    answer = import_in_process(path, sqlite_url)
    assert answer["refused"].startswith("line 1: the file is not UTF-8 text (byte 1 is"), answer
    assert answer["stored"] == 0


def test_the_cli_import_of_a_cp1252_file_says_so_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("sku,title,quantity,price\nA-1,Crème,1,2.00\n".encode("cp1252"))
    env = {
        **os.environ,
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "AMAZON_JOBS_SECRET_KEY": "v-TOhQXzf1TyKhLgIXcwEHsmBZ6s8VhJJGjGI6QhUFs=",
        "COLUMNS": "200",
    }
    run = [sys.executable, "-m", "amazon_jobs"]
    init = subprocess.run([*run, "init"], env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    done = subprocess.run(
        [*run, "products", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "line 2: the file is not UTF-8 text" in " ".join(done.stderr.split())


def test_an_inventory_report_of_10000_columns_is_read_with_bounded_memory() -> None:
    columns = [f"extra-{n}" for n in range(10_000)]
    columns[7_777] = "seller-sku"
    columns[9_999] = "price"
    rows = 200
    content = "\t".join(columns) + "\n"
    content += "".join(
        "\t".join(
            f"SKU-{r}" if c == 7_777 else "3.50" if c == 9_999 else "x" for c in range(10_000)
        )
        + "\n"
        for r in range(rows)
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = list(read_inventory(io.BytesIO(content.encode()), "utf-8"))
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    assert [r.sku for r in found if isinstance(r, InventoryRecord)] == [
        f"SKU-{r}" for r in range(rows)
    ]
    assert all(isinstance(r, InventoryRecord) and r.price == Decimal("3.50") for r in found)
    assert growth < RSS_BOUND_MB


def test_an_inventory_report_line_over_the_field_limit_is_a_document_error() -> None:
    content = b"seller-sku\tprice\n" + b"A" * (200 * 1024) + b"\t1.00\n"
    with pytest.raises(AmazonDocumentError, match="cannot be read to its end: field larger"):
        list(read_inventory(io.BytesIO(content), None))


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
REQUESTS = {
    "json_declared": {
        "method": "PUT",
        "path": "/api/v1/products",
        "kind": "json",
        "size": 200 * MB,
        "content_type": JSON,
        "declare_length": True,
    },
    "json_chunked": {
        "method": "PUT",
        "path": "/api/v1/products",
        "kind": "json",
        "size": 200 * MB,
        "content_type": JSON,
        "declare_length": False,
    },
    "max_rows": {
        "method": "PUT",
        "path": "/api/v1/products",
        "kind": "max_rows",
        "size": 0,
        "content_type": JSON,
        "declare_length": False,
    },
    "nested": {  # 100 000 nested arrays
        "method": "PUT",
        "path": "/api/v1/products",
        "kind": "nested",
        "size": 200_000,
        "content_type": JSON,
        "declare_length": True,
    },
    "form": {
        "method": "POST",
        "path": "/login",
        "kind": "form",
        "size": 200 * MB,
        "content_type": FORM,
        "declare_length": False,
    },
}


@pytest.fixture(scope="module")
def answers() -> dict[str, dict[str, Any]]:
    """Every request of REQUESTS, made in one measuring process."""
    made = measured("requests", REQUESTS)
    for answer in made.values():
        body = answer["body"]
        answer["json"] = json.loads(body) if body.startswith("{") else None
    return made


def one_shape(answer: dict[str, Any], status: int, says: str) -> None:
    assert answer["status"] == status, answer
    body = answer["json"]
    assert body is not None and set(body) == {"error"}, answer
    assert set(body["error"]) == {"status", "code", "message", "details"}, body
    assert body["error"]["status"] == status and says in body["error"]["message"], body


@pytest.mark.parametrize("sent", ["json_declared", "json_chunked"])
def test_an_oversized_json_body_is_refused_413_as_it_arrives(
    answers: dict[str, dict[str, Any]], sent: str
) -> None:
    """200 MB to the products upsert, with its Content-Length or chunked."""
    answer = answers[sent]
    one_shape(answer, 413, "larger than 32 MiB")
    assert answer["sent_mb"] <= 33  # not read past the limit
    assert answer["growth_mb"] < RSS_BOUND_MB


def test_the_largest_valid_upsert_fits_under_the_body_limit(
    answers: dict[str, dict[str, Any]],
) -> None:
    """10 000 rows, each title 500 characters written as \\u00e9 escapes: 29 MB."""
    answer = answers["max_rows"]
    assert answer["status"] == 200, answer["body"][:500]
    assert answer["json"]["created"] == 10_000 and answer["sent_mb"] > 29
    assert answer["growth_mb"] < RSS_BOUND_MB


def test_deeply_nested_json_is_a_400_in_the_one_shape(answers: dict[str, dict[str, Any]]) -> None:
    answer = answers["nested"]
    one_shape(answer, 400, "nested too deeply")
    assert answer["growth_mb"] < RSS_BOUND_MB


def test_a_huge_form_field_is_refused_after_1_mb(answers: dict[str, dict[str, Any]]) -> None:
    """A 200 MB urlencoded username posted to the login form."""
    answer = answers["form"]
    one_shape(answer, 400, "Field exceeded maximum size of 1024KB")
    assert answer["sent_mb"] < 2 and answer["growth_mb"] < RSS_BOUND_MB


def test_over_http_an_oversized_or_nested_body_gets_the_one_error_shape(web: Any) -> None:
    """The same through uvicorn and a real socket, on both databases."""
    too_big = web.api.put(
        "/api/v1/products",
        content=b" " * (33 * MB),
        headers={"Content-Type": "application/json"},
    )
    assert_error(too_big, 413, "larger than 32 MiB")
    nested = web.api.put(
        "/api/v1/products",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert_error(nested, 400, "nested too deeply")
    form = web.browser.post("/login", data={"username": "x" * (2 * MB), "password": "p"})
    assert_error(form, 400, "Field exceeded maximum size")
