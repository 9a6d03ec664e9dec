"""``amazon-jobs accounts``: add, list, pause, resume, disable, enable and delete accounts,
and set the channel their listings jobs go through (``set-channel``).

Only an active account's jobs are made and run. After ``auth_failures_before_pause``
refused logins in a row the worker pauses an account; ``resume`` it once its
credentials are fixed. ``delete`` keeps the account's jobs as history.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import SecretStr
from rich.markup import escape
from rich.table import Table

from amazon_jobs.account_channel import (
    account_setting,
    change_account_channel,
    parse_setting,
    set_account_channel,
    setting_label,
    setting_name,
)
from amazon_jobs.accounts import add_account, check_endpoints, delete_account, set_account_status
from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.cli.policy import app as policy_app
from amazon_jobs.domain.account_status import AccountAction, AccountStatus, unavailable
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.endpoints import is_custom
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.account_status import open_jobs
from amazon_jobs.store.accounts import AccountSpec, find_account, list_accounts
from amazon_jobs.store.models import Account

app = typer.Typer(
    help="Amazon accounts: seller id, region, marketplace and LWA credentials; their state."
)
app.add_typer(policy_app, name="policy")

Name = Annotated[str, typer.Argument(help="The account's name (or id).")]
Reason = Annotated[
    str | None, typer.Option(help="Why (kept with the action, shown on the activity page).")
]
CHANNEL_HELP = (
    "How its listings jobs reach Amazon: auto (the faster, per job), feed (the JSON listings "
    "feed), listings-api (the Listings Items API), or default (the installation's channel "
    "setting)."
)


@app.command("add")
@friendly_errors
def add(
    name: Annotated[str, typer.Option(help="A name for the account, unique.")],
    seller_id: Annotated[str, typer.Option(help="The seller (merchant) id, e.g. A2EXAMPLE.")],
    marketplace: Annotated[str, typer.Option(help="Marketplace id, e.g. ATVPDKIKX0DER (US).")],
    client_id: Annotated[str, typer.Option(help="LWA client id of your SP-API application.")],
    client_secret: Annotated[
        str | None,
        typer.Option(
            envvar="AMAZON_JOBS_LWA_CLIENT_SECRET",
            show_default=False,
            help="LWA client secret (prompted for if not given).",
        ),
    ] = None,
    refresh_token: Annotated[
        str | None,
        typer.Option(
            envvar="AMAZON_JOBS_LWA_REFRESH_TOKEN",
            show_default=False,
            help="The seller's LWA refresh token (prompted for if not given).",
        ),
    ] = None,
    region: Annotated[str, typer.Option(help="na, eu or fe.")] = "na",
    endpoint: Annotated[
        str | None,
        typer.Option(
            help="SP-API base URL; default: Amazon's for the region. Another host (the "
            "simulator) needs the allow_custom_endpoints setting."
        ),
    ] = None,
    lwa_url: Annotated[
        str | None,
        typer.Option(help="LWA token URL; default: Amazon's (another: as for --endpoint)."),
    ] = None,
    orders_api: Annotated[
        str, typer.Option(help="Orders API to import with: 2026-01-01, or v0 (until 2027-03-27).")
    ] = "2026-01-01",
    channel: Annotated[
        str, typer.Option(metavar="auto|feed|listings-api|default", help=CHANNEL_HELP)
    ] = "default",
) -> None:
    """Add an account; its secrets are stored encrypted and never shown again."""
    with runtime(needs_key="amazon-jobs accounts add") as rt:
        check_endpoints(rt, endpoint, lwa_url)
        wanted = parse_setting(channel)
        # Asked only once the key, the URLs and the channel are known to be good: no
        # secret typed in vain.
        secret = client_secret or typer.prompt("Client secret", hide_input=True)
        refresh = refresh_token or typer.prompt("Refresh token", hide_input=True)
        spec = AccountSpec(
            name=name,
            seller_id=seller_id,
            region=region,
            marketplace_id=marketplace,
            lwa_client_id=client_id,
            lwa_client_secret=SecretStr(secret),
            refresh_token=SecretStr(refresh),
            endpoint=endpoint,
            lwa_token_url=lwa_url,
            orders_api=orders_api,
        )
        with rt.db.transaction() as session:
            account = add_account(rt, session, spec)
            change_account_channel(rt, session, account, wanted)
            console.print(f"Account [bold]{account.name}[/] added (id {account.id}).")


@app.command("list")
@friendly_errors
def list_() -> None:
    """List the accounts."""
    with runtime() as rt, rt.db.read() as session:
        accounts, default = list_accounts(session), rt.settings.channel
    table = Table(
        "ID",
        "Name",
        "State",
        "Seller",
        "Region",
        "Marketplace",
        "Orders API",
        "Channel",
        "Endpoint",
        "Added",
    )
    for a in accounts:
        table.add_row(
            str(a.id),
            a.name,
            _state(a),
            a.seller_id,
            a.region,
            a.marketplace_id,
            a.orders_api,
            _channel(a, default),
            a.endpoint + (" (custom)" if is_custom(a.endpoint, a.lwa_token_url) else ""),
            fmt_time(a.created_at),
        )
    console.print(
        table if accounts else "No accounts yet: add one with `amazon-jobs accounts add`."
    )


def _channel(account: Account, default: Channel) -> str:
    """``feed``, or ``default (auto)`` for an account that goes by the installation's."""
    setting = account_setting(account)
    return setting.value if setting is not None else f"default ({default.value})"


