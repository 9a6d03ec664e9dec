"""Amazon marketplaces: currency, region and report charset."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MARKETPLACES", "Marketplace", "marketplace"]


@dataclass(frozen=True, slots=True)
class Marketplace:
    marketplace_id: str
    country: str
    region: str
    currency: str
    language: str


MARKETPLACES: dict[str, Marketplace] = {
    m.marketplace_id: m
    for m in (
        Marketplace("ATVPDKIKX0DER", "US", "na", "USD", "en_US"),
        Marketplace("A2EUQ1WTGCTBG2", "CA", "na", "CAD", "en_CA"),
        Marketplace("A1AM78C64UM0Y8", "MX", "na", "MXN", "es_MX"),
        Marketplace("A2Q3Y263D00KWC", "BR", "na", "BRL", "pt_BR"),
        Marketplace("A1F83G8C2ARO7P", "UK", "eu", "GBP", "en_GB"),
        Marketplace("A1PA6795UKMFR9", "DE", "eu", "EUR", "de_DE"),
        Marketplace("A13V1IB3VIYZZH", "FR", "eu", "EUR", "fr_FR"),
        Marketplace("APJ6JRA9NG5V4", "IT", "eu", "EUR", "it_IT"),
        Marketplace("A1RKKUPIHCS9HS", "ES", "eu", "EUR", "es_ES"),
        Marketplace("A1805IZSGTT6HS", "NL", "eu", "EUR", "nl_NL"),
        Marketplace("A2NODRKZP88ZB9", "SE", "eu", "SEK", "sv_SE"),
        Marketplace("A1C3SOZRARQ6R3", "PL", "eu", "PLN", "pl_PL"),
        Marketplace("AMEN7PMS3EDWL", "BE", "eu", "EUR", "fr_BE"),
        Marketplace("A21TJRUUN4KGV", "IN", "eu", "INR", "en_IN"),
        Marketplace("A1VC38T7YXB528", "JP", "fe", "JPY", "ja_JP"),
        Marketplace("A39IBJ37TRP1C6", "AU", "fe", "AUD", "en_AU"),
        Marketplace("A19VAU5U5O7RUS", "SG", "fe", "SGD", "en_SG"),
    )
}


def marketplace(marketplace_id: str) -> Marketplace:
    """The marketplace with that id; an unknown one is taken as a US-dollar one."""
    return MARKETPLACES.get(marketplace_id, Marketplace(marketplace_id, "??", "na", "USD", "en_US"))
