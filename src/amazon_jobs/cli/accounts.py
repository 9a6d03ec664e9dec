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
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            envvar="AMAZON_JOBS_LWA_CLIENT_SECRET",
            help="LWA client secret (prompted for if not given).",
        ),
    ],
    refresh_token: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            envvar="AMAZON_JOBS_LWA_REFRESH_TOKEN",
            help="The seller's LWA refresh token (prompted for if not given).",
        ),
    ],
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
    spec = AccountSpec(
        name=name,
        seller_id=seller_id,
        region=region,
        marketplace_id=marketplace,
        lwa_client_id=client_id,
        lwa_client_secret=SecretStr(client_secret),
        refresh_token=SecretStr(refresh_token),
        endpoint=endpoint,
        lwa_token_url=lwa_url,
        orders_api=orders_api,
    )
    with runtime() as rt, rt.db.transaction() as session:
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
