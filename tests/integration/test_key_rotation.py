"""``amazon-jobs keys rotate``: every account under a new key, in one transaction."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.crypto import Cipher, generate_key, legacy_cipher
from amazon_jobs.errors import ConfigError
from amazon_jobs.store.accounts import AccountSpec, add_account, credentials
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import Account

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
OLD, NEW = generate_key(), generate_key()


def spec(name: str) -> AccountSpec:
    return AccountSpec(
        name=name,
        seller_id="A1",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="amzn1.application-oa2-client.x",
        lwa_client_secret=SecretStr(f"secret-of-{name}"),
        refresh_token=SecretStr(f"Atzr|refresh-of-{name}"),
    )


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> Iterator[dict[str, str | None]]:
    handlers = list(logging.getLogger().handlers)
    term = signal.getsignal(signal.SIGTERM)
    yield {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": sqlite_url,
        "AMAZON_JOBS_SECRET_KEY": OLD,
        "AMAZON_JOBS_NEW_SECRET_KEY": NEW,
        "COLUMNS": "300",
    }
    signal.signal(signal.SIGTERM, term)
    logging.getLogger().handlers[:] = handlers


def add(url: str, cipher: Cipher, *names: str) -> None:
    db = Database(url)
    with db.transaction() as session:
        for name in names:
            add_account(session, spec(name), cipher, NOW)
    db.dispose()


def secrets_under(url: str, cipher: Cipher) -> dict[str, tuple[str, str]]:
    """Every account's secrets decrypted with *cipher* (ConfigError if one is not)."""
    db = Database(url)
    try:
        with db.read() as session:
            accounts = list(session.scalars(select(Account).order_by(Account.id)))
            found = {}
            for account in accounts:
                creds = credentials(account, cipher)
                found[account.name] = (
                    creds.client_secret.get_secret_value(),
                    creds.refresh_token.get_secret_value(),
                )
            return found
    finally:
        db.dispose()


def rotate(env: dict[str, str | None]) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["keys", "rotate"], env=env)
    return result.exit_code, " ".join(result.output.split())


EXPECTED = {n: (f"secret-of-{n}", f"Atzr|refresh-of-{n}") for n in ("eu", "us")}


def test_rotation_moves_every_account_to_the_new_key(env, sqlite_url):
    add(sqlite_url, Cipher(OLD), "eu", "us")
    code, out = rotate(env)
    assert code == 0, out
    assert "2 account(s) re-encrypted" in out
    assert OLD not in out and NEW not in out
    assert secrets_under(sqlite_url, Cipher(NEW)) == EXPECTED
    with pytest.raises(ConfigError, match="not the key they were saved with"):
        secrets_under(sqlite_url, Cipher(OLD))
    # Commands now refuse the old key and start with the new one.
    worker = ["worker", "--until-idle"]
    refused = CliRunner().invoke(cli_app, worker, env=env)
    assert refused.exit_code == 1 and "does not decrypt" in " ".join(refused.output.split())
    started = CliRunner().invoke(cli_app, worker, env={**env, "AMAZON_JOBS_SECRET_KEY": NEW})
    assert started.exit_code == 0, started.output


def test_a_failure_midway_leaves_everything_under_the_old_key(env, sqlite_url):
    add(sqlite_url, Cipher(OLD), "eu")
    add(sqlite_url, Cipher(generate_key()), "stray")  # saved under some other key
    add(sqlite_url, Cipher(OLD), "us")
    code, out = rotate(env)
    assert code == 1 and "cannot be decrypted" in out, out
    db = Database(sqlite_url)
    with db.read() as session:
        kept = {
            a.name: credentials(a, Cipher(OLD)).client_secret.get_secret_value()
            for a in session.scalars(select(Account).where(Account.name != "stray"))
        }
    db.dispose()
    assert kept == {"eu": "secret-of-eu", "us": "secret-of-us"}  # the first one too


def test_a_passphrase_installation_moves_to_a_real_key(env, sqlite_url):
    passphrase = "the passphrase of an old installation"
    add(sqlite_url, legacy_cipher(passphrase), "eu", "us")
    refused = CliRunner().invoke(
        cli_app, ["worker", "--until-idle"], env={**env, "AMAZON_JOBS_SECRET_KEY": passphrase}
    )
    assert refused.exit_code == 1
    assert "keys rotate" in " ".join(refused.output.split())
    assert passphrase not in refused.output
    code, out = rotate({**env, "AMAZON_JOBS_SECRET_KEY": passphrase})
    assert code == 0, out
    assert secrets_under(sqlite_url, Cipher(NEW)) == EXPECTED


@pytest.mark.parametrize("new", ["", "short", OLD], ids=["empty", "short", "the-old-key"])
def test_a_bad_new_key_changes_nothing(env, sqlite_url, new):
    add(sqlite_url, Cipher(OLD), "eu", "us")
    result = CliRunner().invoke(
        cli_app, ["keys", "rotate"], env={**env, "AMAZON_JOBS_NEW_SECRET_KEY": new}, input="\n"
    )
    assert result.exit_code != 0
    assert secrets_under(sqlite_url, Cipher(OLD)) == EXPECTED


def test_rotation_moves_shop_keys_too(env, sqlite_url):
    from amazon_jobs.store.models import Shop
    from amazon_jobs.store.shops import ShopSpec, add_shop, shop_key

    key = "K" * 32
    db = Database(sqlite_url)
    with db.transaction() as session:
        add_shop(
            session, ShopSpec("main", "https://shop.example", SecretStr(key)), Cipher(OLD), NOW
        )
    code, out = rotate(env)
    assert code == 0, out
    assert key not in out
    with db.read() as session:
        shop = session.scalars(select(Shop)).one()
        assert shop_key(shop, Cipher(NEW)) == key
        with pytest.raises(ConfigError):
            shop_key(shop, Cipher(OLD))
    db.dispose()
