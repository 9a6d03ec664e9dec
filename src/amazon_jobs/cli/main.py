"""``amazon-jobs``: the entry point and the commands that run things."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from amazon_jobs import __version__
from amazon_jobs.cli import accounts, catalog, inventory, jobs, orders, simulator, users
from amazon_jobs.cli.common import (
    console,
    friendly_errors,
    runtime,
    settings,
    setup_logging,
    state,
)
from amazon_jobs.crypto import generate_key
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.scheduler import Scheduler
from amazon_jobs.serving import serve_forever
from amazon_jobs.store import migrate
from amazon_jobs.worker import Worker, new_worker_id

app = typer.Typer(
    name="amazon-jobs",
    help="Durable, visible Amazon Jobs that keep a shop in sync with Amazon's SP-API.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(accounts.app, name="accounts")
app.add_typer(catalog.products, name="products")
app.add_typer(catalog.listings, name="listings")
app.add_typer(jobs.app, name="jobs")
app.add_typer(orders.app, name="orders")
app.add_typer(inventory.app, name="inventory")
app.command("simulator")(simulator.simulator)
app.add_typer(users.users, name="users")
app.add_typer(users.tokens, name="tokens")


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option(help="TOML configuration file (default: $AMAZON_JOBS_CONFIG)."),
    ] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        console.print(f"amazon-jobs {__version__}")
        raise typer.Exit()
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
    until_idle: Annotated[bool, typer.Option(help="Exit once every job is finished.")] = False,
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
    cfg = settings()
    with runtime(needs_key="amazon-jobs serve") as rt:
        host, port = host or cfg.web_host, port or cfg.web_port
        console.print(f"Amazon Jobs dashboard on http://{host}:{port}/")
        serve_forever(create_app(rt), host, port)


@app.command()
@friendly_errors
def demo(
    until_idle: Annotated[
        bool, typer.Option(help="Run the jobs to the end, print a summary and exit.")
    ] = False,
    scale: Annotated[float, typer.Option(help="How much faster than real time.")] = 60.0,
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8000,
    products: Annotated[int, typer.Option(min=20, help="Products in the demo catalog.")] = 240,
) -> None:
    """A simulated Amazon, a demo catalog and jobs of every type moving on a fast clock."""
    from amazon_jobs.demo import Demo, DemoOptions

    options = DemoOptions(products=products, scale=scale)
    demo_ = Demo.start(settings(), options)
    try:
        console.print(
            f"Simulator on {demo_.simulator_server.url}; catalog of {products} products; "
            f"clock {scale:g}x real time."
        )
        demo_.create_jobs()
        console.print(f"Created {len(demo_.job_ids)} job(s) of every kind.")
        if until_idle:
            demo_.run_to_the_end()
            _print_summary(demo_.summary())
        else:
            _serve_demo(demo_, port)
    finally:
        demo_.close()


def _serve_demo(demo_: object, port: int) -> None:
    from amazon_jobs.demo import DEMO_PASSWORD, DEMO_USER, Demo
    from amazon_jobs.serving import serve_in_thread
    from amazon_jobs.web.app import create_app

    assert isinstance(demo_, Demo)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threads = [
        threading.Thread(target=demo_.run_worker, args=(False, stop), daemon=True),
        threading.Thread(target=demo_.run_scheduler, args=(stop,), daemon=True),
        threading.Thread(target=demo_.shop_activity, args=(stop, console.print), daemon=True),
    ]
    for thread in threads:
        thread.start()
    with serve_in_thread(create_app(demo_.rt), port=port) as web:
        console.print(
            f"\n[bold green]Dashboard:[/] {web.url}/   log in as [bold]{DEMO_USER}[/] / "
            f"[bold]{DEMO_PASSWORD}[/]   (Ctrl-C to stop)\n"
        )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            stop.set()
    for thread in threads:
        thread.join(timeout=10)


def _print_summary(counts: dict[JobStatus, int]) -> None:
    table = Table("Job Status", "Jobs", title="Demo finished")
    for status in JobStatus:
        if counts.get(status):
            table.add_row(status.label, str(counts[status]))
    console.print(table)


def main() -> None:
    app()
