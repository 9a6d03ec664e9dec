"""A selling policy through the REST API and the CLI, on both databases: set, read,
refused with the field named (nothing written), cleared; each change in the Activity
log; the listings it makes due."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from amazon_jobs.cli.main import app as cli_app
from amazon_jobs.store.models import Action, SellingPolicyRow
from tests.conftest import SECRET_KEY
from tests.integration.api_helpers import assert_error

pytestmark = pytest.mark.timeout(120)


def actions(shop) -> list[str]:
    with shop.rt.db.read() as session:
        return list(
            session.scalars(
                select(Action.detail).where(Action.action == "account_policy").order_by(Action.id)
            )
        )


def test_the_api_sets_reads_refuses_and_clears_a_policy(shop, web):
    path = f"/api/v1/accounts/{shop.account_id}/policy"
    empty = web.api.get(path).json()
    assert empty["is_set"] is False and empty["description"] == "none"
    assert empty["listings_due"] == 0

    body = {"qty_reserve": 2, "qty_cap": 10, "price_markup_pct": "12", "price_ending": "0.99"}
    answer = web.api.put(path, json=body)
    assert answer.status_code == 200, answer.text
    policy = answer.json()
    assert policy["is_set"] is True
    assert policy["description"] == "reserve 2, cap 10; +12 %, ends .99"
    assert policy["listings_due"] == 12  # every active listing's quantity or price moves
    assert web.api.get(path).json() == policy

    error = assert_error(web.api.put(path, json={"price_floor": "20", "price_ceiling": "10"}), 422)
    assert error["details"] == [
        {"where": "body.price_floor", "problem": "must not be above the ceiling"}
    ]
    error = assert_error(web.api.put(path, json={"qty_source": "percent"}), 422)
    assert error["details"][0]["where"] == "body.qty_percent"
    error = assert_error(web.api.put(path, json={"price_rate": "0"}), 422)
    assert error["details"][0]["where"] == "body.price_rate"
    assert web.api.get(path).json() == policy  # nothing written

    cleared = web.api.put(path, json={}).json()
    assert cleared["is_set"] is False and cleared["listings_due"] == 0
    assert actions(shop) == [
        "set the selling policy of account us: reserve 2, cap 10; +12 %, ends .99",
        "cleared the selling policy of account us",
    ]
    assert_error(web.api.get("/api/v1/accounts/999/policy"), 404)


@pytest.fixture
def run(shop, db_url: str, tmp_path: Path):
    env = {
        "AMAZON_JOBS_HOME": str(tmp_path / "cli-home"),
        "AMAZON_JOBS_CONFIG": None,
        "AMAZON_JOBS_DATABASE_URL": db_url,
        "AMAZON_JOBS_SECRET_KEY": SECRET_KEY,
        "COLUMNS": "200",
    }

    def invoke(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(cli_app, list(args), env=env)
        assert (result.exit_code == 0) is ok, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_the_cli_changes_only_the_settings_given(shop, run):
    out = run("accounts", "policy", "set", "us", "--qty-reserve", "2", "--price-round", "0.99")
    assert "In words: reserve 2; ends .99" in out
    out = run("accounts", "policy", "set", "us", "--qty-percent", "50", "--qty-cap", "10")
    assert "In words: 50 % of stock, reserve 2, cap 10; ends .99" in out
    assert "12 listing(s) differ from Amazon" in out
    out = run("accounts", "policy", "set", "us", "--qty-cap", "none", "--qty-source", "shop")
    assert "In words: reserve 2; ends .99" in out
    refused = run("accounts", "policy", "set", "us", "--price-floor", "-3", ok=False)
    assert "price_floor: must be more than 0" in refused
    assert "reserve 2; ends .99" in run("accounts", "policy", "show", "us")
    out = run("accounts", "policy", "set", "us", "--clear")
    assert "In words: none (no policy: the shop's values)" in out
    with shop.rt.db.read() as session:
        assert session.scalar(select(SellingPolicyRow)) is None
    assert len(actions(shop)) == 4
