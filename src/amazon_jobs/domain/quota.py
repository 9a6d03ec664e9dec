"""Which quota each job type waits for, and when a queued job will get it (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from amazon_jobs.domain import buckets
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobType
from amazon_jobs.domain.limits import Limit, Operation

__all__ = ["START_OPERATIONS", "estimate_start"]

_FEED = (Operation.CREATE_FEED_DOCUMENT, Operation.CREATE_FEED, Operation.JSON_LISTINGS_FEED)

#: The operations a job waits for in ``created`` before it starts.
START_OPERATIONS: dict[JobType, tuple[Operation, ...]] = {
    **dict.fromkeys(FEED_JOB_TYPES, _FEED),
    JobType.INVENTORY_REPORT: (Operation.CREATE_REPORT,),
    JobType.ORDERS_FULFILLMENT: (Operation.CONFIRM_SHIPMENT,),
    JobType.ORDERS_IMPORT: (Operation.SEARCH_ORDERS,),
}


def estimate_start(
    states: Mapping[Operation, tuple[Limit, buckets.BucketState]],
    ahead: Sequence[Sequence[Operation]],
    mine: Sequence[Operation],
    now: datetime,
    margin_s: float = 0.0,
) -> datetime:
    """When a job needing *mine* gets its tokens, after the jobs *ahead* got theirs.

    Each job ahead takes one token of each of its operations as soon as all are
    there; the buckets refill as configured. The answer is a lower bound: jobs
    created later with a higher priority can still overtake.
    """
    current, at = dict(states), now
    for needs in ahead:
        at = _take(current, [op for op in needs if op in current], at, margin_s)
    return _take(current, list(mine), at, margin_s)


def _take(
    states: dict[Operation, tuple[Limit, buckets.BucketState]],
    operations: Sequence[Operation],
    now: datetime,
    margin_s: float,
) -> datetime:
    if not operations:
        return now  # the earliest this job can go: jobs run in their order
    at = max(
        buckets.next_token_at(states[op][1], states[op][0], now, margin_s) for op in operations
    )
    for op in operations:
        limit, state = states[op]
        taken = buckets.take(state, limit, at, margin_s)
        assert taken is not None
        states[op] = (limit, taken)
    return at
