"""``python -m amazon_jobs``: the same as the ``amazon-jobs`` command."""

from __future__ import annotations

from amazon_jobs.cli.main import main

main()
