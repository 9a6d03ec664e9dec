"""``amazon-jobs jobs``: create, list, show, read the log of, and cancel jobs."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from amazon_jobs.account_channel import job_channel
from amazon_jobs.acknowledge import acknowledge_job
from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.policy import trace
from amazon_jobs.domain.verification import Verification
from amazon_jobs.handlers.reservation import Reservation, Selection
from amazon_jobs.service import (
    cancel_job,
    create_fulfillment_job,
    create_inventory_job,
    create_listings_job,
    create_orders_import_job,
    create_orders_to_shop_job,
    create_shipments_from_shop_job,
    retry_failed_items,
)
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.jobs import JobFilter, get_job, job_items, job_log, list_jobs
from amazon_jobs.store.models import Account, Job, JobItem

app = typer.Typer(help="Amazon Jobs: create, list, inspect, cancel and retry.")

STATUS_STYLE = {
    JobStatus.RESERVED: "magenta",
    JobStatus.CREATED: "blue",
    JobStatus.PROCESSING: "cyan",
    JobStatus.WAITING_FOR_RESULT: "yellow",
    JobStatus.DONE: "green",
    JobStatus.ERROR: "bold red",
    JobStatus.CANCELED: "dim",
}
#: Characters of a date as printed (``2026-03-01 14:05:09``).
DATE_WIDTH = len("2026-03-01 14:05:09")
#: From this many columns on, the jobs table has a column for each date.
WIDE = 120
LEVEL_STYLE = {"info": "", "warning": "yellow", "error": "bold red"}

SkuOption = Annotated[
    list[str] | None, typer.Option("--sku", help="A SKU to include (repeat for more).")
]
ChangedOption = Annotated[
    bool, typer.Option("--changed", help="Every listing whose shop value differs from Amazon's.")
]
AllOption = Annotated[bool, typer.Option("--all", help="Every eligible listing.")]
AccountOption = Annotated[str, typer.Option(help="Account name or id.")]
ChannelOption = Annotated[
    Channel | None,
    typer.Option(
        help="Force the job(s) through the JSON listings feed (feed) or the Listings Items "
        "API (listings-api); default, or auto: the account's channel setting decides.",
        show_default=False,
    ),
]


def status_text(status: str) -> str:
    s = JobStatus(status)
    return f"[{STATUS_STYLE[s]}]{s.label}[/]"


def _print_reservation(reservation: Reservation) -> None:
    for job in reservation.jobs:
        console.print(
            f"Job [bold]{job.id}[/] reserved: {job.items_total} item(s). "
            f"Follow it with `amazon-jobs jobs show {job.id}`."
        )
    if reservation.skipped:
        table = Table("SKU", "Why it was left out", title="Not included")
        for skipped_sku, why in reservation.skipped:
            table.add_row(escape(skipped_sku), why)
        console.print(table)


def _listings_command(name: str, job_type: JobType, *, changed_applies: bool) -> None:
    """Register ``jobs NAME`` creating *job_type* jobs for selected listings."""

    if changed_applies:

        def command(
            account: AccountOption,
            sku: SkuOption = None,
            changed: ChangedOption = False,
            all_: AllOption = False,
            channel: ChannelOption = None,
        ) -> None:
            selection = Selection(skus=tuple(sku or ()), changed=changed, all=all_)
            _create(job_type, account, selection, channel)

    else:

        def command(  # type: ignore[misc]
            account: AccountOption,
            sku: SkuOption = None,
            all_: AllOption = False,
            channel: ChannelOption = None,
        ) -> None:
            _create(job_type, account, Selection(skus=tuple(sku or ()), all=all_), channel)

    command.__doc__ = f"Create {job_type.label} job(s) for the selected listings."
    app.command(name)(friendly_errors(command))


def _create(job_type: JobType, account: str, selection: Selection, channel: Channel | None) -> None:
    with runtime() as rt:
        reservation = create_listings_job(rt, job_type, account, selection, channel=channel)
    _print_reservation(reservation)
    if channel is not None and channel is not Channel.AUTO:
        console.print(f"Forced through the {channel.label}.", highlight=False)


for _name, _type, _changed in (
    ("send-products", JobType.SEND_PRODUCTS, False),
    ("update-qty", JobType.UPDATE_QTY, True),
    ("update-price", JobType.UPDATE_PRICE, True),
    ("update-qty-price", JobType.UPDATE_QTY_PRICE, True),
    ("stop", JobType.STOP, False),
    ("stop-remove", JobType.STOP_REMOVE, False),
):
    _listings_command(_name, _type, changed_applies=_changed)


@app.command("fulfill-orders")
@friendly_errors
def fulfill_orders(
    account: AccountOption,
    order: Annotated[
        list[str] | None, typer.Option("--order", help="Only this Amazon order (repeatable).")
    ] = None,
) -> None:
    """Create an Orders Fulfillment job for the shipped orders not yet confirmed."""
    with runtime() as rt:
        job = create_fulfillment_job(rt, account, tuple(order or ()))
    console.print(f"Job [bold]{job.id}[/] reserved: {job.items_total} package(s).")


@app.command("inventory-report")
@friendly_errors
def inventory_report(account: AccountOption) -> None:
    """Create an Inventory Report job: download the listings report into Amazon Inventory."""
    with runtime() as rt:
        job = create_inventory_job(rt, account)
    console.print(f"Job [bold]{job.id}[/] created.")


@app.command("import-orders")
@friendly_errors
def import_orders(account: AccountOption) -> None:
    """Create an Orders Import job: new and updated orders since the last import."""
    with runtime() as rt:
        job = create_orders_import_job(rt, account)
    console.print(f"Job [bold]{job.id}[/] created.")


@app.command("orders-to-shop")
@friendly_errors
def orders_to_shop(
    account: AccountOption,
    order: Annotated[
        list[str] | None, typer.Option("--order", help="Only this Amazon order (repeatable).")
    ] = None,
) -> None:
    """Create an Orders to Shop job: the account's imported orders its shop does not have
    yet become shop orders (the scheduler makes these too)."""
    with runtime() as rt:
        job = create_orders_to_shop_job(rt, account, tuple(order or ()))
    console.print(f"Job [bold]{job.id}[/] reserved: {job.items_total} order(s).")


@app.command("shipments-from-shop")
@friendly_errors
def shipments_from_shop(
    shop: Annotated[str, typer.Option(help="Shop name or id.")],
) -> None:
    """Create a Shipments from Shop job: the shop's shipped orders become packages to
    confirm on Amazon, Amazon cancellations go back (the scheduler makes these too)."""
    from amazon_jobs.errors import SelectionError
    from amazon_jobs.store.shops import find_shop, job_account_id

    with runtime() as rt:
        with rt.db.read() as session:
            found = find_shop(session, shop)
            account_id = job_account_id(session, found.id)
        if account_id is None:
            raise SelectionError(
                f"no active account is linked to shop {found.name}: link one with "
                f"`amazon-jobs accounts link ACCOUNT --shop {found.name}`"
            )
        job = create_shipments_from_shop_job(rt, account_id)
    console.print(f"Job [bold]{job.id}[/] created: shipments of shop {found.name}.")


@app.command("list")
@friendly_errors
def list_(
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    status: Annotated[JobStatus | None, typer.Option(help="Only this status.")] = None,
    job_type: Annotated[JobType | None, typer.Option("--type", help="Only this type.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """The Amazon Jobs table, newest first."""
    with runtime() as rt, rt.db.read() as session:
        found = find_account(session, account, include_deleted=True) if account else None
        account_id = found.id if found else None
        rows = list_jobs(
            session, JobFilter(account_id=account_id, status=status, type=job_type), limit=limit
        )
    console.print(_jobs_table(rows) if rows else "No jobs.")


def _jobs_table(rows: list[tuple[Job, str]]) -> Table:
    """The jobs table; below :data:`WIDE` columns both dates share one column, one
    under the other, so that 80 columns hold it: dates are never wrapped or cut,
    the other columns wrap instead."""
    stacked = console.width < WIDE
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), pad_edge=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Amazon Account", min_width=7)
    table.add_column("Job Type", min_width=12)
    table.add_column("Job Status", min_width=9)
    if stacked:
        table.add_column("Created Date\nLast Update", no_wrap=True, min_width=DATE_WIDTH)
    else:
        table.add_column("Created Date", no_wrap=True, min_width=DATE_WIDTH)
        table.add_column("Last Update Date", no_wrap=True, min_width=DATE_WIDTH)
    table.add_column("Items", min_width=9)
    for job, account_name in rows:
        created, updated = fmt_time(job.created_at), fmt_time(job.updated_at)
        table.add_row(
            str(job.id),
            escape(account_name),
            JobType(job.type).label,
            status_text(job.status),
            *([f"{created}\n{updated}"] if stacked else [created, updated]),
            _counts(job),
        )
    return table


@app.command("show")
@friendly_errors
def show(
    job_id: Annotated[int, typer.Argument(help="The job id.")],
    items: Annotated[int, typer.Option(help="How many items to list.")] = 50,
) -> None:
    """A job: its status, Amazon's ids, counts and items."""
    with runtime() as rt, rt.db.read() as session:
        job = get_job(session, job_id)
        account = session.get_one(Account, job.account_id)
        job_rows = job_items(session, job_id)
    _print_job(job, account)
    table = Table("SKU", "Before", "Requested", "Sent", "Outcome", "Amazon says", "Shown by Amazon")
    for item in job_rows[:items]:
        table.add_row(
            escape(item.ref),
            _before(item.prior),
            _values(item.requested),
            _values(item.sent),
            item.outcome,
            escape(item.error_message or _answer(item.confirmed)),
            escape(_verification(item)),
        )
    console.print(table)
    if len(job_rows) > items:
        console.print(f"… {len(job_rows) - items} more item(s); use --items to see them.")


