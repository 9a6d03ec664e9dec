"""A new merchant's first five minutes with the ``amazon-jobs`` command, run as processes.

The demo (dashboard and quick modes, continued and fresh), a taken port, the
version, every help screen, the jobs table in 80 columns, and CSV imports as a
spreadsheet saves them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import typer.main

from amazon_jobs import __version__
from amazon_jobs.cli.main import app
from amazon_jobs.demo import MARKER
from tests.acceptance.test_cli import EXE, Cli
from tests.conftest import SECRET_KEY

pytestmark = pytest.mark.timeout(240)

REPO = Path(__file__).resolve().parents[2]
DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
#: A small, fast demo: 40 products, ten minutes of Amazon time per second. Not faster:
#: Amazon's 30 orders an hour keep coming in Amazon time, so on a clock of an hour a
#: second a busy machine, slower in real time, had the demo write ever more orders
#: into the shop (up to a minute of CPU for a demo that takes eight seconds alone).
DEMO_ARGS = ("--products", "40", "--scale", "600")


def demo_cli(tmp_path: Path, name: str = "demo", columns: int = 200) -> Cli:
    """The command with ``make demo``'s environment: its own data directory."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AMAZON_JOBS_") and key != "COLUMNS"
    }
    env.update(
        AMAZON_JOBS_HOME=str(tmp_path / name),
        AMAZON_JOBS_DATABASE_URL=f"sqlite:///{tmp_path / name / 'demo.db'}",
        COLUMNS=str(columns),
    )
    return Cli(env, tmp_path)


def with_columns(cli: Cli, columns: int) -> Cli:
    return Cli({**cli.env, "COLUMNS": str(columns)}, cli.cwd)


def job_ids(listing: str) -> list[int]:
    return [int(m) for m in re.findall(r"^ {0,4}(\d+) ", listing, flags=re.MULTILINE)]


@pytest.fixture(scope="module")
def quick_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, str]:
    """``make demo-quick`` once: the command beside it and the summary it printed."""
    cli = demo_cli(tmp_path_factory.mktemp("quick"))
    return cli, cli("demo", "--until-idle", *DEMO_ARGS).stdout


# The demo


def test_the_quick_demo_summary_counts_failed_items_and_names_what_went_wrong(
    quick_demo: tuple[Cli, str],
) -> None:
    _, out = quick_demo
    assert "Demo finished" in out and "Items failed" in out
    failed = re.search(r"(\d+) item\(s\) ok, (\d+) failed with Amazon's reason", out)
    assert failed and int(failed[2]) > 0, out
    # What no Amazon product matched, and Amazon's own words for a canceled order. (A QTY
    # change of a SKU Amazon does not know is accepted silently, as Amazon does: it is
    # verification, later, that finds it.)
    assert "no Amazon product has EAN" in out and "cannot be shipped" in out, out
    refused = re.search(r"(\d+) shipment confirmation\(s\) refused by Amazon", out)
    assert refused and int(refused[1]) >= 1, out
    assert "a canceled order cannot be shipped" in out
    assert re.search(r"Error: job \d+ \(Inventory Report\): Amazon could not produce", out)


def test_the_jobs_table_fits_80_columns_with_every_date_whole(
    quick_demo: tuple[Cli, str],
) -> None:
    cli, _ = quick_demo
    narrow = with_columns(cli, 80)("jobs", "list").stdout
    assert max(len(line) for line in narrow.splitlines()) <= 80, narrow
    ids = job_ids(narrow)
    assert len(ids) >= 8
    # Two whole dates per job (created, last update), none wrapped or cut.
    assert len(DATE.findall(narrow)) == 2 * len(ids), narrow
    wide = with_columns(cli, 200)("jobs", "list").stdout
    assert sorted(DATE.findall(wide)) == sorted(DATE.findall(narrow))


