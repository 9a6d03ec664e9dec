"""``amazon-jobs users`` and ``tokens``: roles, scopes, expiry, taking access away."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.cli.users import parse_expiry
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.api_tokens import token_grant
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import ApiToken, User

PASSWORD = "a long password 123"


@pytest.fixture
def run(db_url: str, tmp_path: Path):
    env = {
        "AMAZON_JOBS_HOME": str(tmp_path / "home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": db_url,
        "AMAZON_JOBS_NEW_PASSWORD": PASSWORD,
        "COLUMNS": "300",
    }

    def invoke(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(cli_app, list(args), env=env)
        assert (result.exit_code == 0) is ok, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_users_and_tokens_from_the_command_line(run, db_url):
    assert "added as admin" in run("users", "add", "first")  # no admin yet
    assert "added as operator" in run("users", "add", "second")
    assert "added as viewer" in run("users", "add", "third", "--role", "viewer")
    refused = run("tokens", "create", "--user", "second", "--scope", "admin", ok=False)
    assert "cannot have the admin scope" in refused and "only operator" in refused
    out = run("tokens", "create", "--user", "second", "--scope", "viewer", "--expires-in", "2h")
    token = out.strip().splitlines()[-1]
    assert token.startswith("aj_") and "viewer, until" in out
    db = Database(db_url)
    with db.transaction() as session:
        assert token_grant(session, token, datetime.now(UTC)).role.value == "viewer"
        assert token_grant(session, token, datetime.now(UTC) + timedelta(hours=3)) is None
        token_id = session.scalars(select(ApiToken.id)).one()
    listed = run("tokens", "list")
    assert re.search(rf"{token_id}\s.*second.*viewer.*active", listed) and token not in listed
    assert "Token" in run("tokens", "revoke", str(token_id))
    assert "revoked" in run("tokens", "list", "--user", "second")
    assert "no live token" in run("tokens", "revoke", str(token_id), ok=False)
    with db.transaction() as session:
        assert token_grant(session, token, datetime.now(UTC)) is None

    assert "now admin" in run("users", "set-role", "second", "admin")
    assert "is disabled" in run("users", "disable", "second")
    assert "disabled" in run("users", "list")
    assert "is enabled" in run("users", "enable", "second")
    assert "0 session(s) of second ended" in run("users", "logout", "second")
    assert "session(s) ended" in run("users", "passwd", "second")
    assert "is deleted" in run("users", "delete", "third", "--yes")
    assert "no user 'third'" in run("users", "disable", "third", ok=False)
    with db.read() as session:
        names = set(session.scalars(select(User.username)))
    assert names == {"first", "second"}
    db.dispose()


def test_the_last_admin_cannot_be_removed(run):
    run("users", "add", "only")
    for args in (
        ("set-role", "only", "operator"),
        ("disable", "only"),
        ("delete", "only", "--yes"),
    ):
        assert "last enabled admin" in run("users", *args, ok=False)


def test_expiry_options():
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_expiry("30d", None, now) == now + timedelta(days=30)
    assert parse_expiry(None, "2027-02-01", now) == datetime(2027, 2, 1, tzinfo=UTC)
    assert parse_expiry(None, None, now) is None
    for bad in (("1y", None), (None, "soon"), ("1d", "2027-02-01")):
        with pytest.raises(AmazonJobsError):
            parse_expiry(*bad, now)
