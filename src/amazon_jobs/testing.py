"""Hooks for tests that kill a worker at a chosen point of a job's life.

``checkpoint(name)`` does nothing, unless the environment variable
``AMAZON_JOBS_CHECKPOINT`` names this checkpoint: the process then touches the
file named by ``AMAZON_JOBS_CHECKPOINT_FILE`` (so the test knows it got
there) and stops still, until the test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["API_CHECKPOINTS", "CATALOG_CHECKPOINTS", "CHECKPOINTS", "checkpoint"]

#: Every checkpoint, in the order a listings feed job passes them.
CHECKPOINTS = (
    "feed:built",
    "feed:document",
    "feed:uploaded",
    "feed:intent",
    "feed:created",
    "feed:submitted",
    "feed:result",
    "feed:downloaded",
    "feed:applying",
)

#: A listings job's on the Listings Items API channel: values read, a call's intent
#: recorded (its token taken), its answer back (not applied yet).
API_CHECKPOINTS = ("api:built", "api:intent", "api:answered")

#: A Shop Catalog Sync's: a page read from the shop (not written yet), a page written.
CATALOG_CHECKPOINTS = ("catalog:read", "catalog:written")


def checkpoint(name: str) -> None:
    """Pause here forever if the test asked for this checkpoint."""
    if os.environ.get("AMAZON_JOBS_CHECKPOINT") != name:
        return
    marker = os.environ.get("AMAZON_JOBS_CHECKPOINT_FILE")
    if marker:
        Path(marker).write_text(name, encoding="utf-8")
    threading.Event().wait()
