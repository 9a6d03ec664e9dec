from __future__ import annotations

import gc
import threading

from amazon_jobs.store.bulk import PARSE_BATCH, loads_many, paused_gc


def test_loads_many_reads_every_value_in_order_across_batches():
    values = [{"n": n, "s": 'é\\"x'} for n in range(PARSE_BATCH * 2 + 3)]
    texts = [f'{{"n": {v["n"]}, "s": "é\\\\\\"x"}}' for v in values]
    texts[5] = None  # SQL NULL
    parsed = list(loads_many(texts))
    assert len(parsed) == len(values)
    assert parsed[5] is None
    assert parsed[6] == values[6] and parsed[-1] == values[-1]


def test_paused_gc_is_shared_by_threads_and_restored_by_the_last_one():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with paused_gc():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    with paused_gc():
        thread.start()
        inside.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_paused_gc_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
