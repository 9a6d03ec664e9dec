"""``amazon-jobs accounts``: add and list Amazon accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import SecretStr
from rich.table import Table

from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.store.accounts import AccountSpec, add_account, list_accounts

app = typer.Typer(help="Amazon accounts: seller id, region, marketplace and LWA credentials.")


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
        str | None, typer.Option(help="SP-API base URL; default: Amazon's for the region.")
    ] = None,
    lwa_url: Annotated[str | None, typer.Option(help="LWA token URL; default: Amazon's.")] = None,
    orders_api: Annotated[
        str, typer.Option(help="Orders API to import with: 2026-01-01, or v0 (until 2027-03-27).")
    ] = "2026-01-01",
) -> None:
    """Add an account; its secrets are stored encrypted and never shown again."""
    with runtime(needs_key="amazon-jobs accounts add") as rt:
        # Asked only once the key is known to be there: no secret typed in vain.
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
            account = add_account(session, spec, rt.cipher, rt.clock.now())
            console.print(f"Account [bold]{account.name}[/] added (id {account.id}).")


@app.command("list")
@friendly_errors
def list_() -> None:
    """List the accounts."""
    with runtime() as rt, rt.db.read() as session:
        accounts = list_accounts(session)
    table = Table(
        "ID", "Name", "Seller", "Region", "Marketplace", "Orders API", "Endpoint", "Added"
    )
    for a in accounts:
        table.add_row(
            str(a.id),
            a.name,
            a.seller_id,
            a.region,
            a.marketplace_id,
            a.orders_api,
            a.endpoint,
            fmt_time(a.created_at),
        )
    console.print(
        table if accounts else "No accounts yet: add one with `amazon-jobs accounts add`."
    )
