"""``amazon-jobs demo`` only ever uses a data directory it created itself."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.config import load_settings
from amazon_jobs.demo import MARKER, claim_demo_home
from amazon_jobs.store import migrate
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import ApiToken, User
from amazon_jobs.store.users import add_user, create_api_token
from tests.conftest import SECRET_KEY, T0

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def restore_process_state() -> Iterator[None]:
    handlers = list(logging.getLogger().handlers)
    term = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, term)
    logging.getLogger().handlers[:] = handlers


def real_installation(home: Path) -> str:
    """A data directory with a database holding a user and an API token."""
    home.mkdir(parents=True)
    url = f"sqlite:///{home / 'amazon-jobs.db'}"
    db = Database(url)
    migrate.upgrade(db)
    with db.transaction() as session:
        user = add_user(session, "owner", "a long password 123", T0)
        create_api_token(session, user, "ci", T0)
    db.dispose()
    return url


def counts(url: str) -> tuple[int, int]:
    db = Database(url)
    with db.read() as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        tokens = session.scalar(select(func.count()).select_from(ApiToken)) or 0
    db.dispose()
    return users, tokens


def run_demo(env: dict[str, str | None]) -> tuple[int, str]:
    args = ["demo", "--until-idle", "--products", "20", "--scale", "600"]
    result = CliRunner().invoke(cli_app, args, env={"AMAZON_JOBS_CONFIG": None, **env})
    return result.exit_code, " ".join(result.output.split())


def test_the_demo_refuses_a_real_installations_directory(tmp_path, restore_process_state):
    home = tmp_path / "real"
    url = real_installation(home)
    env = {"AMAZON_JOBS_HOME": str(home), "AMAZON_JOBS_SECRET_KEY": SECRET_KEY}
    for database in (None, url):
        code, out = run_demo({**env, "AMAZON_JOBS_DATABASE_URL": database})
        assert code == 1, out
        assert "was not created by the demo" in out and MARKER in out
    assert counts(url) == (1, 1)
    assert not (home / MARKER).exists()


def test_the_demo_refuses_a_database_outside_its_directory(tmp_path, restore_process_state):
    url = real_installation(tmp_path / "real")
    env = {"AMAZON_JOBS_HOME": str(tmp_path / "demo"), "AMAZON_JOBS_DATABASE_URL": url}
    code, out = run_demo(env)
    assert code == 1 and "SQLite file inside its data directory" in out, out
    assert counts(url) == (1, 1)
    postgres = {**env, "AMAZON_JOBS_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x"}
    assert run_demo(postgres)[0] == 1


def test_the_demo_creates_and_reuses_its_own_directory(tmp_path, restore_process_state):
    home = tmp_path / "demo"
    env = {"AMAZON_JOBS_HOME": str(home), "AMAZON_JOBS_DATABASE_URL": None}
    code, out = run_demo(env)
    assert code == 0 and "Demo finished" in out, out
    assert (home / MARKER).exists() and (home / "amazon-jobs.db").exists()
    # The next demo finds the directory full of the demo's files, and takes it: the
    # guard it passes is this one (a second run, which continues the first, is
    # tests/acceptance/test_first_five_minutes.py's).
    settings = load_settings(environ={"AMAZON_JOBS_HOME": str(home)})
    assert claim_demo_home(settings) == home.resolve()
    assert (home / MARKER).exists()
