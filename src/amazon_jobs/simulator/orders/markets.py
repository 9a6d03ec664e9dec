"""What an order needs to know about a marketplace: currency, names, order id prefixes,
and the country its buyers live in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Marketplace", "marketplace"]


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace, as orders placed there show it."""

    marketplace_id: str
    #: ISO 4217 code of the marketplace's currency.
    currency: str
    #: v0 ``SalesChannel`` and 2026 ``salesChannel.marketplaceName``, e.g. "Amazon.com".
    name: str
    #: v0 ``ShipServiceLevel`` of a standard shipment.
    ship_service_level: str
    #: First block of the 3-7-7 AmazonOrderIds placed there.
    order_prefixes: tuple[str, ...]
    #: Digits after the decimal point of amounts in this currency.
    decimals: int = 2
    #: ISO 3166-1 alpha-2 code of the country orders placed there are delivered to.
    country: str = "US"

    def money(self, amount: Decimal) -> str:
        """*amount* written as the SP-API writes it: "10.00", or "1980" in yen."""
        return f"{amount:.{self.decimals}f}"


_KNOWN = (
    Marketplace("ATVPDKIKX0DER", "USD", "Amazon.com", "Std US D2D Dom", ("111", "112", "114")),
    Marketplace("A2EUQ1WTGCTBG2", "CAD", "Amazon.ca", "Std CA Dom", ("701", "702"), country="CA"),
    Marketplace(
        "A1AM78C64UM0Y8", "MXN", "Amazon.com.mx", "Std MX Dom", ("701", "702"), country="MX"
    ),
    Marketplace(
        "A1F83G8C2ARO7P", "GBP", "Amazon.co.uk", "Std UK Dom", ("202", "203", "204"), country="GB"
    ),
    Marketplace(
        "A1PA6795UKMFR9",
        "EUR",
        "Amazon.de",
        "Std DE Dom",
        ("302", "303", "304", "306"),
        country="DE",
    ),
    Marketplace(
        "A13V1IB3VIYZZH",
        "EUR",
        "Amazon.fr",
        "Std FR Dom",
        ("402", "403", "404", "405"),
        country="FR",
    ),
    Marketplace(
        "APJ6JRA9NG5V4",
        "EUR",
        "Amazon.it",
        "Std IT Dom",
        ("402", "403", "404", "405"),
        country="IT",
    ),
    Marketplace(
        "A1RKKUPIHCS9HS",
        "EUR",
        "Amazon.es",
        "Std ES Dom",
        ("402", "403", "404", "405"),
        country="ES",
    ),
    Marketplace(
        "A1VC38T7YXB528", "JPY", "Amazon.co.jp", "Std JP Dom", ("249", "250", "503"), 0, "JP"
    ),
)
_BY_ID = {market.marketplace_id: market for market in _KNOWN}


def marketplace(marketplace_id: str) -> Marketplace:
    """The marketplace with *marketplace_id*; an unknown id gets US-dollar defaults."""
    known = _BY_ID.get(marketplace_id)
    if known is not None:
        return known
    return Marketplace(marketplace_id, "USD", "Amazon", "Standard", ("902",))
