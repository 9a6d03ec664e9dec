"""The scheduler: the system runs itself.

One process at a time (the holder of the ``scheduler`` leader lease) looks,
every ``scheduler_interval_s``, for work nobody asked for explicitly:

- :mod:`~amazon_jobs.scheduler.sync`: changed quantities and prices into
  Update Products QTY & Price jobs, one feed per account at a time;
- :mod:`~amazon_jobs.scheduler.periodic`: orders imports and inventory
  reports on their intervals, and Orders Fulfillment for due packages;
- :mod:`~amazon_jobs.scheduler.verify`: Done listings jobs are made due to
  verify what Amazon shows, and items Amazon still does not show are sent again;
- :mod:`~amazon_jobs.scheduler.watchdog`: feeds and reports Amazon has not
  finished far past its guidance are flagged stuck;
- :mod:`~amazon_jobs.scheduler.retention`: old finished jobs are pruned with
  their items and log, in small transactions.

:class:`Scheduler` (in :mod:`~amazon_jobs.scheduler.loop`) holds the lease
and runs those passes; every wait goes through the runtime's clock.
"""

from __future__ import annotations

from amazon_jobs.scheduler.loop import LEASE_NAME, Scheduler, TickReport

__all__ = ["LEASE_NAME", "Scheduler", "TickReport"]