def _state(account: Account) -> str:
    status = AccountStatus(account.status)
    if status is AccountStatus.ACTIVE:
        return status.value
    said = unavailable(account.name, status, account.status_reason, account.auth_failures)
    return f"{status}: {said}"


def _change(rt: Runtime, name: str, action: AccountAction, reason: str | None) -> Account:
    with rt.db.read() as session:
        account_id = find_account(session, name).id
    account, changed = set_account_status(rt, account_id, action, reason=reason)
    if not changed:
        console.print(f"Account {account.name} is {account.status} already: nothing changed.")
    return account


@app.command("pause")
@friendly_errors
def pause(name: Name, reason: Reason = None) -> None:
    """Pause an account: no job is made for it, and its queued jobs wait until resumed."""
    with runtime() as rt:
        account = _change(rt, name, AccountAction.PAUSE, reason)
    console.print(f"Account [bold]{account.name}[/] is paused: resume it to run its jobs again.")


@app.command("resume")
@friendly_errors
def resume(name: Name, reason: Reason = None) -> None:
    """Resume a paused account (fix refused credentials first): its queued jobs run."""
    with runtime() as rt:
        account = _change(rt, name, AccountAction.RESUME, reason)
    console.print(f"Account [bold]{account.name}[/] is active: its queued jobs run now.")


@app.command("disable")
@friendly_errors
def disable(name: Name, reason: Reason = None) -> None:
    """Disable an account until it is enabled: no job is made for it, queued ones wait."""
    with runtime() as rt:
        account = _change(rt, name, AccountAction.DISABLE, reason)
    console.print(f"Account [bold]{account.name}[/] is disabled.")


@app.command("enable")
@friendly_errors
def enable(name: Name, reason: Reason = None) -> None:
    """Enable a disabled account: its queued jobs run."""
    with runtime() as rt:
        account = _change(rt, name, AccountAction.ENABLE, reason)
    console.print(f"Account [bold]{account.name}[/] is active: its queued jobs run now.")


@app.command("delete")
@friendly_errors
def delete(
    name: Name,
    reason: Reason = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete an account with no open job: its secrets are erased, its jobs kept as
    history (under "<name> (deleted #<id>)"), and its name is free for a new account."""
    with runtime() as rt:
        with rt.db.read() as session:
            found = find_account(session, name)
            account_id, count = found.id, open_jobs(session, found.id)
        if not yes and not count:
            typer.confirm(
                f"Delete account {found.name}? Its credentials are erased; its jobs stay.",
                abort=True,
            )
        old, account = delete_account(rt, account_id, reason=reason)
    console.print(
        f"Account [bold]{old}[/] deleted; its jobs stay, under {account.name!r}.", highlight=False
    )


@app.command("set-channel")
@friendly_errors
def set_channel(
    name: Name,
    channel: Annotated[
        str,
        typer.Argument(
            metavar="auto|feed|listings-api|default", help=CHANNEL_HELP, show_default=False
        ),
    ],
    reason: Reason = None,
) -> None:
    """Set how the account's listings jobs reach Amazon; a job can still be forced either
    way (`jobs update-qty --channel ...`)."""
    with runtime() as rt:
        change = set_account_channel(rt, name, channel, reason=reason)
        default = rt.settings.channel
    said = setting_name(change.after)
    label = setting_label(change.after, default)
    if not change.changed:
        console.print(
            f"Account {escape(change.account.name)} uses {said} already: nothing changed.",
            highlight=False,
        )
        return
    console.print(
        f"Account [bold]{escape(change.account.name)}[/] now uses {said} ({label}); it used "
        f"{setting_name(change.before)}.",
        highlight=False,
    )


@app.command("link")
@friendly_errors
def link(
    name: Name,
    shop: Annotated[
        str | None, typer.Option(help="The shop the account's catalog comes from.")
    ] = None,
    manual: Annotated[
        bool, typer.Option("--manual", help="Back to the manual shop (CSV/API catalog).")
    ] = False,
) -> None:
    """Link the account to a shop (--shop NAME) or to the manual shop (--manual)."""
    from amazon_jobs.shops import link_account
    from amazon_jobs.store.shops import find_shop

    if (shop is None) == (not manual):
        raise typer.BadParameter("give --shop NAME or --manual", param_hint="--shop")
    with runtime() as rt, rt.db.transaction() as session:
        account = find_account(session, name)
        target = find_shop(session, shop) if shop is not None else None
        link_account(rt, session, account, target)
        where = f"shop {target.name}" if target else "the manual shop (CSV/API catalog)"
        console.print(f"Account [bold]{account.name}[/] linked to {where}.")