@pytest.mark.long  # three whole demos
def test_the_demo_continues_an_earlier_demo_and_fresh_starts_over(tmp_path: Path) -> None:
    cli = demo_cli(tmp_path)
    assert "New demo" in cli("demo", "--until-idle", *DEMO_ARGS).stdout
    first = job_ids(cli("jobs", "list", "--limit", "1000").stdout)

    assert (tmp_path / "demo" / MARKER).exists()  # the directory is the demo's own

    again = cli("demo", "--until-idle", *DEMO_ARGS).stdout
    assert "Continuing the demo started" in again and "--fresh" in again
    kept = job_ids(cli("jobs", "list", "--limit", "1000").stdout)
    assert set(first) < set(kept)  # the earlier jobs are still there, new ones added
    assert "Demo finished" in again

    fresh = cli("demo", "--until-idle", "--fresh", *DEMO_ARGS).stdout
    assert "New demo" in fresh and "Continuing" not in fresh
    anew = job_ids(cli("jobs", "list", "--limit", "1000").stdout)
    assert len(anew) < len(kept) and max(anew) <= max(first) + 2


@pytest.mark.long  # the dashboard demo, until the scheduler has shown both
def test_the_dashboard_demo_shows_an_error_job_and_a_refused_confirmation(
    tmp_path: Path,
) -> None:
    """``make demo``, not only demo-quick; the commands beside it share its clock."""
    cli = demo_cli(tmp_path, columns=200)
    log = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen(
        # 600x: at 3600x Amazon's 30 orders an hour arrive 30 a second, and the demo's
        # worker spends the test writing them into the shop.
        [*EXE, "demo", "--port", "0", "--products", "40", "--scale", "600", "--shop-every", "2"],
        env=cli.env,
        stdout=log,
        stderr=log,
    )
    database = tmp_path / "demo" / "demo.db"
    try:
        wait_for(cli, lambda: "up" if "Dashboard:" in (tmp_path / "demo.log").read_text() else "")
        # Waiting reads the demo's database: a command a second would keep a core busy
        # starting Python beside the demo. What the merchant sees is then asked once.
        wait_for(cli, lambda: rows(database, "SELECT id FROM jobs WHERE status = 'error'"))
        error_jobs = cli("jobs", "list", "--status", "error").stdout
        assert "Inventory Report" in error_jobs

        wait_for(cli, lambda: rows(database, REFUSED_FULFILLMENT))
        out = cli("jobs", "list", "--type", "orders_fulfillment").stdout
        refused = [line for line in out.splitlines() if re.search(r"ok / [1-9]\d* failed", line)]
        assert refused, out
        job_id = job_ids("\n".join(refused))[-1]  # the oldest: the buyer's cancellation
        # One word, which a table cell cannot wrap: "Order … is Canceled: a canceled order …"
        assert "Canceled:" in cli("jobs", "show", str(job_id)).stdout
        shown = cli("jobs", "show", "1").stdout  # the first wave
        assert "failed" in shown

        # A command beside the demo stamps its job on the demo's clock, not the wall's.
        latest = max(DATE.findall(cli("jobs", "list").stdout))
        created = cli("jobs", "import-orders", "--account", "demo-us", ok=False)
        if created.returncode == 0:  # none running already
            new_id = re.search(r"Job (\d+)", created.stdout)
            assert new_id
            line = cli("jobs", "show", new_id[1]).stdout
            stamped = DATE.search(line.split("Created", 1)[1])
            assert stamped and stamped[0] >= latest[:13], (stamped, latest)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        log.close()


#: The fulfillment jobs that ended with a package Amazon refused.
REFUSED_FULFILLMENT = (
    "SELECT id FROM jobs WHERE type = 'orders_fulfillment' AND finished_at IS NOT NULL"
    " AND items_failed > 0"
)


def rows(database: Path, query: str) -> str:
    """What *query* finds in the demo's SQLite file, read-only ("" before it exists)."""
    if not database.exists():
        return ""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as connection:
        try:
            return "\n".join(str(row[0]) for row in connection.execute(query))
        except sqlite3.OperationalError:  # the demo's schema is still being made
            return ""


