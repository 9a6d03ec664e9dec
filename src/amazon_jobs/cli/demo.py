"""``amazon-jobs demo``: the demo with its dashboard, or run to the end (``--until-idle``)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from amazon_jobs.cli.common import console, friendly_errors, settings
from amazon_jobs.cli.ports import check_port_free
from amazon_jobs.demo_summary import DemoSummary
from amazon_jobs.domain.jobs import JobStatus
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.serving import DEFAULT_HOST

DEFAULT_PORT = 8000


@friendly_errors
def demo(
    until_idle: Annotated[
        bool,
        typer.Option("--until-idle", help="Run the jobs to the end, print a summary and exit."),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Empty the earlier demo's data and start over (without it, the demo "
            "continues where it stopped).",
        ),
    ] = False,
    scale: Annotated[float, typer.Option(help="How much faster than real time.")] = 60.0,
    port: Annotated[int, typer.Option(help="Dashboard port.")] = DEFAULT_PORT,
    products: Annotated[
        int, typer.Option(min=20, help="Products in the demo catalog (a new demo only).")
    ] = 240,
    shop_every: Annotated[
        float,
        typer.Option(
            min=0,
            help="Real seconds between two rounds of the simulated shop's sales, price "
            "changes and shipments (0: none).",
        ),
    ] = 20.0,  # DemoOptions.sales_every_s (amazon_jobs.demo loads only when the demo runs)
) -> None:
    """A simulated Amazon, a demo catalog and jobs of every type moving on a fast clock.

    Run again, the demo continues where it stopped; --fresh starts over.
    """
    from amazon_jobs.demo import Demo, DemoOptions

    if not until_idle:
        # Before anything changes: a taken port is a one-line answer, not a traceback.
        check_port_free(DEFAULT_HOST, port, how_to_choose=_another_port(port))
    options = DemoOptions(products=products, scale=scale, sales_every_s=shop_every)
    demo_ = Demo.start(settings(), options, fresh=fresh)
    try:
        earlier = demo_.earlier
        if earlier is None:
            console.print(
                f"New demo: simulator on {demo_.simulator_server.url}; catalog of "
                f"{demo_.options.products} products; clock {scale:g}x real time."
            )
        else:
            console.print(
                f"Continuing the demo started {earlier.started_at:%Y-%m-%d %H:%M} (demo "
                f"time): {earlier.jobs} job(s) kept; clock {scale:g}x real time, "
                "resumed where it stopped. `make demo FRESH=1` (or --fresh) starts over."
            )
            if earlier.at_amazon:
                console.print(
                    f"{earlier.at_amazon} job(s) were waiting for the earlier run's simulated "
                    "Amazon, which starts again empty-handed: they end in Error."
                )
        if until_idle or earlier is None:
            demo_.create_jobs()
            console.print(f"Created {len(demo_.job_ids)} job(s) of every kind.")
        if until_idle:
            demo_.run_to_the_end()
            _print_summary(demo_.summary())
        else:
            _serve_demo(demo_, port)
    finally:
        demo_.close()


def _another_port(port: int) -> str:
    other = port + 1
    return f"choose another: `make demo PORT={other}` or `amazon-jobs demo --port {other}`"


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
    try:
        try:
            web = serve_in_thread(create_app(demo_.rt), port=port)
        except OSError as exc:  # taken since the check at the start
            raise AmazonJobsError(f"port {port}: {exc.strerror}: {_another_port(port)}") from None
        with web:
            console.print(
                f"\n[bold green]Dashboard:[/] {web.url}/   log in as [bold]{DEMO_USER}[/] / "
                f"[bold]{DEMO_PASSWORD}[/]   (Ctrl-C to stop)\n"
            )
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


def _print_summary(summary: DemoSummary) -> None:
    table = Table("Job Status", "Jobs", "Items ok", "Items failed", title="Demo finished")
    for status in JobStatus:
        if status in summary.by_status:
            jobs, ok, failed = summary.by_status[status]
            table.add_row(status.label, str(jobs), str(ok), str(failed))
    console.print(table)
    console.print(
        f"{summary.items_ok} item(s) ok, {summary.items_failed} failed with Amazon's reason; "
        f"{summary.refused_confirmations} shipment confirmation(s) refused by Amazon."
    )
    for job in summary.error_jobs:
        console.print(f"Error: job {job.job_id} ({job.job_type.label}): {escape(job.reason)}")
    if summary.failed_items:
        items = Table("Job", "Job Type", "Item", "Amazon says", title="Failed items (first ones)")
        for item in summary.failed_items:
            items.add_row(
                str(item.job_id), item.job_type.label, escape(item.ref), escape(item.reason)
            )
        console.print(items)
    console.print("Details: `amazon-jobs jobs show <id>`, or the dashboard (`make demo`).")
