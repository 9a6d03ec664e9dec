"""The live numbers the channel choice is made from: buckets, queues, recent feeds.

Read in the transaction that holds the job's row lock (the ``created`` step);
nothing here locks or changes a bucket.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from amazon_jobs.domain import buckets
from amazon_jobs.domain.channels import ApiQuota, Channel, ChannelEstimate, FeedQuota, estimate
from amazon_jobs.domain.jobs import FEED_JOB_TYPES, JobStatus
from amazon_jobs.domain.limits import Limit, Operation
from amazon_jobs.store.models import Job
from amazon_jobs.store.prepared import Prepared, constants
from amazon_jobs.throttle import Throttle

__all__ = ["FEED_GATES", "RECENT_FEEDS", "channel_estimate", "channel_of"]

#: The buckets a feed must pass before Amazon has it.
FEED_GATES = (Operation.CREATE_FEED, Operation.JSON_LISTINGS_FEED)
#: How many of the account's last feeds the turnaround is the median of.
RECENT_FEEDS = 5
_LISTINGS_TYPES = constants((t.value for t in FEED_JOB_TYPES), Job.type.type)
_ACCOUNT = bindparam("account_id", type_=Job.account_id.type)
#: :func:`_waiting`'s query, prepared once (every job entering processing runs it).
_WAITING = Prepared(
    select(Job.status, Job.data, Job.items_total, Job.items_ok, Job.items_failed).where(
        Job.account_id == _ACCOUNT,
        Job.id != bindparam("job_id", type_=Job.id.type),
        Job.type.in_(_LISTINGS_TYPES),
        Job.status.in_(
            constants([JobStatus.CREATED.value, JobStatus.PROCESSING.value], Job.status.type)
        ),
    )
)
#: :func:`_turnaround`'s query: the account's last feeds that Amazon processed.
_RECENT_FEEDS = Prepared(
    select(Job.submitted_at, Job.finished_at, Job.data)
    .where(
        Job.account_id == _ACCOUNT,
        Job.type.in_(_LISTINGS_TYPES),
        Job.status == JobStatus.DONE.value,
        Job.amazon_ref.is_not(None),
        Job.submitted_at.is_not(None),
    )
    .order_by(Job.finished_at.desc())
    .limit(RECENT_FEEDS)
)


def channel_of(data: dict[str, Any]) -> Channel:
    """The channel a job goes through (the feed until one was chosen)."""
    return Channel(data.get("channel") or Channel.FEED.value)


def channel_estimate(
    session: Session,
    throttle: Throttle,
    job: Job,
    api_operation: Operation,
    now: datetime,
    *,
    feed_turnaround_s: float,
    api_call_s: float,
) -> ChannelEstimate:
    """When each channel would have Amazon's answer for every item *job* still holds."""
    items = max(0, job.items_total - job.items_failed)
    feed_ahead, api_ahead = _waiting(session, job)
    states = throttle.states(session, job.account_id, [*FEED_GATES, api_operation], now)
    gates = [states[gate] for gate in FEED_GATES]
    feed = _feed_quota(session, throttle, job.account_id, gates, now, feed_ahead, feed_turnaround_s)
    api = _api_quota(throttle, api_operation, states[api_operation], now, api_ahead, api_call_s)
    return estimate(items, feed, api)


def _waiting(session: Session, job: Job) -> tuple[int, int]:
    """Feed jobs of the account still to submit, and items of its API-channel jobs still
    to call, other than *job*."""
    rows = _WAITING.rows(session, {"account_id": job.account_id, "job_id": job.id})
    feeds = items = 0
    for status, data, total, ok, failed in rows:
        channel = (data or {}).get("channel")
        if channel == Channel.API.value:
            items += max(0, total - ok - failed)
        elif channel == Channel.FEED.value and (
            status == JobStatus.CREATED.value or (data or {}).get("phase") != "uploaded"
        ):
            feeds += 1
    return feeds, items


def _feed_quota(
    session: Session,
    throttle: Throttle,
    account_id: int,
    gates: Sequence[tuple[Limit, buckets.BucketState]],
    now: datetime,
    ahead: int,
    prior_turnaround_s: float,
) -> FeedQuota:
    ready_in = 0.0
    tokens_now: int | None = None
    interval = 0.0
    for limit, state in gates:
        current = buckets.refill(state, limit, now)
        whole = math.floor(current.tokens + buckets.EPSILON)
        if limit.window_max is not None:
            whole = min(whole, limit.window_max - len(current.grants))
        tokens_now = whole if tokens_now is None else min(tokens_now, whole)
        ready_at = buckets.next_token_at(state, limit, now, throttle.margin_s)
        ready_in = max(ready_in, (ready_at - now).total_seconds())
        interval = max(interval, limit.interval_s)
        if limit.window_s is not None and limit.window_max:
            interval = max(interval, limit.window_s / limit.window_max)
    return FeedQuota(
        ready_in_s=ready_in,
        tokens_now=max(0, tokens_now or 0),
        interval_s=interval,
        ahead=ahead,
        turnaround_s=_turnaround(session, account_id) or prior_turnaround_s,
    )


def _turnaround(session: Session, account_id: int) -> float | None:
    """Median seconds from createFeed to the result of the account's last feeds: from
    Amazon's ``processingEndTime`` where the job kept it (``turnaround_s``), else until the
    job had the result (which adds the time between our polls)."""
    rows = _RECENT_FEEDS.rows(session, {"account_id": account_id})
    seconds = [
        _took(submitted, finished, data or {})
        for submitted, finished, data in rows
        if finished is not None and (data or {}).get("channel") != Channel.API.value
    ]
    return statistics.median(seconds) if seconds else None


def _took(submitted: datetime, finished: datetime, data: dict[str, Any]) -> float:
    kept = data.get("turnaround_s")
    return float(kept) if kept is not None else (finished - submitted).total_seconds()


def _api_quota(
    throttle: Throttle,
    operation: Operation,
    bucket: tuple[Limit, buckets.BucketState],
    now: datetime,
    ahead: int,
    call_s: float,
) -> ApiQuota:
    limit, state = bucket
    current = buckets.refill(state, limit, now)
    rate = limit.rate
    shared = throttle.application_limits.get(operation)
    if shared is not None:
        rate = min(rate, shared.rate)
    return ApiQuota(tokens_now=current.tokens, rate=rate, ahead=ahead, call_s=call_s)
