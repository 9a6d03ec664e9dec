"""The channel choice: the pure estimate of each channel (domain.channels) and the live
numbers it is made from (store.channels), on a real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from amazon_jobs.domain.channels import (
    API_CALL_S,
    FASTER,
    FORCED,
    SETTING,
    ApiQuota,
    Channel,
    ChannelEstimate,
    FeedQuota,
    api_seconds,
    choose,
    estimate,
    feed_seconds,
    forced_channel_data,
)
from amazon_jobs.domain.jobs import JobStatus, JobType
from amazon_jobs.domain.limits import Operation
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import AccountSpec, add_account
from amazon_jobs.store.channels import RECENT_FEEDS, channel_estimate
from amazon_jobs.store.models import Job

PATCH = Operation.PATCH_LISTINGS_ITEM
TURNAROUND_S = 300.0

#: The feed as it stands with full buckets (sp-api: createFeed 15, then one per 120 s;
#: JSON_LISTINGS_FEED 5 in 5 minutes) and nothing ahead.
FULL_FEED = FeedQuota(
    ready_in_s=0.0, tokens_now=5, interval_s=120.0, ahead=0, turnaround_s=TURNAROUND_S
)
#: patchListingsItem's full bucket (burst 5, 5 a second) and nothing ahead.
FULL_API = ApiQuota(tokens_now=5.0, rate=5.0, ahead=0)


def feed(**changes: Any) -> FeedQuota:
    return replace(FULL_FEED, **changes)


def api(**changes: Any) -> ApiQuota:
    return replace(FULL_API, **changes)


# domain.channels: pure


def test_a_feed_with_tokens_at_hand_takes_only_amazons_turnaround() -> None:
    assert feed_seconds(FULL_FEED) == TURNAROUND_S
    assert feed_seconds(feed(ready_in_s=30.0)) == 30.0 + TURNAROUND_S


def test_feeds_ahead_push_the_feed_later_once_they_use_up_the_tokens() -> None:
    assert feed_seconds(feed(ahead=4)) == TURNAROUND_S, "the fifth token is still there"
    # 5 ahead take the 5 tokens: this feed waits one refill, 7 ahead three
    assert feed_seconds(feed(ahead=5)) == 120.0 + TURNAROUND_S
    assert feed_seconds(feed(ahead=7)) == 3 * 120.0 + TURNAROUND_S
    times = [feed_seconds(feed(ahead=n)) for n in range(12)]
    assert times == sorted(times)


def test_an_empty_bucket_with_nothing_ahead_waits_only_for_its_next_token() -> None:
    """FeedQuota.ready_in_s is "seconds until this job could take its tokens if no
    other job went first": with no feed ahead the job sends at ready_in_s."""
    assert feed_seconds(feed(ready_in_s=120.0, tokens_now=0)) == 120.0 + TURNAROUND_S
    assert feed_seconds(feed(ready_in_s=12.0, tokens_now=0, ahead=1)) == (
        12.0 + 120.0 + TURNAROUND_S
    )


def test_the_api_spends_the_bucket_then_one_call_per_refill() -> None:
    quota_only = api(call_s=0.0)
    assert api_seconds(5, quota_only) == 0.0, "the burst"
    assert api_seconds(105, quota_only) == pytest.approx(100 / 5.0)
    assert api_seconds(10, api(tokens_now=0.0, call_s=0.0)) == pytest.approx(10 / 5.0)
    # a part of a token is no token
    assert api_seconds(10, api(tokens_now=4.9, call_s=0.0)) == pytest.approx((10 - 4) / 5.0)


def test_one_jobs_calls_go_one_after_another() -> None:
    """A round trip bounds the pace: at 0.2 s a call, a job cannot go faster than five
    calls a second, so the burst saves it nothing."""
    assert api_seconds(5, FULL_API) == pytest.approx(5 * API_CALL_S)
    assert api_seconds(105, FULL_API) == pytest.approx(105 * API_CALL_S)
    assert api_seconds(105, api(call_s=0.5)) == pytest.approx(52.5)


def test_api_items_ahead_push_the_api_later() -> None:
    alone = api_seconds(10, FULL_API)
    behind = api_seconds(10, api(ahead=100))
    assert behind == pytest.approx((110 - 5) / 5.0) and behind > alone
    assert api_seconds(10, api(ahead=100, tokens_now=0.0)) == pytest.approx(110 / 5.0)


def test_the_crossover_api_for_a_hundred_items_feed_for_five_thousand() -> None:
    small = estimate(100, FULL_FEED, FULL_API)
    assert small.api_s == pytest.approx(20.0) and small.feed_s == TURNAROUND_S
    assert small.faster is Channel.API
    bulk = estimate(5_000, FULL_FEED, FULL_API)
    assert bulk.api_s == pytest.approx(1_000.0)
    assert bulk.faster is Channel.FEED
    # where it falls: the API wins while its calls (five a second) fit in the feed's
    # turnaround, here 1,500 items, Amazon's rule of thumb
    crossover = next(
        n for n in range(1, 5_000) if estimate(n, FULL_FEED, FULL_API).faster is Channel.FEED
    )
    assert crossover == 1_501
    # a slower feed queue moves it up
    slow = feed(turnaround_s=600.0)
    assert estimate(2_000, slow, FULL_API).faster is Channel.API


