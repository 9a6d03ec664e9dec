"""``amazon-jobs shops …`` and ``accounts link`` against a shop simulator over HTTP."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from typer.testing import CliRunner

from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.clock import VirtualClock
from amazon_jobs.crypto import Cipher, generate_key
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.shop_simulator import DEFAULT_KEY, ShopSimulator, ShopSimulatorConfig, create_app
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.database import Database
from amazon_jobs.store.jobs import create_job
from amazon_jobs.store.models import Account, Job, Order, Product, Shop

KEY = generate_key()
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> Iterator[dict[str, str | None]]:
    handlers = list(logging.getLogger().handlers)
    term = signal.getsignal(signal.SIGTERM)
    db = Database(sqlite_url)
    spec = AccountSpec("us", "A1", "na", "ATVPDKIKX0DER", "c", SecretStr("s"), SecretStr("r"))
    with db.transaction() as session:
        add_account(session, spec, Cipher(KEY), NOW)
    db.dispose()
    yield {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": sqlite_url,
        "AMAZON_JOBS_SECRET_KEY": KEY,
        "AMAZON_JOBS_SHOP_KEY": None,
        "COLUMNS": "300",
    }
    signal.signal(signal.SIGTERM, term)
    logging.getLogger().handlers[:] = handlers


@pytest.fixture
def shop_url() -> Iterator[str]:
    sim = ShopSimulator(ShopSimulatorConfig(products=8, seed=2), VirtualClock(NOW))
    server = serve_in_thread(create_app(sim))
    yield server.url
    server.stop()


def run(env: dict[str, str | None], *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, list(args), env=env, input=stdin)
    return result.exit_code, " ".join(result.output.split())


def test_a_shop_is_added_tested_linked_and_synced(env, shop_url, sqlite_url):
    code, out = run(
        env,
        "shops",
        "add",
        "prestashop",
        "--name",
        "main",
        "--url",
        shop_url,
        stdin=f"{DEFAULT_KEY}\n",
    )
    assert code == 0, out
    assert DEFAULT_KEY not in out
    code, out = run(env, "shops", "test", "main")
    assert (code, "Connected" in out) == (0, True), out
    code, out = run(env, "shops", "show", "main")
    assert "write-only" in out and DEFAULT_KEY not in out
    code, out = run(env, "shops", "sync", "main")
    assert code == 1 and "no active account is linked to shop main" in out
    assert run(env, "accounts", "link", "us", "--shop", "main")[0] == 0
    code, out = run(env, "shops", "sync", "main", "--full")
    assert code == 0 and "full catalog pass" in out, out
    code, out = run(env, "worker", "--until-idle")
    assert code == 0, out
    db = Database(sqlite_url)
    with db.read() as session:
        shop = session.scalars(select(Shop)).one()
        assert shop.key_enc != DEFAULT_KEY and DEFAULT_KEY not in shop.key_enc
        assert session.scalar(select(func.count()).select_from(Product)) > 0
        assert session.scalars(select(Account)).one().shop_id == shop.id
    db.dispose()
    code, out = run(env, "shops", "list")
    assert "main" in out and "us" in out and "never" not in out
    assert run(env, "accounts", "link", "us", "--manual")[0] == 0
    code, out = run(env, "shops", "delete", "main", "--yes")
    assert code == 0, out


def test_a_wrong_key_and_a_plain_http_url_are_refused(env, shop_url):
    code, out = run(
        env,
        "shops",
        "add",
        "prestashop",
        "--name",
        "x",
        "--url",
        "http://shop.example",
        "--key",
        "K" * 32,
    )
    assert code == 1 and "must use https://" in out
    code, out = run(
        env, "shops", "add", "prestashop", "--name", "x", "--url", shop_url, "--key", "short"
    )
    assert code == 1 and "32 letters and digits" in out
    env = {**env, "AMAZON_JOBS_SHOP_KEY": "W" * 32}
    assert run(env, "shops", "add", "prestashop", "--name", "x", "--url", shop_url)[0] == 0
    code, out = run(env, "shops", "test", "x")
    assert code == 1 and "refused the Webservice key" in out and "W" * 32 not in out
    env = {**env, "AMAZON_JOBS_SHOP_KEY": None}
    code, out = run(env, "shops", "edit", "x", "--url", "https://other.example")
    assert code == 1 and "needs its Webservice key again" in out


def add_linked_shop(env: dict[str, str | None], shop_url: str) -> None:
    code, out = run(
        env, "shops", "add", "prestashop", "--name", "main", "--url", shop_url, "--key", DEFAULT_KEY
    )
    assert code == 0, out
    assert run(env, "accounts", "link", "us", "--shop", "main")[0] == 0


def settings(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    """``shops settings main …`` with the table's borders taken out."""
    code, out = run(env, "shops", "settings", "main", *args)
    return code, " ".join(out.replace("│", " ").split())