def wait_for(cli: Cli, probe: Callable[[], str], timeout_s: float = 150.0) -> str:
    """The first non-empty answer of *probe*, asked once a second."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found.strip() and found.strip() != "No jobs.":
            return found
        time.sleep(1.0)
    raise AssertionError("the demo never showed it:\n" + "\n".join(cli.outputs[-3:]))


def test_a_taken_port_is_one_line_with_how_to_choose_another(tmp_path: Path) -> None:
    cli = demo_cli(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("demo", "--port", str(port), ok=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {port}" in lines[0] and "is taken" in lines[0]
    assert f"make demo PORT={port + 1}" in lines[0]
    assert f"amazon-jobs demo --port {port + 1}" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "demo").exists()  # nothing started, nothing changed


def test_make_demo_passes_port_and_fresh_through() -> None:
    def planned(*args: str) -> str:
        out = subprocess.run(
            ["make", "-n", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        ).stdout
        return next(line for line in out.splitlines() if "amazon-jobs demo" in line)

    assert re.search(r"demo --port 8001 --fresh\s*$", planned("demo", "PORT=8001", "FRESH=1"))
    assert re.search(r"demo --port 8000\s*$", planned("demo"))
    assert "--fresh" in planned("demo-quick", "FRESH=1")
    assert "--fresh" not in planned("demo-quick")


# The command itself


def plain_cli(tmp_path: Path) -> Cli:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AMAZON_JOBS_")}
    env.update(
        AMAZON_JOBS_HOME=str(tmp_path / "home"),
        AMAZON_JOBS_DATABASE_URL=f"sqlite:///{tmp_path / 'amazon-jobs.db'}",
        AMAZON_JOBS_SECRET_KEY=SECRET_KEY,
        COLUMNS="200",
    )
    return Cli(env, tmp_path)


def test_version(tmp_path: Path) -> None:
    result = plain_cli(tmp_path)("--version")
    assert result.stdout.strip() == f"amazon-jobs {__version__}"


def command_paths() -> list[list[str]]:
    """Every command and group of the CLI, as the words that name it."""
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


#: Prints the help of every command given as JSON argument lists, in one process
#: (forty processes would take minutes on a busy machine), as the entry point does.
HELP_SCRIPT = """
import json, sys
from amazon_jobs.cli.main import app
for path in json.loads(sys.argv[1]):
    print("=== " + " ".join(path), flush=True)
    try:
        app([*path, "--help"], prog_name="amazon-jobs")
    except SystemExit:
        pass
    sys.stdout.flush()
"""


def test_no_help_screen_shows_a_bool_placeholder(tmp_path: Path) -> None:
    paths = command_paths()
    assert ["demo"] in paths and ["jobs", "list"] in paths and len(paths) > 30
    result = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, json.dumps(paths)],
        env=plain_cli(tmp_path).env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    helps = result.stdout.split("=== ")[1:]
    assert len(helps) == len(paths), result.stdout[-2000:]
    for path, text in zip(paths, helps, strict=True):
        assert text.startswith(" ".join(path)) and "Usage:" in text, text
        assert "<bool>" not in text, text
    demo_help = helps[paths.index(["demo"])]
    assert "--fresh" in demo_help and "--until-idle" in demo_help


def test_products_import_exit_codes_semicolons_and_short_rows(tmp_path: Path) -> None:
    cli = plain_cli(tmp_path)
    cli("init")
    good = tmp_path / "good.csv"
    good.write_text("sku,ean,title,quantity,price\nA,,Pen,3,1.50\n", encoding="utf-8")
    assert cli("products", "import", str(good)).returncode == 0

    short = tmp_path / "short.csv"
    short.write_text(
        "sku,ean,title,quantity,price\nB,,Pencil,4,0.99\nC,,Paper\nD,,Ink, blue,2,3.00\n",
        encoding="utf-8",
    )
    result = cli("products", "import", str(short), ok=False)
    assert result.returncode == 3, result.stdout  # good rows in, some rejected
    assert "1 product(s) created" in result.stdout and "2 rejected" in result.stdout
    assert re.search(r"\b3\b.*3 fields, expected 5", result.stdout), result.stdout
    assert re.search(r"\b4\b.*6 fields, expected 5", result.stdout), result.stdout

    semicolons = tmp_path / "excel.csv"
    semicolons.write_text(
        'sku;ean;title;quantity;price\r\nE;;Tape;5;2,49\r\nF;;"Glue; strong";1;3,00\r\n',
        encoding="utf-8",
    )
    out = cli("products", "import", str(semicolons)).stdout
    assert "separated by semicolons" in out and "2 product(s) created" in out

    refused = cli("products", "import", str(tmp_path / "missing.csv"), ok=False)
    assert refused.returncode == 1 and "cannot read" in refused.stderr
    helped = cli("products", "import", "--help").stdout
    assert "Exit code 0" in helped and "3: the good rows imported" in helped
