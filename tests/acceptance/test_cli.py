"""The real ``amazon-jobs`` command, as a seller runs it: separate processes, real HTTP.

The simulator and the worker are different processes sharing a scaled clock
through configuration (same scale, same anchor), so Amazon's minutes pass in
tenths of a second.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from amazon_jobs.simulator.catalog.generator import catalog_ean

pytestmark = pytest.mark.timeout(180)

CLIENT_SECRET = "simulator-client-secret"
REFRESH_TOKEN = "Atzr|simulator-refresh-token"
EXE = [sys.executable, "-m", "amazon_jobs"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cli:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.outputs: list[str] = []

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*EXE, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.outputs.append(result.stdout + result.stderr)
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    env = {
        **os.environ,
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_DATABASE_URL": db_url,
        "AMAZON_JOBS_SECRET_KEY": "7sCY7_CsysaIzr0zDjifgMjBCVhi5hotUhAntrF_srw=",
        "AMAZON_JOBS_ALLOW_CUSTOM_ENDPOINTS": "true",  # accounts on the simulator
        "AMAZON_JOBS_CLOCK": "scaled",
        "AMAZON_JOBS_CLOCK_SCALE": "600",
        "AMAZON_JOBS_CLOCK_ANCHOR": datetime.now(UTC).isoformat(),
        "AMAZON_JOBS_LWA_CLIENT_SECRET": CLIENT_SECRET,
        "AMAZON_JOBS_LWA_REFRESH_TOKEN": REFRESH_TOKEN,
        "COLUMNS": "200",
    }
    return Cli(env, tmp_path)


@pytest.fixture
def simulator(cli: Cli, tmp_path: Path) -> Iterator[str]:
    listings = tmp_path / "amazon.csv"
    listings.write_text(
        "sku,asin,quantity,price\n" + "".join(f"P-{n},B00000000{n},5,9.99\n" for n in range(1, 5)),
        encoding="utf-8",
    )
    port = free_port()
    log = (tmp_path / "simulator.log").open("wb")
    process = subprocess.Popen(
        [*EXE, "simulator", "--focused", "--port", str(port), "--seed-listings", str(listings)],
        env=cli.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/_sim/stats", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)
    log.close()


def test_a_command_before_init_says_to_run_init(tmp_path: Path) -> None:
    """No traceback: one line that names the fix, and no password from the URL."""
    empty = {**os.environ, "AMAZON_JOBS_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    fresh = Cli({**empty, "AMAZON_JOBS_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}, tmp_path)
    result = fresh("jobs", "list", ok=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no amazon-jobs schema" in result.stderr and "amazon-jobs init" in result.stderr

    down = "postgresql+psycopg://postgres:hunter22@127.0.0.1:1/none"
    result = Cli({**empty, "AMAZON_JOBS_DATABASE_URL": down}, tmp_path)("jobs", "list", ok=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the database cannot be used" in result.stderr and "hunter22" not in result.stderr


# One database each for the two long walks (the other half runs them on the other);
# a minute or more each, about forty processes: make test-long's.
@pytest.mark.long
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_seller_from_init_to_done(cli: Cli, simulator: str, tmp_path: Path) -> None:
    cli("init")
    assert "already up to date" in cli("init").stdout

    products = tmp_path / "products.csv"
    products.write_text(
        "sku,ean,title,quantity,price\n"
        "P-1,4006381333931,Pen,11,1.50\n"
        "P-2,,Pencil,12,0.99\n"
        "P-3,4006381333932,Bad EAN,1,1.00\n"
        "P-4,,Paper,14,3.10\n"
        "P-5,,Not on Amazon,15,2.00\n",
        encoding="utf-8",
    )
    imported = cli("products", "import", str(products), ok=False)
    assert imported.returncode == 3  # the good rows imported, one rejected
    out = imported.stdout
    assert "4 product(s) created" in out and "1 rejected" in out
    assert "4006381333932" in out and "not a valid EAN-13" in out

    cli(
        "accounts", "add", "--name", "sim", "--seller-id", "A1SIMULATORSELLER",
        "--marketplace", "ATVPDKIKX0DER",
        "--client-id", "amzn1.application-oa2-client.simulator",
        "--endpoint", simulator, "--lwa-url", f"{simulator}/auth/o2/token",
    )  # fmt: skip
    assert "A1SIMULATORSELLER" in cli("accounts", "list").stdout

    listed = tmp_path / "listed.csv"
    listed.write_text(
        "sku,asin,quantity,price\nP-1,B000000001,5,1.50\nP-2,B000000002,5,0.99\n"
        "P-4,B000000004,5,3.10\nP-5,B000000005,5,2.00\n",
        encoding="utf-8",
    )
    assert (
        "4 listing(s) created" in cli("listings", "import", "--account", "sim", str(listed)).stdout
    )

    out = cli("jobs", "update-qty", "--account", "sim", "--sku", "P-1", "--sku", "P-5").stdout
    assert "Job 1 reserved: 2 item(s)" in out
    assert "Job 2 reserved" in cli("jobs", "update-qty", "--account", "sim", "--changed").stdout
    assert "canceled" in cli("jobs", "cancel", "2").stdout
    refused = cli("jobs", "cancel", "2", ok=False)
    assert refused.returncode == 1 and "there is nothing to cancel" in refused.stderr

    out = cli("worker", "--until-idle").stdout
    assert "Worker stopped" in out

    listing = cli("jobs", "list").stdout
    assert "Done" in listing and "Canceled" in listing
    assert "1 ok / 1 failed / 2" in listing
    show = cli("jobs", "show", "1").stdout
    assert "P-5" in show and "13013" in show
    log = cli("jobs", "log", "1").stdout
    # Two items: auto sends them through the Listings Items API, seconds instead of minutes.
    assert "Channel: Listings Items API" in show
    for fragment in (
        "Reserved → Created",
        "Channel: Listings Items API, the faster now",
        "patchListingsItem",
        "Waiting for result → Done",
    ):
        assert fragment in log
    # Amazon does not know P-5: a retry would fail the same way, and says so.
    refused = cli("jobs", "retry", "1", ok=False)
    assert refused.returncode == 1 and "P-5: Amazon does not know this SKU" in refused.stderr
    stats = httpx.get(f"{simulator}/_sim/stats").json()
    assert stats["requests"]["patchListingsItem"] == 2 and not stats["throttled"]
    assert "createFeed" not in stats["requests"]

    everything = "\n".join(cli.outputs)
    assert CLIENT_SECRET not in everything and REFRESH_TOKEN not in everything


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_input_gives_a_clear_error_not_a_traceback(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    missing = cli("products", "import", str(tmp_path / "nope.csv"), ok=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr
    no_account = cli("jobs", "update-qty", "--account", "ghost", "--all", ok=False)
    assert "no account 'ghost'" in no_account.stderr
    both = cli("jobs", "update-qty", "--account", "ghost", "--all", "--changed", ok=False)
    assert "exactly one of" in both.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_until_idle_runs_to_the_end(cli: Cli, tmp_path: Path) -> None:
    env = dict(cli.env)
    env["AMAZON_JOBS_HOME"] = str(tmp_path / "demo")  # the demo creates it
    env["AMAZON_JOBS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo' / 'demo.db'}"
    env.pop("AMAZON_JOBS_SECRET_KEY")
    demo = Cli(env, tmp_path)
    out = demo("demo", "--until-idle", "--products", "60", "--scale", "600").stdout
    assert "Demo finished" in out and "Done" in out and "Canceled" in out


@pytest.mark.long
@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_every_job_type_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    listed = tmp_path / "amazon.csv"
    listed.write_text(
        "sku,asin,quantity,price\n" + "".join(f"OLD-{n},B0OLD0000{n},9,5.00\n" for n in range(5)),
        encoding="utf-8",
    )
    port = free_port()
    log = (tmp_path / "simulator.log").open("wb")
    simulator = subprocess.Popen(
        [*EXE, "simulator", "--focused", "--port", str(port), "--seed-listings", str(listed),
         "--catalog-size", "20", "--orders-per-hour", "20", "--set", "order_backlog_h=3",
         "--set", "order_pending_s=1"],
        env=cli.env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/_sim/stats", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        _every_job_type(cli, tmp_path, url)
    finally:
        simulator.terminate()
        simulator.wait(10)
        log.close()


def _every_job_type(cli: Cli, tmp_path: Path, url: str) -> None:
    cli("init")
    products = tmp_path / "products.csv"
    products.write_text(
        "sku,ean,title,quantity,price\n"
        + "".join(f"OLD-{n},,Old {n},{10 + n},6.00\n" for n in range(5))
        + "".join(f"NEW-{n},{catalog_ean(n + 1)},New {n},3,4.50\n" for n in range(3)),
        encoding="utf-8",
    )
    cli("products", "import", str(products))
    cli(
        "accounts", "add", "--name", "sim", "--seller-id", "A1SIMULATORSELLER",
        "--marketplace", "ATVPDKIKX0DER",
        "--client-id", "amzn1.application-oa2-client.simulator",
        "--endpoint", url, "--lwa-url", f"{url}/auth/o2/token",
    )  # fmt: skip
    listed = tmp_path / "listed.csv"
    listed.write_text(
        "sku,asin,quantity,price\n" + "".join(f"OLD-{n},B0OLD0000{n},9,5.00\n" for n in range(5)),
        encoding="utf-8",
    )
    cli("listings", "import", "--account", "sim", str(listed))
    assert (
        "3 product(s) added" in cli("products", "add-to-list", "--account", "sim", "--all").stdout
    )
    for command in (
        ["send-products", "--all"],
        ["stop", "--sku", "OLD-4"],
        ["update-qty-price", "--sku", "OLD-0"],
        ["update-price", "--changed"],
        ["import-orders"],
    ):
        assert "Job" in cli("jobs", *command, "--account", "sim").stdout
    cli("worker", "--until-idle")

    orders = cli("orders", "list", "--account", "sim", "--status", "unshipped").stdout
    order_id = next(word for word in orders.split() if word.count("-") == 2 and len(word) == 19)
    shipped = cli("orders", "ship", order_id, "--account", "sim", "--carrier", "UPS",
                  "--tracking", "1Z999AA1").stdout  # fmt: skip
    assert "package 1 recorded" in shipped
    assert "1 package(s)" in cli("jobs", "fulfill-orders", "--account", "sim").stdout
    assert "Job" in cli("jobs", "inventory-report", "--account", "sim").stdout  # offers are live
    cli("worker", "--until-idle")

    jobs = cli("jobs", "list").stdout
    for label in (
        "Sending Products",
        "Stop Products",
        "Update Products QTY & Price",
        "Update Products Price",
        "Orders Import",
        "Inventory Report",
        "Orders Fulfillment",
    ):
        assert label in jobs
    assert "Error" not in jobs and "Canceled" not in jobs
    assert "3 ok / 0 failed / 3" in jobs  # the three new products are offered
    inventory = cli("inventory", "list", "--account", "sim").stdout
    assert "NEW-0" in inventory and "OLD-4" in inventory
    assert "Shipped" in str(httpx.get(f"{url}/_sim/orders").json())
