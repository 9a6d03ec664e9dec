"""The simulator's HTTP routes, one module per surface."""

from __future__ import annotations
