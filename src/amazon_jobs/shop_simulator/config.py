"""The shop simulator's settings, one frozen value passed to :class:`ShopSimulator`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_KEY", "ShopSimulatorConfig"]

#: The webservice key that exists from the start (32 characters, like PrestaShop's).
DEFAULT_KEY = "SIMULATEDPRESTASHOPWEBSERVICEKEY"


@dataclass(frozen=True, slots=True)
class ShopSimulatorConfig:
    """How the fake shop behaves. Defaults follow a fresh PrestaShop 8.2 install."""

    #: The webservice key with every permission on every resource.
    key: str = DEFAULT_KEY
    #: More keys, each with its permissions: resource → allowed methods (GET, POST, …).
    limited_keys: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    #: Keys that exist but are disabled in the back office (401 codes 20 + 21).
    disabled_keys: tuple[str, ...] = ()
    #: ``PSWS-Version`` of every authenticated answer.
    version: str = "8.2.0"
    #: Shop base URL for ``xlink:href`` links ("": the URL the request came to).
    shop_url: str = ""
    #: ``PS_SHOP_NAME``.
    shop_name: str = "Simulated shop"
    #: ``PS_TIMEZONE``: dates are written in this zone, without offset.
    timezone: str = "Europe/Paris"
    #: Products of the generated catalog (0: an empty catalog).
    products: int = 0
    #: Seed of the generated catalog and of order references.
    seed: int = 0
    #: Share of generated products that have combinations.
    combination_share: float = 0.4
    #: Most combinations of one generated product (at least 2).
    max_combinations: int = 6
    #: Share of generated products that are inactive.
    inactive_share: float = 0.05
    #: Rate (%) of tax rules group 1, the one generated products use, for every country.
    tax_rate: float = 20.0
    #: Installed and active payment modules (what ``module`` of a posted order may name).
    payment_modules: tuple[str, ...] = ("ps_wirepayment", "ps_checkpayment", "ps_cashondelivery")
    #: Installed payment modules that are disabled (orders naming them ``die()``).
    disabled_payment_modules: tuple[str, ...] = ()
    #: Share (0 to 1) of webservice requests answered 500/503 at random.
    error_rate: float = 0.0
    #: Seed of those random answers.
    error_seed: int = 0
    #: Real seconds every webservice answer is held back (0: none).
    answer_delay_s: float = 0.0