def test_shop_settings_are_shown_and_changed_key_by_key(env, shop_url, sqlite_url):
    add_linked_shop(env, shop_url)
    code, out = settings(env)
    assert code == 0 and "payment_module ps_wirepayment default" in out, out
    assert "carrier_id (read from the shop) default" in out
    code, out = settings(
        env,
        "--set",
        "payment_label=Amazon US",
        "--set",
        'carriers={"2": {"code": "UPS"}}',
        "--set",
        "shipped_states=PS_OS_SHIPPING,5",
    )
    assert code == 0, out
    assert "payment_label Amazon US set" in out and '{"2": {"code": "UPS"}} set' in out
    code, out = settings(
        env,
        "--set",
        "shipping_cost=-1",
        "--set",
        "colour=red",
        "--set",
        "countries=FR",
    )
    assert code == 1
    assert (
        "shipping_cost: shipping_cost must be 0 or more" in out and "colour: unknown setting" in out
    )
    assert "countries: countries must map an ISO country code" in out
    code, out = settings(env, "--set", "payment_label=")
    assert code == 0 and "payment_label Amazon default" in out
    db = Database(sqlite_url)
    with db.read() as session:
        stored = session.scalars(select(Shop)).one().settings
    db.dispose()
    assert stored == {"carriers": {"2": {"code": "UPS"}}, "shipped_states": ["PS_OS_SHIPPING", "5"]}
    code, out = settings(env, "--set", "nonsense")
    assert code == 2 and "is not KEY=VALUE" in out


def test_orders_to_shop_and_shipments_from_shop_jobs_are_made_by_hand(env, shop_url, sqlite_url):
    code, out = run(env, "jobs", "orders-to-shop", "--account", "us")
    assert code == 1 and "account us has no shop" in out
    add_linked_shop(env, shop_url)
    code, out = run(env, "jobs", "orders-to-shop", "--account", "us")
    assert code == 1 and "no imported Amazon order waits for the shop" in out
    db = Database(sqlite_url)
    with db.transaction() as session:
        account_id = session.scalars(select(Account.id)).one()
        session.add(
            Order(
                account_id=account_id,
                amazon_order_id="111-0000000-0000001",
                status="UNSHIPPED",
                purchased_at=NOW,
                amazon_updated_at=NOW,
                imported_at=NOW,
                updated_at=NOW,
            )
        )
    code, out = run(env, "jobs", "orders-to-shop", "--account", "us")
    assert code == 0 and "reserved: 1 order(s)" in out, out
    code, out = run(env, "jobs", "shipments-from-shop", "--shop", "main")
    assert code == 0 and "shipments of shop main" in out, out
    code, out = run(env, "jobs", "shipments-from-shop", "--shop", "main")
    assert code == 1 and "reading this shop's shipments" in out
    code, out = run(env, "jobs", "shipments-from-shop", "--shop", "nowhere")
    assert code == 1 and "no shop 'nowhere'" in out
    with db.read() as session:
        types = sorted(session.scalars(select(Job.type)))
    db.dispose()
    assert types == ["orders_to_shop", "shipments_from_shop"]


def test_a_shop_is_not_deleted_while_one_of_its_jobs_runs(env, shop_url, sqlite_url):
    code, out = run(env, "shops", "add", "prestashop", "--name", "main", "--url", shop_url,
                    stdin=f"{DEFAULT_KEY}\n")  # fmt: skip
    assert code == 0, out
    assert run(env, "accounts", "link", "us", "--shop", "main")[0] == 0
    code, out = run(env, "shops", "sync", "main")
    assert code == 0, out
    code, out = run(env, "shops", "delete", "main", "--yes")
    assert code == 1 and "(Shop Catalog Sync) is working with this shop" in out, out
    assert run(env, "worker", "--until-idle")[0] == 0
    # An Orders to Shop job of a linked account counts too: it writes to this shop.
    db = Database(sqlite_url)
    with db.transaction() as session:
        account_id = session.scalars(select(Account.id)).one()
        job = create_job(session, account_id, JobType.ORDERS_TO_SHOP, NOW)
        job.status = JobStatus.PROCESSING.value
    code, out = run(env, "shops", "delete", "main", "--yes")
    assert code == 1 and "(Orders to Shop) is working with this shop" in out, out
    with db.transaction() as session:
        session.get_one(Job, job.id).status = JobStatus.DONE.value
    code, out = run(env, "shops", "delete", "main", "--yes")
    assert code == 0, out
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Shop)) == 0
        assert session.scalars(select(Account.shop_id)).one() is None
    db.dispose()
