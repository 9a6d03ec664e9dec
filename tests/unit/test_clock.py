from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from amazon_jobs.clock import ScaledClock, SystemClock, VirtualClock

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_virtual_clock_jumps_and_never_goes_back():
    clock = VirtualClock(T0)
    started = time.perf_counter()
    assert clock.sleep(1800)
    assert clock.now() == T0 + timedelta(minutes=30)
    clock.sleep_until(T0)
    assert clock.now() == T0 + timedelta(minutes=30)
    # Half an hour of Amazon's time, not of ours (a real sleep would take 1,800 s).
    assert time.perf_counter() - started < 60


def test_virtual_sleep_honours_interrupt():
    clock = VirtualClock(T0)
    stop = threading.Event()
    stop.set()
    assert clock.sleep(60, stop) is False
    assert clock.now() == T0


def test_scaled_clock_runs_faster_and_processes_agree():
    anchor = datetime.now(UTC)
    a, b = ScaledClock(1000, anchor), ScaledClock(1000, anchor)
    before = a.now()
    a.sleep(20)  # 20 clock seconds = 20 ms
    elapsed = (a.now() - before).total_seconds()
    assert 19 <= elapsed < 200
    assert abs((a.now() - b.now()).total_seconds()) < 5


def test_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo is UTC
