"""``amazon-jobs shops``: add, list, show, test, edit, delete shops, sync their catalog,
and show or change their connector settings.

A shop's Webservice key is stored encrypted and never shown; give it with
``--key``, the ``AMAZON_JOBS_SHOP_KEY`` environment variable, or at the prompt
(so it stays out of the shell's history).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from pydantic import SecretStr
from rich.markup import escape
from rich.table import Table

from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.shop.settings import (
    SETTING_KEYS,
    change_settings,
    parse_settings,
    settings_problems,
)
from amazon_jobs.shops import (
    add_shop,
    check_shop_url,
    create_catalog_sync,
    delete_shop,
    record_settings_change,
    test_connection,
    update_shop,
)
from amazon_jobs.store.shops import (
    SHOP_KINDS,
    ShopChanges,
    ShopSpec,
    find_shop,
    linked_accounts,
    list_shops,
)

app = typer.Typer(help="Shops the catalog comes from and Amazon orders go to (PrestaShop).")

Name = Annotated[str, typer.Argument(help="The shop's name (or id).")]
KEY_HELP = "Webservice key, 32 characters (prompted for if not given)."


@app.command("add")
@friendly_errors
def add(
    kind: Annotated[str, typer.Argument(help="The shop's software: prestashop.")],
    name: Annotated[str, typer.Option(help="A name for the shop, unique.")],
    url: Annotated[str, typer.Option(help="The shop's base URL, e.g. https://shop.example.")],
    key: Annotated[
        str | None,
        typer.Option(envvar="AMAZON_JOBS_SHOP_KEY", show_default=False, help=KEY_HELP),
    ] = None,
) -> None:
    """Add a shop; its key is stored encrypted and never shown again."""
    if kind not in SHOP_KINDS:
        raise AmazonJobsError(f"unknown shop kind {kind!r}: use {', '.join(SHOP_KINDS)}")
    with runtime(needs_key="amazon-jobs shops add") as rt:
        check_shop_url(rt, url)
        secret = key or typer.prompt("Webservice key", hide_input=True)
        with rt.db.transaction() as session:
            shop = add_shop(rt, session, ShopSpec(name, url, SecretStr(secret), kind))
            console.print(
                f"Shop [bold]{shop.name}[/] added (id {shop.id}). Test it with "
                f"`amazon-jobs shops test {shop.name}`, link an account with "
                f"`amazon-jobs accounts link ACCOUNT --shop {shop.name}`."
            )


@app.command("list")
@friendly_errors
def list_() -> None:
    """List the shops."""
    with runtime() as rt, rt.db.read() as session:
        table = Table("ID", "Name", "Kind", "URL", "Status", "Accounts", "Catalog synced")
        for shop in list_shops(session):
            accounts = ", ".join(a.name for a in linked_accounts(session, shop.id)) or "-"
            table.add_row(
                str(shop.id),
                shop.name,
                shop.kind,
                shop.url,
                shop.status,
                accounts,
                fmt_time(shop.catalog_synced_until) if shop.catalog_synced_until else "never",
            )
        console.print(table)


@app.command("show")
@friendly_errors
def show(name: Name) -> None:
    """Show one shop (never its key)."""
    with runtime() as rt, rt.db.read() as session:
        shop = find_shop(session, name)
        accounts = ", ".join(a.name for a in linked_accounts(session, shop.id)) or "none"
        for label, value in (
            ("Name", shop.name),
            ("Id", str(shop.id)),
            ("Kind", shop.kind),
            ("URL", shop.url),
            ("Webservice key", "stored encrypted (write-only)"),
            ("Status", shop.status),
            ("Linked accounts", accounts),
            ("Catalog synced until", _when(shop.catalog_synced_until)),
            ("Last full pass", _when(shop.catalog_full_at)),
        ):
            console.print(f"{label + ':':<22} {value}")


def _when(value: object) -> str:
    return fmt_time(value) if value else "never"  # type: ignore[arg-type]


@app.command("test")
@friendly_errors
def test(name: Name) -> None:
    """Test the connection: does the Webservice accept the key and list products?"""
    with runtime(needs_key="amazon-jobs shops test") as rt:
        with rt.db.read() as session:
            shop_id = find_shop(session, name).id
        ok, message = test_connection(rt, shop_id)
        console.print(("[green]Connected[/]: " if ok else "[red]Failed[/]: ") + message)
        if not ok:
            raise typer.Exit(1)


@app.command("edit")
@friendly_errors
def edit(
    name: Name,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    url: Annotated[
        str | None, typer.Option(help="A new base URL (needs the key again, --key).")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(envvar="AMAZON_JOBS_SHOP_KEY", show_default=False, help="A new key."),
    ] = None,
    ask_key: Annotated[bool, typer.Option("--ask-key", help="Prompt for a new key.")] = False,
    status: Annotated[str | None, typer.Option(help="active or disabled.")] = None,
) -> None:
    """Change a shop; a new URL needs the key again."""
    with runtime(needs_key="amazon-jobs shops edit") as rt:
        if ask_key and not key:
            key = typer.prompt("Webservice key", hide_input=True)
        changes = ShopChanges(
            name=new_name, url=url, key=SecretStr(key) if key else None, status=status
        )
        with rt.db.transaction() as session:
            shop = update_shop(rt, session, find_shop(session, name), changes)
            console.print(f"Shop [bold]{shop.name}[/] changed.")


@app.command("delete")
@friendly_errors
def delete(
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete a shop: its accounts use the manual shop again; its products stay."""
    with runtime() as rt, rt.db.transaction() as session:
        shop = find_shop(session, name)
        if not yes:
            typer.confirm(f"Delete shop {shop.name}?", abort=True)
        delete_shop(rt, session, shop)
        console.print(f"Shop [bold]{name}[/] deleted.")


