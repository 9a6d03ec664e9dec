"""``amazon-jobs shop-simulator`` is a command and checks its key."""

from __future__ import annotations

from typer.testing import CliRunner

from amazon_jobs.cli.main import app


def test_the_command_is_registered_and_refuses_short_keys() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["shop-simulator", "--help"])
    assert shown.exit_code == 0 and "--fault-rate" in shown.output
    short = runner.invoke(app, ["shop-simulator", "--key", "short"])
    assert short.exit_code != 0 and "32 characters" in short.output
