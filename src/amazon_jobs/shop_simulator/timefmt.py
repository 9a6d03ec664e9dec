"""Dates as PrestaShop writes them: ``YYYY-MM-DD HH:MM:SS`` in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["shop_time", "shop_zone"]


def shop_zone(name: str) -> tzinfo:
    """The zone called *name* (UTC when the machine has no time zone data)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def shop_time(moment: datetime, zone: tzinfo) -> str:
    """*moment* (aware) as the shop writes it."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