@app.command("log")
@friendly_errors
def log(job_id: Annotated[int, typer.Argument(help="The job id.")]) -> None:
    """A job's log: every transition, call to Amazon and error."""
    with runtime() as rt, rt.db.read() as session:
        get_job(session, job_id)
        lines = job_log(session, job_id)
    table = Table("Time", "Level", "Message", "Amazon request id")
    for line in lines:
        style = LEVEL_STYLE.get(line.level, "")
        table.add_row(
            fmt_time(line.at),
            f"[{style}]{line.level}[/]" if style else line.level,
            escape(line.message),
            line.request_id or "",
        )
    console.print(table)


@app.command("cancel")
@friendly_errors
def cancel(job_id: Annotated[int, typer.Argument(help="The job id.")]) -> None:
    """Cancel a reserved or created job (every item goes back to its prior state), or ask
    Amazon to cancel a feed it still has IN_QUEUE; the same rule as the dashboard's."""
    with runtime() as rt:
        done = cancel_job(rt, job_id)
    if done:
        console.print(f"Job {job_id} canceled; its items are back as they were.")
    else:
        console.print(
            f"Job {job_id}: cancel requested; the worker asks Amazon to cancel the feed, "
            f"which works while Amazon still has it queued (`amazon-jobs jobs log {job_id}`)."
        )


