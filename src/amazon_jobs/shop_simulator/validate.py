"""PrestaShop's ``Validate::is*`` checks the webservice applies to written fields.

The patterns follow ``classes/Validate.php`` (8.2); validators not listed accept
anything, as a fake should rather let a value through than refuse a valid one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["is_valid"]


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex, re.UNICODE)
    return lambda value: compiled.fullmatch(value) is not None


def _without(chars: str) -> Callable[[str], bool]:
    return lambda value: not any(c in chars for c in value)


def _customer_name(value: str) -> bool:
    if any(c.isdigit() for c in value) or any(c in '!<>,;?=+()/\\@#"°*`{}_^$%:¤[]|' for c in value):
        return False
    return all(value[i + 1 : i + 2] in ("", " ") for i, c in enumerate(value) if c == ".")


def _name(value: str) -> bool:
    return not any(c.isdigit() or c in '!<>,;?=+()@#"°{}_$%:¤|' for c in value)


_CHECKS: dict[str, Callable[[str], bool]] = {
    "isUnsignedId": _pattern(r"\d+"),
    "isNullOrUnsignedId": _pattern(r"\d*"),
    "isUnsignedInt": _pattern(r"\d+"),
    "isPositiveInt": _pattern(r"\d+"),
    "isInt": _pattern(r"[+-]?\d+"),
    "isBool": _pattern(r"[01]|true|false|"),
    "isFloat": _pattern(r"[+-]?\d*\.?\d*"),
    "isUnsignedFloat": _pattern(r"\d*\.?\d*"),
    "isPrice": _pattern(r"\d{1,10}(\.\d{1,9})?"),
    "isNegativePrice": _pattern(r"-?\d{1,10}(\.\d{1,9})?"),
    "isEan13": _pattern(r"\d{0,13}"),
    "isUpc": _pattern(r"\d{0,12}"),
    "isIsbn": _pattern(r"[0-9-]{0,32}"),
    "isMpn": _pattern(r".{0,40}"),
    "isReference": _without("<>;={}"),
    "isGenericName": _without("<>={}"),
    "isCatalogName": _without("<>;=#{}"),
    "isCarrierName": _without("<>;=#{}"),
    "isName": _name,
    "isCustomerName": _customer_name,
    "isAddress": _without("!<>?=+@{}_$%"),
    "isCityName": _without('!<>;?=+@#"°{}_$%'),
    "isPhoneNumber": _pattern(r"[+0-9. ()/-]*"),
    "isPostCode": _pattern(r"[a-zA-Z 0-9-]*"),
    "isMessage": _without("<>{}"),
    "isCleanHtml": lambda v: re.search(r"<\s*script|javascript:|on\w+\s*=", v, re.I) is None,
    "isModuleName": _pattern(r"[a-zA-Z0-9_-]+"),
    "isTrackingNumber": _pattern(r"[~:#,%&_=()\[\].?+\-@/a-zA-Z0-9 ]+"),
    "isEmail": _pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "isMd5": _pattern(r"[a-f0-9]{32}"),
    "isDate": _pattern(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?"),
    "isDateFormat": _pattern(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?"),
    "isBirthDate": _pattern(r"(\d{4}-\d{2}-\d{2})?"),
    "isLanguageIsoCode": _pattern(r"[a-zA-Z]{2,3}"),
    "isLinkRewrite": _pattern(r"[\w-]*"),
    "isColor": _pattern(r"(#[0-9a-fA-F]{6}|[a-zA-Z]*)"),
}


def is_valid(validator: str | None, value: str) -> bool:
    """True when *value* passes PrestaShop's *validator* (or there is none we know)."""
    check = _CHECKS.get(validator or "")
    return check is None or check(value)
