"""Every read of time and every wait goes through a :class:`Clock`.

Three implementations share one small interface:

- :class:`SystemClock` is wall-clock time and real sleeps.
- :class:`ScaledClock` runs N times faster than the wall clock. Its reading is
  a pure function of the wall clock, a scale and an anchor, so several
  processes configured with the same scale and anchor agree on "now".
- :class:`VirtualClock` never sleeps: a wait jumps straight to its deadline,
  so a test of a 30-minute Amazon wait runs in microseconds.

All readings are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ScaledClock", "SystemClock", "VirtualClock", "utc"]

#: How often, in real seconds, background loops look at a virtual clock.
VIRTUAL_POLL_S = 0.05


def utc(value: datetime) -> datetime:
    """Return *value* as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Clock(Protocol):
    """The one seam for time."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        """Wait *seconds* of clock time; return False if *interrupt* was set."""
        ...

    def sleep_until(self, when: datetime, interrupt: threading.Event | None = None) -> bool:
        """Wait until *when*; return False if *interrupt* was set."""
        ...

    def real_seconds(self, seconds: float) -> float:
        """Wall-clock seconds that *seconds* of this clock's time take (for background
        threads that must not move a virtual clock, such as lease heartbeats)."""
        ...

    def from_real(self, seconds: float) -> float:
        """This clock's seconds during *seconds* of wall-clock time (0 for a virtual clock,
        on which nothing takes time)."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        return _real_wait(max(0.0, seconds), interrupt)

    def sleep_until(self, when: datetime, interrupt: threading.Event | None = None) -> bool:
        return self.sleep((utc(when) - self.now()).total_seconds(), interrupt)

    def real_seconds(self, seconds: float) -> float:
        return seconds

    def from_real(self, seconds: float) -> float:
        return seconds

    def __repr__(self) -> str:
        return "SystemClock()"


class ScaledClock:
    """A clock running *scale* times faster than the wall clock.

    At the wall-clock instant *anchor* both clocks read the same; every real
    second after it is *scale* clock seconds.
    """

    def __init__(self, scale: float, anchor: datetime | None = None) -> None:
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        self.scale = scale
        self.anchor = utc(anchor) if anchor else datetime.now(UTC)

    def now(self) -> datetime:
        real_elapsed = datetime.now(UTC) - self.anchor
        return self.anchor + real_elapsed * self.scale

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        return _real_wait(max(0.0, seconds) / self.scale, interrupt)

    def sleep_until(self, when: datetime, interrupt: threading.Event | None = None) -> bool:
        return self.sleep((utc(when) - self.now()).total_seconds(), interrupt)

    def real_seconds(self, seconds: float) -> float:
        return seconds / self.scale

    def from_real(self, seconds: float) -> float:
        return seconds * self.scale

    def __repr__(self) -> str:
        return f"ScaledClock(scale={self.scale}, anchor={self.anchor.isoformat()})"


class VirtualClock:
    """A clock that jumps instead of waiting; safe to share between threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = utc(start) if start else datetime(2026, 1, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move time forward by *seconds* and return the new reading."""
        return self.set(self.now() + timedelta(seconds=max(0.0, seconds)))

    def set(self, when: datetime) -> datetime:
        """Move time forward to *when* (never backwards) and return the reading."""
        with self._lock:
            self._now = max(self._now, utc(when))
            return self._now

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        if interrupt is not None and interrupt.is_set():
            return False
        self.advance(seconds)
        return True

    def sleep_until(self, when: datetime, interrupt: threading.Event | None = None) -> bool:
        if interrupt is not None and interrupt.is_set():
            return False
        self.set(when)
        return True

    def real_seconds(self, seconds: float) -> float:
        """Virtual time does not pass by itself: background loops just check often."""
        return min(seconds, VIRTUAL_POLL_S)

    def from_real(self, seconds: float) -> float:
        return 0.0

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now().isoformat()})"


def _real_wait(seconds: float, interrupt: threading.Event | None) -> bool:
    if interrupt is None:
        time.sleep(seconds)
        return True
    return not interrupt.wait(seconds)
