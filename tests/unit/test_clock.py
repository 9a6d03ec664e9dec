from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from amazon_jobs import clock as clock_module
from amazon_jobs.clock import ScaledClock, SystemClock, VirtualClock

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_virtual_clock_jumps_and_never_goes_back(monkeypatch):
    def real_wait(seconds: float, interrupt: threading.Event | None) -> bool:
        raise AssertionError(f"the virtual clock waited {seconds} s of real time")

    # Half an hour of Amazon's time, none of ours: the clock never waits for real.
    monkeypatch.setattr(clock_module, "_real_wait", real_wait)
    clock = VirtualClock(T0)
    assert clock.sleep(1800)
    assert clock.now() == T0 + timedelta(minutes=30)
    clock.sleep_until(T0)
    assert clock.now() == T0 + timedelta(minutes=30)


def test_virtual_sleep_honours_interrupt():
    clock = VirtualClock(T0)
    stop = threading.Event()
    stop.set()
    assert clock.sleep(60, stop) is False
    assert clock.now() == T0


def test_scaled_clock_runs_faster_and_processes_agree():
    anchor = datetime.now(UTC)
    a, b = ScaledClock(1000, anchor), ScaledClock(1000, anchor)
    assert a.real_seconds(20) == 0.02 and a.from_real(0.02) == 20
    before = a.now()
    a.sleep(20)  # 20 clock seconds = 20 ms
    assert (a.now() - before).total_seconds() >= 19
    # Another process's clock on the same anchor reads the same time: read between two
    # readings of ours, it falls between them (however busy the machine).
    first, other, last = a.now(), b.now(), a.now()
    assert first <= other <= last


def test_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo is UTC
