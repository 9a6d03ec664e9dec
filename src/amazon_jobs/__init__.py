"""amazon-jobs: durable, visible background jobs that keep a shop in sync with Amazon."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