@app.command("retry")
@friendly_errors
def retry(job_id: Annotated[int, typer.Argument(help="The job id.")]) -> None:
    """New job(s) for a finished job's failed items that a retry can fix (not an unknown
    SKU, not a wrong EAN/UPC: those are named); the same rule as the dashboard's."""
    with runtime() as rt:
        jobs, left_out = retry_failed_items(rt, job_id)
    new, items = ", ".join(str(job.id) for job in jobs), sum(job.items_total for job in jobs)
    console.print(f"Job {job_id}: {items} failed item(s) sent again in job {new}.")
    for ref, why in left_out:
        console.print(f"  left out {escape(ref)}: {escape(why)}", highlight=False)


@app.command("ack")
@friendly_errors
def ack(job_id: Annotated[int, typer.Argument(help="The job id.")]) -> None:
    """Acknowledge a job in error: retention may then prune it."""
    with runtime() as rt:
        acknowledge_job(rt, job_id)
    console.print(f"Job {job_id} acknowledged.")


def _print_job(job: Job, account: Account) -> None:
    console.print(
        f"[bold]Job {job.id}[/] · {JobType(job.type).label} · {status_text(job.status)} · "
        f"account {escape(account.name)}"
    )
    console.print(
        f"Created {fmt_time(job.created_at)} · last update {fmt_time(job.updated_at)}"
        + (f" · finished {fmt_time(job.finished_at)}" if job.finished_at else "")
    )
    if job.amazon_ref:
        what = "report" if job.type == JobType.INVENTORY_REPORT else "feed"
        console.print(f"Amazon {what} {job.amazon_ref}: {job.amazon_status or '?'}")
    console.print(f"Items: {_counts(job)}")
    channel = job_channel(job.data)
    if channel is not None:
        console.print(f"Channel: {escape(channel.describe())}", highlight=False)
    if job.items_to_verify or job.items_flagged or job.items_warned:
        console.print(f"Verification: {_verify_counts(job)}")
    if job.error:
        console.print(f"[bold red]Error:[/] {escape(job.error)}")


