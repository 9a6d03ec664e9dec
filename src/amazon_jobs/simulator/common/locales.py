"""How Amazon writes for a marketplace: language tag, currency, report charset and dates.

Merchant listings reports come as ``text/plain; charset=Cp1252`` in the
European marketplaces (characters Cp1252 cannot hold arrive as ``?``) and as
UTF-8 elsewhere [sp-api-facts.md §6]. Their ``open-date`` is local time with
the zone's abbreviation, ``2013-01-07 07:35:42 PST`` in the US and
``08/07/2016 10:12:40 BST`` in the UK (public report samples); the other
European marketplaces are written ``dd.mm.yyyy`` in Central European time
here (a choice: no sample was at hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["CP1252", "UTF8", "Locale", "locale_of"]

CP1252 = "Cp1252"
UTF8 = "UTF-8"
_ISO_DATE = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Locale:
    """One marketplace's way of writing."""

    language_tag: str
    #: ISO 4217 code of the marketplace's currency.
    currency: str
    #: Charset of report documents, as named in their Content-Type.
    charset: str
    #: IANA zone of report dates.
    zone: str
    #: strftime format of report dates, without the zone abbreviation.
    date_format: str

    @property
    def codec(self) -> str:
        """The Python codec of :attr:`charset`."""
        return "cp1252" if self.charset == CP1252 else "utf-8"

    def report_date(self, value: datetime) -> str:
        """*value* as the report's open-date column writes it."""
        local = value.astimezone(_zone(self.zone))
        return f"{local.strftime(self.date_format)} {local.tzname()}"


def _eu(
    language_tag: str,
    currency: str = "EUR",
    zone: str = "Europe/Berlin",
    date_format: str = "%d.%m.%Y %H:%M:%S",
) -> Locale:
    return Locale(language_tag, currency, CP1252, zone, date_format)


_LOCALES: dict[str, Locale] = {
    "ATVPDKIKX0DER": Locale("en_US", "USD", UTF8, "America/Los_Angeles", _ISO_DATE),
    "A2EUQ1WTGCTBG2": Locale("en_CA", "CAD", UTF8, "America/Los_Angeles", _ISO_DATE),
    "A1AM78C64UM0Y8": Locale("es_MX", "MXN", UTF8, "America/Los_Angeles", _ISO_DATE),
    "A2Q3Y263D00KWC": Locale("pt_BR", "BRL", UTF8, "America/Sao_Paulo", _ISO_DATE),
    "A1F83G8C2ARO7P": _eu("en_GB", "GBP", "Europe/London", "%d/%m/%Y %H:%M:%S"),
    "A28R8C7NBKEWEA": _eu("en_IE", "EUR", "Europe/Dublin", "%d/%m/%Y %H:%M:%S"),
    "A1PA6795UKMFR9": _eu("de_DE"),
    "A13V1IB3VIYZZH": _eu("fr_FR"),
    "APJ6JRA9NG5V4": _eu("it_IT"),
    "A1RKKUPIHCS9HS": _eu("es_ES"),
    "A1805IZSGTT6HS": _eu("nl_NL"),
    "A2NODRKZP88ZB9": _eu("sv_SE", "SEK"),
    "A1C3SOZRARQ6R3": _eu("pl_PL", "PLN"),
    "AMEN7PMS3EDWL": _eu("fr_BE"),
    "A1VC38T7YXB528": Locale("ja_JP", "JPY", UTF8, "Asia/Tokyo", _ISO_DATE),
    "A39IBJ37TRP1C6": Locale("en_AU", "AUD", UTF8, "Australia/Sydney", _ISO_DATE),
}
_DEFAULT = Locale("en_US", "USD", UTF8, "UTC", _ISO_DATE)


def locale_of(marketplace_id: str) -> Locale:
    """The locale of *marketplace_id*; an unknown marketplace writes UTF-8 in UTC."""
    return _LOCALES.get(marketplace_id, _DEFAULT)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # no time zone database on this machine
        return UTC
