"""``amazon-jobs accounts policy``: show, set and clear an account's selling policy.

``set`` changes only the settings given and keeps the others; ``none`` unsets a
setting (``--qty-cap none``). ``--qty-fixed`` and ``--qty-percent`` choose their
quantity source; ``--qty-source shop`` goes back to the stock available to sell.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from amazon_jobs.cli.common import console, fmt_time, friendly_errors, runtime
from amazon_jobs.domain.policy import SellingPolicy, describe
from amazon_jobs.policies import clear_selling_policy, listings_due, set_selling_policy
from amazon_jobs.store.accounts import find_account
from amazon_jobs.store.policies import load_policy

__all__ = ["app"]

app = typer.Typer(
    help="An account's selling policy: quantity and price rules applied when sending."
)

Name = Annotated[str, typer.Argument(help="The account's name (or id).")]
#: What ``none`` means for a setting that is always there.
UNSET_MEANS = {"price_markup_pct": "0", "price_markup_fixed": "0", "price_rate": "1"}


@app.command("show")
@friendly_errors
def show(name: Name) -> None:
    """Show the account's policy and how many listings it makes due for sync."""
    with runtime() as rt, rt.db.read() as session:
        account = find_account(session, name)
        stored = load_policy(session, account.id)
        due = listings_due(session, account.id)
    _print(account.name, stored.policy, stored.updated_at, due)


@app.command("set")
@friendly_errors
def set_(
    name: Name,
    qty_source: Annotated[
        str | None, typer.Option(help="shop, percent or fixed.", show_default=False)
    ] = None,
    qty_percent: Annotated[
        str | None, typer.Option(help="Send this % of the stock (rounded down).")
    ] = None,
    qty_fixed: Annotated[str | None, typer.Option(help="Send this quantity always.")] = None,
    qty_reserve: Annotated[str | None, typer.Option(help="Keep this many back.")] = None,
    qty_cap: Annotated[str | None, typer.Option(help="Send at most this many.")] = None,
    qty_min_stock: Annotated[
        str | None, typer.Option(help="Send 0 while fewer than this are available.")
    ] = None,
    price_source: Annotated[str | None, typer.Option(help="tax_excl or tax_incl.")] = None,
    price_markup_pct: Annotated[str | None, typer.Option(help="Markup in %.")] = None,
    price_markup_fixed: Annotated[
        str | None, typer.Option(help="Amount added (shop currency).")
    ] = None,
    price_rate: Annotated[
        str | None, typer.Option(help="Conversion rate to the marketplace's currency.")
    ] = None,
    price_round: Annotated[
        str | None, typer.Option(help="End prices on these cents, e.g. 0.99.")
    ] = None,
    price_floor: Annotated[str | None, typer.Option(help="Lowest price sent.")] = None,
    price_ceiling: Annotated[str | None, typer.Option(help="Highest price sent.")] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the policy: send the shop's values.")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why (kept with the action).")] = None,
) -> None:
    """Change the account's policy; the listings it affects are due for the next sync."""
    changes = {
        "qty_source": qty_source,
        "qty_percent": qty_percent,
        "qty_fixed": qty_fixed,
        "qty_reserve": qty_reserve,
        "qty_cap": qty_cap,
        "qty_min_stock": qty_min_stock,
        "price_source": price_source,
        "price_markup_pct": price_markup_pct,
        "price_markup_fixed": price_markup_fixed,
        "price_rate": price_rate,
        "price_ending": price_round,
        "price_floor": price_floor,
        "price_ceiling": price_ceiling,
    }
    given = {key: value for key, value in changes.items() if value is not None}
    with runtime() as rt, rt.db.transaction() as session:
        account = find_account(session, name)
        if clear:
            clear_selling_policy(rt, session, account, reason=reason)
        else:
            current = load_policy(session, account.id).policy
            policy = merged(current, given)
            set_selling_policy(rt, session, account, policy, reason=reason)
        stored = load_policy(session, account.id)
        due = listings_due(session, account.id)
        account_name = account.name
    _print(account_name, stored.policy, stored.updated_at, due)


def merged(current: SellingPolicy, given: dict[str, str]) -> SellingPolicy:
    """*current* with the *given* settings (``none`` unsets one; a quantity given with
    ``--qty-fixed``/``--qty-percent`` chooses that source)."""
    values: dict[str, Any] = current.as_values()
    for key, value in given.items():
        values[key] = None if value.strip().lower() == "none" else value
    if "qty_fixed" in given and values["qty_fixed"] is not None:
        values.update(qty_source="fixed", qty_percent=None)
    elif "qty_percent" in given and values["qty_percent"] is not None:
        values.update(qty_source="percent", qty_fixed=None)
    elif given.get("qty_source") == "shop":
        values.update(qty_fixed=None, qty_percent=None)
    for key, default in (
        ("price_markup_pct", "0"),
        ("price_markup_fixed", "0"),
        ("price_rate", "1"),
    ):
        if values[key] is None:
            values[key] = default
    values["qty_reserve"] = values["qty_reserve"] or 0
    return SellingPolicy.from_values(values)


def _print(name: str, policy: SellingPolicy, updated_at: Any, due: int) -> None:
    table = Table(title=f"Selling policy of {name}", show_header=False)
    table.add_column("setting")
    table.add_column("value")
    for key, value in policy.as_values().items():
        table.add_row(key, "—" if value is None else str(value))
    console.print(table)
    when = f"changed {fmt_time(updated_at)}" if updated_at else "no policy: the shop's values"
    console.print(f"In words: {describe(policy)} ({when}).", highlight=False)
    console.print(f"{due} listing(s) differ from Amazon: the next sync sends them.")
