"""GTIN codes (EAN-13, UPC-A, GTIN-14) with a right check digit.

``ean13(400_000_000_001)`` is ``"4000000000013"``: the number is the 12-digit
body, the 13th digit is the GS1 check digit. A UPC-A is an EAN-13 that starts
with ``0`` without that ``0``; a GTIN-14 is either padded with zeros.
"""

from __future__ import annotations

__all__ = ["check_digit", "ean13", "gtin14", "gtin_valid", "upc_a"]

_EAN_BODY = 12
_UPC_BODY = 11


def check_digit(body: str) -> str:
    """The GS1 check digit of *body* (digits only): weights 3,1,3,… from the right."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def ean13(number: int) -> str:
    """The EAN-13 whose first 12 digits are *number* (0 ≤ number < 10¹²)."""
    return _with_check(number, _EAN_BODY)


def upc_a(number: int) -> str:
    """The 12-digit UPC-A whose first 11 digits are *number* (0 ≤ number < 10¹¹)."""
    return _with_check(number, _UPC_BODY)


def gtin14(code: str) -> str:
    """An EAN-13, UPC-A or GTIN-14 as 14 digits."""
    return code.zfill(14)


def gtin_valid(code: str) -> bool:
    """True for 8 to 14 digits whose last digit is the right check digit."""
    if not code.isdigit() or not 8 <= len(code) <= 14:
        return False
    return check_digit(code[:-1]) == code[-1]


def _with_check(number: int, width: int) -> str:
    if not 0 <= number < 10**width:
        raise ValueError(f"{number} does not fit in {width} digits")
    body = f"{number:0{width}d}"
    return body + check_digit(body)