@app.command("sync")
@friendly_errors
def sync(
    name: Name,
    full: Annotated[
        bool, typer.Option("--full", help="A full pass: every product; deletions noticed.")
    ] = False,
) -> None:
    """Create a Shop Catalog Sync job (the worker runs it)."""
    with runtime(needs_key="amazon-jobs shops sync") as rt:
        with rt.db.read() as session:
            shop_id = find_shop(session, name).id
        job = create_catalog_sync(rt, shop_id, full=full)
        kind = "full catalog pass" if full else "catalog sync"
        console.print(f"Job {job.id} created: {kind} of shop {name}.")


@app.command("settings")
@friendly_errors
def settings(
    name: Name,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="KEY=VALUE to change (repeatable); KEY= puts it back to its default. "
            'Lists and maps as JSON, e.g. carriers=\'{"2": {"code": "UPS"}}\'.',
        ),
    ] = None,
) -> None:
    """Show the shop's connector settings, or change them with --set (all or nothing)."""
    changes = dict(_setting(item) for item in set_ or ())
    problems = settings_problems({k: v for k, v in changes.items() if v is not None})
    if problems:
        for key, problem in problems.items():
            console.print(f"[red]{key}[/]: {escape(problem)}")
        raise typer.Exit(1)
    with runtime() as rt, rt.db.transaction() as session:
        shop = find_shop(session, name)
        if changes:
            change_settings(shop, changes, rt.clock.now())
            record_settings_change(rt, session, shop, sorted(changes))
            console.print(f"Shop [bold]{shop.name}[/]: {', '.join(sorted(changes))} changed.")
        stored = set(shop.settings or {})
        values = parse_settings(shop.settings).to_json()
        table = Table("Setting", "Value", "", title=f"Connector settings of shop {shop.name}")
        for key in SETTING_KEYS:
            shown = _shown(values.get(key))
            table.add_row(key, escape(shown), "set" if key in stored else "default")
        console.print(table)


def _setting(item: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value): JSON where it reads as JSON, else the text; an empty
    value is None (back to the default)."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise typer.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--set")
    raw = raw.strip()
    if not raw:
        return key.strip(), None
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


def _shown(value: object) -> str:
    if value is None:
        return "(read from the shop)"
    if isinstance(value, (dict, list)):
        return json.dumps(value) if value else "(none)"
    return str(value)