def test_a_tie_goes_to_the_api() -> None:
    assert ChannelEstimate(10, feed_s=60.0, api_s=60.0).faster is Channel.API


def test_forced_beats_the_setting_which_beats_auto() -> None:
    api_faster = ChannelEstimate(3, feed_s=300.0, api_s=1.0)
    feed_faster = ChannelEstimate(9_000, feed_s=300.0, api_s=1_800.0)
    assert choose(Channel.AUTO, None, api_faster) == (Channel.API, FASTER)
    assert choose(Channel.AUTO, None, feed_faster) == (Channel.FEED, FASTER)
    assert choose(Channel.AUTO, Channel.AUTO, feed_faster) == (Channel.FEED, FASTER)
    assert choose(Channel.FEED, None, api_faster) == (Channel.FEED, SETTING)
    assert choose(Channel.API, Channel.AUTO, feed_faster) == (Channel.API, SETTING)
    assert choose(Channel.FEED, Channel.API, feed_faster) == (Channel.API, FORCED)
    assert choose(Channel.API, Channel.FEED, api_faster) == (Channel.FEED, FORCED)
    assert choose(Channel.AUTO, Channel.FEED, api_faster) == (Channel.FEED, FORCED)


def test_a_job_keeps_only_a_channel_really_forced() -> None:
    assert forced_channel_data(None) == {}
    assert forced_channel_data(Channel.AUTO) == {}
    assert forced_channel_data(Channel.FEED) == {"channel_forced": "feed"}
    assert forced_channel_data(Channel.API) == {"channel_forced": "listings-api"}


def test_the_estimate_reads_in_the_log_and_on_the_page() -> None:
    est = ChannelEstimate(120, feed_s=312.34, api_s=23.96)
    assert est.describe() == (
        "120 item(s): Listings Items API about 24 s, JSON listings feed about 5.2 min"
    )
    assert est.as_data() == {"items": 120, "feed_s": 312.3, "api_s": 24.0}
    assert "1.5 h" in ChannelEstimate(1, feed_s=5_400.0, api_s=0.2).describe()


# store.channels: the live numbers, on SQLite and PostgreSQL


def add_job(rt: Runtime, account_id: int, status: JobStatus, items: int, **columns: Any) -> Job:
    now = rt.clock.now()
    with rt.db.transaction() as session:
        job = Job(
            account_id=account_id,
            type=JobType.UPDATE_QTY.value,
            status=status.value,
            created_at=now,
            updated_at=now,
            items_total=items,
            **{"data": {}, **columns},
        )
        session.add(job)
        session.flush()
        session.expunge(job)
        return job


def estimate_for(rt: Runtime, job: Job, api_call_s: float = API_CALL_S) -> ChannelEstimate:
    with rt.db.read() as session:
        return channel_estimate(
            session,
            rt.throttle,
            job,
            PATCH,
            rt.clock.now(),
            feed_turnaround_s=TURNAROUND_S,
            api_call_s=api_call_s,
        )


def add_done_feed(rt: Runtime, account_id: int, n: int, took_s: float) -> None:
    submitted = rt.clock.now() - timedelta(hours=1, minutes=n)
    add_job(
        rt,
        account_id,
        JobStatus.DONE,
        1,
        data={"channel": "feed"},
        amazon_ref=f"F{n}",
        submitted_at=submitted,
        finished_at=submitted + timedelta(seconds=took_s),
    )


def test_amazons_own_processing_time_beats_the_time_we_polled_it(
    runtime: Runtime, account_id: int
) -> None:
    """A job that kept Amazon's processingEndTime (``turnaround_s``) counts that, not the
    time our next poll found the feed done."""
    submitted = runtime.clock.now() - timedelta(hours=2)
    for n in range(3):
        add_job(
            runtime,
            account_id,
            JobStatus.DONE,
            1,
            data={"channel": "feed", "turnaround_s": 300.0},
            amazon_ref=f"G{n}",
            submitted_at=submitted,
            finished_at=submitted + timedelta(seconds=396),
        )
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    assert estimate_for(runtime, job).feed_s == pytest.approx(300.0)


def test_full_buckets_and_no_history(runtime: Runtime, account_id: int) -> None:
    job = add_job(runtime, account_id, JobStatus.CREATED, 100)
    est = estimate_for(runtime, job)
    assert est.items == 100
    assert est.feed_s == pytest.approx(TURNAROUND_S), "no feed answered yet: the setting"
    assert est.api_s == pytest.approx(20.0)
    assert est.faster is Channel.API


