"""``amazon-jobs shop-simulator``: the local PrestaShop Webservice simulator as a server."""

from __future__ import annotations

from typing import Annotated

import typer

from amazon_jobs.cli.common import console, friendly_errors, settings
from amazon_jobs.serving import DEFAULT_HOST
from amazon_jobs.shop_simulator.config import DEFAULT_KEY, ShopSimulatorConfig

__all__ = ["shop_simulator"]


@friendly_errors
def shop_simulator(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8200,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    key: Annotated[
        str, typer.Option(help="Webservice key it accepts (32 characters).")
    ] = DEFAULT_KEY,
    products: Annotated[int, typer.Option(help="Products in the generated catalog.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the generated catalog.")] = 0,
    fault_rate: Annotated[
        float, typer.Option(help="Share of webservice requests answered 500/503.")
    ] = 0.0,
    shop_url: Annotated[
        str, typer.Option(help="Base URL of xlink:href links (default: the URL called).")
    ] = "",
) -> None:
    """Run the local PrestaShop Webservice simulator (time follows the configured clock)."""
    # Imported here: every other command starts without loading the web app.
    from amazon_jobs.serving import serve_forever
    from amazon_jobs.shop_simulator import FAULTS_PATH, ShopSimulator, create_app

    if len(key) != 32:
        raise typer.BadParameter(
            "a PrestaShop webservice key has 32 characters", param_hint="--key"
        )
    config = ShopSimulatorConfig(
        key=key, products=products, seed=seed, error_rate=fault_rate, shop_url=shop_url
    )
    shop = ShopSimulator(config, settings().make_clock())
    console.print(
        f"PrestaShop simulator on http://{host}:{port}/api/ ({shop.skus} SKUs; "
        f"faults: http://{host}:{port}{FAULTS_PATH})"
    )
    serve_forever(create_app(shop), host, port)
