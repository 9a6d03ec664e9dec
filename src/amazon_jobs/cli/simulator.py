"""``amazon-jobs simulator``: the local SP-API + LWA simulator as a server."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Annotated, Any

import typer

from amazon_jobs.cli.common import console, friendly_errors, settings
from amazon_jobs.errors import ConfigError
from amazon_jobs.serving import DEFAULT_HOST
from amazon_jobs.simulator.config import SimulatorConfig

__all__ = ["simulator"]

SIM = SimulatorConfig()
_TYPES = typing.get_type_hints(SimulatorConfig)
_SETTABLE = sorted(
    f.name for f in dataclasses.fields(SimulatorConfig) if _TYPES[f.name] in (int, float, str, bool)
)


@friendly_errors
def simulator(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    seller_id: Annotated[
        str, typer.Option(help="Seller id of the simulated seller.")
    ] = SIM.seller_id,
    marketplace: Annotated[str, typer.Option(help="Its marketplace id.")] = SIM.marketplace_id,
    client_id: Annotated[str, typer.Option(help="LWA client id it accepts.")] = SIM.client_id,
    client_secret: Annotated[
        str, typer.Option(help="LWA client secret it accepts.")
    ] = SIM.client_secret,
    refresh_token: Annotated[
        str, typer.Option(help="LWA refresh token it accepts.")
    ] = SIM.refresh_token,
    profile: Annotated[
        str, typer.Option(help="Limits: sp-api (Amazon today) or seed.")
    ] = SIM.profile,
    feed_queue_s: Annotated[
        float, typer.Option(help="Seconds a feed stays IN_QUEUE.")
    ] = SIM.feed_queue_s,
    feed_processing_s: Annotated[
        float, typer.Option(help="Seconds a feed stays IN_PROGRESS.")
    ] = SIM.feed_processing_s,
    catalog_size: Annotated[
        int, typer.Option(help="Products in the generated Amazon catalog (EANs 1..N).")
    ] = SIM.catalog_size,
    orders_per_hour: Annotated[
        float, typer.Option(help="Orders the seller receives per hour (0: none).")
    ] = SIM.orders_per_hour,
    error_rate: Annotated[
        float | None,
        typer.Option(
            help=f"Share of SP-API requests answered 500/503 [{SIM.error_rate}].",
            show_default=False,
        ),
    ] = None,
    seed_listings: Annotated[
        Path | None,
        typer.Option(help="CSV (sku,asin,quantity,price) of the seller's existing listings."),
    ] = None,
    focused: Annotated[
        bool,
        typer.Option(
            "--focused",
            help="A kind Amazon: changes visible at once, no random failures, no "
            "warnings, unknown SKUs refused (for focused tests).",
        ),
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Any other setting as NAME=VALUE (repeatable): " + ", ".join(_SETTABLE),
        ),
    ] = None,
) -> None:
    """Run the local SP-API + LWA simulator (time follows the configured clock)."""
    # Imported here: every other command starts without loading the web app.
    from amazon_jobs.serving import serve_forever
    from amazon_jobs.simulator import Simulator, create_app

    make = SimulatorConfig.focused if focused else SimulatorConfig
    config = make(
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        seller_id=seller_id,
        marketplace_id=marketplace,
        profile=profile,
        feed_queue_s=feed_queue_s,
        feed_processing_s=feed_processing_s,
        catalog_size=catalog_size,
        orders_per_hour=orders_per_hour,
    )
    if error_rate is not None:
        config = dataclasses.replace(config, error_rate=error_rate)
    config = dataclasses.replace(config, **_overrides(set_ or []))
    sim = Simulator(config, settings().make_clock())
    if seed_listings:
        count = sim.load_listings_csv(seed_listings)
        console.print(f"Seeded {count} listing(s) for seller {seller_id}.")
    console.print(
        f"SP-API simulator on http://{host}:{port} (LWA: http://{host}:{port}/auth/o2/token)"
    )
    serve_forever(create_app(sim), host, port)


def _overrides(pairs: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        name = name.strip().replace("-", "_")
        if name not in _SETTABLE or not raw:
            raise ConfigError(f"--set {pair!r}: write NAME=VALUE with NAME one of {_SETTABLE}")
        kind = _TYPES[name]
        try:
            values[name] = raw.lower() in ("1", "true", "yes") if kind is bool else kind(raw)
        except ValueError:
            raise ConfigError(f"--set {pair!r}: {raw!r} is not a {kind.__name__}") from None
    return values