def _counts(job: Job) -> str:
    counts = f"{job.items_ok} ok / {job.items_failed} failed / {job.items_total}"
    extra = _verify_counts(job)
    return f"{counts} · {extra}" if extra else counts


def _verify_counts(job: Job) -> str:
    """ "12 to verify · 1 flagged · 3 warned", the parts that are not 0."""
    parts = [
        (job.items_to_verify, "to verify"),
        (job.items_flagged, "flagged"),
        (job.items_warned, "warned"),
    ]
    return " · ".join(f"{count} {what}" for count, what in parts if count)


def _answer(confirmed: dict[str, Any] | None) -> str:
    """What Amazon confirmed, with its warnings and the issues found after acceptance."""
    lines = [_values(confirmed)]
    lines += [f"warning {text}" for text in (confirmed or {}).get("warnings") or []]
    lines += [f"issue {text}" for text in (confirmed or {}).get("issues") or []]
    return "\n".join(lines)


def _verification(item: JobItem) -> str:
    """The item's verification: its state, what Amazon showed, and what followed."""
    if item.verification is None:
        return "—"
    detail = item.verification_detail or {}
    lines = [Verification(item.verification).label]
    if detail.get("differs"):
        lines.append("Amazon shows " + ", ".join(detail["differs"]))
    if detail.get("resent_in"):
        lines.append(f"sent again in job {detail['resent_in']}")
    if detail.get("resend_skipped"):
        lines.append(f"not sent again: {detail['resend_skipped']}")
    lines += list(detail.get("issues") or [])
    if detail.get("reason"):
        lines.append(str(detail["reason"]))
    return "\n".join(lines)


def _values(values: dict[str, object] | None) -> str:
    if not values:
        return "—"
    parts, traced = trace(values)
    skipped = traced | {"warnings", "issues", "updated_at"}
    return ", ".join(parts + [f"{k}={v}" for k, v in values.items() if k not in skipped])


def _before(prior: dict[str, object]) -> str:
    if "confirmed_quantity" not in prior:
        return str(prior.get("state", "—"))
    return (
        f"{prior.get('state')}, qty={prior.get('confirmed_quantity')}, "
        f"price={prior.get('confirmed_price')}"
    )
