"""The account that reaches a simulator: what a seller would enter for it."""

from __future__ import annotations

from pydantic import SecretStr

from amazon_jobs.simulator.config import SimulatorConfig
from amazon_jobs.store.accounts import AccountSpec

__all__ = ["account_spec"]


def account_spec(
    config: SimulatorConfig,
    url: str,
    name: str,
    *,
    seller_id: str | None = None,
    refresh_token: str | None = None,
) -> AccountSpec:
    """An account *name* of the simulator served at *url*, on the simulator's one LWA
    application: its default seller, or *seller_id* with its *refresh_token* (a seller
    added with ``Simulator.add_seller``)."""
    return AccountSpec(
        name=name,
        seller_id=seller_id or config.seller_id,
        region="na",
        marketplace_id=config.marketplace_id,
        lwa_client_id=config.client_id,
        lwa_client_secret=SecretStr(config.client_secret),
        refresh_token=SecretStr(refresh_token or config.refresh_token),
        endpoint=url,
        lwa_token_url=f"{url}/auth/o2/token",
    )
