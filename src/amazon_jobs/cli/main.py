"""``amazon-jobs``: the entry point and the commands that run things."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from amazon_jobs import __version__
from amazon_jobs.cli import (
    accounts,
    catalog,
    inventory,
    jobs,
    keys,
    orders,
    shops,
    simulator,
    users,
)
from amazon_jobs.cli.common import console, friendly_errors, runtime, setup_logging, state
from amazon_jobs.cli.demo import demo
from amazon_jobs.cli.help import hide_flag_types
from amazon_jobs.cli.ports import check_port_free
from amazon_jobs.cli.shop_simulator import shop_simulator
from amazon_jobs.crypto import generate_key
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.serving import serve_forever
from amazon_jobs.store import migrate
from amazon_jobs.worker import Worker, new_worker_id

hide_flag_types()

app = typer.Typer(
    name="amazon-jobs",
    help="Durable, visible Amazon Jobs that keep a shop in sync with Amazon's SP-API.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(accounts.app, name="accounts")
app.add_typer(shops.app, name="shops")
app.add_typer(catalog.products, name="products")
app.add_typer(catalog.listings, name="listings")
app.add_typer(jobs.app, name="jobs")
app.add_typer(orders.app, name="orders")
app.add_typer(inventory.app, name="inventory")
app.command("simulator")(simulator.simulator)
app.command("shop-simulator")(shop_simulator)
app.add_typer(users.users, name="users")
app.add_typer(users.tokens, name="tokens")
app.add_typer(keys.app, name="keys")
app.command("demo")(demo)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"amazon-jobs {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option(help="TOML configuration file (default: $AMAZON_JOBS_CONFIG)."),
    ] = None,
    version: Annotated[  # noqa: ARG001 (handled by its callback)
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,  # before the command is looked for: `amazon-jobs --version`
        ),
    ] = False,
) -> None:
    state.config_file = config


@app.command()
@friendly_errors
def init() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    with runtime() as rt:
        before = migrate.current_revision(rt.db)
        migrate.upgrade(rt.db)
        after = migrate.current_revision(rt.db)
        console.print(
            f"Database {rt.db!r}: schema at revision {after}"
            + (" (already up to date)." if before == after else f" (was {before or 'empty'}).")
        )


@app.command()
def keygen() -> None:
    """Print a new key for AMAZON_JOBS_SECRET_KEY."""
    console.print(generate_key())


@app.command()
@friendly_errors
def worker(
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Exit once every job is finished.")
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Steps run at once.")] = 1,
    scheduler: Annotated[
        bool,
        typer.Option(
            help="Also run the scheduler (automatic sync, periodic imports, retention); "
            "one process acts at a time however many run it."
        ),
    ] = True,
) -> None:
    """Advance due jobs step by step, within Amazon's quotas (SIGTERM: finish and stop)."""
    setup_logging()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with runtime(needs_key="amazon-jobs worker") as rt:
        engine = Worker(rt, concurrency=concurrency)
        planner = None
        if scheduler and not until_idle:
            planner = threading.Thread(
                target=Scheduler(rt, engine.worker_id).run, args=(stop,), daemon=True
            )
            planner.start()
        try:
            stats = engine.run(until_idle=until_idle, stop=stop)
        finally:
            stop.set()
            if planner:
                planner.join(timeout=30)
    console.print(f"Worker stopped after {stats.steps} step(s).")


@app.command("scheduler")
@friendly_errors
def scheduler_command() -> None:
    """Run only the scheduler (when workers run with --no-scheduler)."""
    setup_logging()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with runtime(needs_key="amazon-jobs scheduler") as rt:
        try:
            Scheduler(rt, new_worker_id()).run(stop)
        except KeyboardInterrupt:
            stop.set()


@app.command()
@friendly_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the Amazon Jobs dashboard."""
    from amazon_jobs.web.app import create_app

    setup_logging()
    # The address given here is also a host name the app answers to (allowed_hosts).
    with runtime(needs_key="amazon-jobs serve", web_host=host, web_port=port) as rt:
        host, port = rt.settings.web_host, rt.settings.web_port
        check_port_free(host, port, how_to_choose="choose another with --port")
        console.print(f"Amazon Jobs dashboard on http://{host}:{port}/")
        serve_forever(create_app(rt), host, port)


def main() -> None:
    app()