def test_an_emptied_create_feed_bucket_makes_the_feed_later(
    runtime: Runtime, account_id: int
) -> None:
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    before = estimate_for(runtime, job)
    with runtime.db.transaction() as session:  # Amazon answered createFeed 429
        runtime.throttle.throttled(session, account_id, Operation.CREATE_FEED, runtime.clock.now())
    after = estimate_for(runtime, job)
    assert after.feed_s >= before.feed_s + 120.0, "at least createFeed's refill"
    assert after.api_s == before.api_s


def test_an_emptied_patch_bucket_makes_the_api_later(runtime: Runtime, account_id: int) -> None:
    """With round trips quicker than the refill (0.05 s), the bucket sets the pace."""
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    before = estimate_for(runtime, job, api_call_s=0.05)
    with runtime.db.transaction() as session:
        runtime.throttle.throttled(session, account_id, PATCH, runtime.clock.now())
    after = estimate_for(runtime, job, api_call_s=0.05)
    assert before.api_s == pytest.approx((10 - 5) / 5.0)
    assert after.api_s == pytest.approx(10 / 5.0)
    assert after.feed_s == before.feed_s


def test_recent_feeds_median_becomes_the_turnaround(runtime: Runtime, account_id: int) -> None:
    for n, took in enumerate([100.0, 900.0, 200.0]):
        add_done_feed(runtime, account_id, n, took)
    # an API-channel job sent nothing to a feed: it says nothing of the feed's queue
    start = runtime.clock.now() - timedelta(minutes=5)
    add_job(
        runtime,
        account_id,
        JobStatus.DONE,
        3,
        data={"channel": "listings-api"},
        submitted_at=start,
        finished_at=start + timedelta(seconds=5_000),
    )
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    assert estimate_for(runtime, job).feed_s == pytest.approx(200.0)


def test_only_the_last_feeds_count(runtime: Runtime, account_id: int) -> None:
    # older feeds were slow, the last RECENT_FEEDS were fast
    for n in range(RECENT_FEEDS, RECENT_FEEDS + 4):
        add_done_feed(runtime, account_id, 10 * n, 3_000.0)
    for n in range(RECENT_FEEDS):
        add_done_feed(runtime, account_id, n, 60.0 + n)
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    assert estimate_for(runtime, job).feed_s == pytest.approx(62.0)


def test_work_waiting_on_each_channel_pushes_it_later(runtime: Runtime, account_id: int) -> None:
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    alone = estimate_for(runtime, job)
    for _ in range(6):  # six feeds still to send: five take the tokens, one waits
        add_job(runtime, account_id, JobStatus.CREATED, 1, data={"channel": "feed"})
    feeds_ahead = estimate_for(runtime, job)
    assert feeds_ahead.feed_s > alone.feed_s and feeds_ahead.api_s == alone.api_s
    # a feed already uploaded has its tokens: it is not ahead any more
    add_job(
        runtime, account_id, JobStatus.PROCESSING, 1, data={"channel": "feed", "phase": "uploaded"}
    )
    assert estimate_for(runtime, job).feed_s == feeds_ahead.feed_s
    # 200 items of an API-channel job, 50 of them answered: 150 calls ahead
    add_job(
        runtime,
        account_id,
        JobStatus.PROCESSING,
        200,
        data={"channel": "listings-api"},
        items_ok=40,
        items_failed=10,
    )
    api_ahead = estimate_for(runtime, job)
    assert api_ahead.api_s == pytest.approx((150 + 10 - 5) / 5.0)
    assert api_ahead.feed_s == feeds_ahead.feed_s


def test_other_accounts_and_finished_jobs_are_not_ahead(runtime: Runtime, account_id: int) -> None:
    other = AccountSpec(
        name="other",
        seller_id="A2",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="client",
        lwa_client_secret=SecretStr("secret"),
        refresh_token=SecretStr("refresh2"),
    )
    with runtime.db.transaction() as session:
        other_id = add_account(session, other, runtime.cipher, runtime.clock.now()).id
    job = add_job(runtime, account_id, JobStatus.CREATED, 10)
    alone = estimate_for(runtime, job)
    add_job(runtime, other_id, JobStatus.PROCESSING, 500, data={"channel": "listings-api"})
    add_job(runtime, account_id, JobStatus.DONE, 500, data={"channel": "listings-api"})
    for _ in range(8):
        add_job(runtime, other_id, JobStatus.CREATED, 1, data={"channel": "feed"})
    assert estimate_for(runtime, job) == alone


def test_items_already_failed_are_not_counted(runtime: Runtime, account_id: int) -> None:
    job = add_job(runtime, account_id, JobStatus.CREATED, 12, items_failed=2)
    assert estimate_for(runtime, job).items == 10
