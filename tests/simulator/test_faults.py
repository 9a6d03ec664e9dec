"""Faults on demand: 5xx answers, slow answers, cancelled and aborted feeds, broken documents."""

from __future__ import annotations

import gzip
import random
import time

import httpx
import pytest

from amazon_jobs.demo import DemoOptions, _simulator_config
from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator.common.faults import Faults

from .helpers import FEEDS, listings_feed, quantity_message
from .offer_helpers import REPORTS, create_report, download_report, get_report


def test_queued_server_errors_are_answered_then_used_up(sp, simulator):
    simulator.faults.fail_next("getFeeds", 503, times=2)
    for _ in range(2):
        response = sp.request("GET", f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"})
        assert response.status_code == 503
        assert response.json()["errors"][0]["code"] == "ServiceUnavailable"
        assert "x-amzn-RequestId" in response.headers
        assert "x-amzn-RateLimit-Limit" not in response.headers
    response = sp.request("GET", f"{FEEDS}/feeds", params={"feedTypes": "JSON_LISTINGS_FEED"})
    assert response.status_code == 200


def test_only_5xx_and_429_can_be_queued(simulator):
    with pytest.raises(ValueError, match="status must be one of"):
        simulator.faults.fail_next("getFeed", 404)


def test_aborted_feed_ends_fatal_and_changes_nothing(sp, simulator, clock):
    simulator.seed_listings([{"sku": "SKU-A", "asin": "B000000001", "quantity": 1, "price": "1"}])
    simulator.faults.abort_next_feeds(1)
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 9)]))
    clock.advance(600)
    feed = sp.request("GET", f"{FEEDS}/feeds/{feed_id}").json()
    assert feed["processingStatus"] == "FATAL"
    report = sp.report(feed_id)
    assert report["issues"][0]["code"] == "4002003"
    assert "messageId" not in report["issues"][0]
    assert simulator.listings()["SKU-A"].quantity == 1


def statuses_of(sp, clock, operation_path: str, count: int) -> list[int]:
    found = []
    for _ in range(count):
        clock.advance(1)
        found.append(sp.request("GET", operation_path).status_code)
    return found


def test_a_seeded_error_rate_answers_exactly_the_drawn_requests(sp, clock, simulator):
    simulator.faults.set_error_rate(0.4, seed=11)
    reference = random.Random(11)
    expected = []
    for _ in range(30):
        failing = reference.random() < 0.4
        expected.append(reference.choice((500, 503)) if failing else 404)
    assert statuses_of(sp, clock, f"{FEEDS}/feeds/1", 30) == expected
    assert {500, 503, 404} <= set(expected)


def test_an_error_rate_can_hit_one_operation_only(sp, clock, simulator):
    simulator.faults.set_error_rate(1.0, "getFeed", statuses=[503])
    assert statuses_of(sp, clock, f"{FEEDS}/feeds/1", 3) == [503, 503, 503]
    assert sp.request("GET", f"{REPORTS}/reports/1").status_code == 404
    simulator.faults.set_error_rate(0.0, "getFeed")
    assert statuses_of(sp, clock, f"{FEEDS}/feeds/1", 1) == [404]


@pytest.mark.parametrize("config", [SimulatorConfig.focused(error_rate=1.0, error_seed=2)])
def test_the_config_sets_a_standing_error_rate(sp, clock, simulator):
    assert set(statuses_of(sp, clock, f"{FEEDS}/feeds/1", 10)) == {500, 503}
    assert simulator.faults.snapshot()["error_rates"] == {
        "*": {"rate": 1.0, "statuses": [500, 503]}
    }


def test_slow_answers_make_a_client_time_out(sp, simulator, server):
    simulator.faults.delay_answers(0.4, "getFeed", times=2)
    headers = {"x-amz-access-token": sp.token}
    with (
        httpx.Client(base_url=server.url, timeout=0.1) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.get(f"{FEEDS}/feeds/1", headers=headers)
    started = time.perf_counter()
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    assert time.perf_counter() - started >= 0.4
    # Both delays are spent: the next answer comes as it would.
    assert simulator.faults.snapshot()["delays"] == {}
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404


def test_amazon_can_cancel_the_next_feeds(sp, clock, simulator):
    simulator.faults.cancel_next_feeds(1)
    cancelled = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 9)]))
    normal = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-B", 4)]))
    assert sp.status(cancelled) == "IN_QUEUE"
    clock.advance(30)
    feed = sp.feed(cancelled)
    assert feed["processingStatus"] == "CANCELLED"
    assert "resultFeedDocumentId" not in feed and "processingStartTime" not in feed
    assert sp.status(normal) == "IN_PROGRESS", "the cancelled feed does not hold the queue"
    clock.advance(60)
    assert sp.status(normal) == "DONE"
    assert simulator.listings()["SKU-A"].quantity == 5
    assert simulator.listings()["SKU-B"].quantity == 4


def test_the_next_documents_are_served_truncated(sp, clock, simulator):
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    report_id = create_report(sp)
    clock.advance(90)
    simulator.faults.corrupt_next_documents(2)
    with pytest.raises((EOFError, gzip.BadGzipFile)):
        sp.report(feed_id)
    with pytest.raises((EOFError, gzip.BadGzipFile)):
        download_report(sp, report_id)
    clock.advance(120)
    assert sp.report(feed_id)["summary"]["messagesAccepted"] == 1
    assert download_report(sp, report_id)[0].startswith(b"item-name\t")


def test_the_next_reports_end_fatal(sp, clock, simulator):
    simulator.faults.fail_next_reports(1)
    failed, fine = create_report(sp), create_report(sp)
    clock.advance(90)
    report = get_report(sp, failed)
    assert report["processingStatus"] == "FATAL"
    assert "reportDocumentId" not in report
    assert report["processingEndTime"] == "2026-11-27T10:01:30.000Z"
    assert get_report(sp, fine)["processingStatus"] == "DONE"


def test_faults_are_set_and_read_over_http(http, sp, clock, simulator):
    body = {
        "fail_next": [{"operation": "getReport", "status": 503, "times": 2}],
        "error_rate": {"rate": 0.25, "operation": "getFeeds", "seed": 4},
        "delay": [{"seconds": 0.5, "operation": "createFeed", "times": 3}],
        "slow_answers": {"rate": 0.05, "seconds": 1.5, "seed": 2},
        "abort_next_feeds": 1,
        "cancel_next_feeds": 2,
        "corrupt_next_documents": 3,
        "fail_next_reports": 4,
    }
    response = http.post("/_sim/faults", json=body)
    assert response.status_code == 200
    expected = {
        "fail_next": {"getReport": [503, 503]},
        "error_rates": {"getFeeds": {"rate": 0.25, "statuses": [500, 503]}},
        "seed": 4,
        "delays": {"createFeed": {"seconds": 0.5, "times": 3}},
        "slow_answers": {"rate": 0.05, "seconds": 1.5, "given": 0},
        "abort_next_feeds": 1,
        "cancel_next_feeds": 2,
        "corrupt_next_documents": 3,
        "fail_next_reports": 4,
        "reset_next": {},
        "omit_next_results": 0,
        "lose_next_results": 0,
        "misnumber_next_reports": 0,
        "expire_access_tokens": 0,
    }
    assert response.json() == expected
    assert http.get("/_sim/faults").json() == expected
    assert sp.request("GET", f"{REPORTS}/reports/1").status_code == 503
    cleared = http.post("/_sim/faults", json={"clear": True}).json()
    assert (
        cleared["fail_next"] == {} and cleared["delays"] == {} and cleared["fail_next_reports"] == 0
    )
    assert cleared["slow_answers"]["rate"] == 0.0
    assert sp.request("GET", f"{REPORTS}/reports/1").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"explode": 1},
        {"fail_next": [{"operation": "getFeed", "status": 404}]},
        {"fail_next": [{"status": 500}]},
        {"fail_next": [{"operation": "noSuchOperation"}]},
        {"error_rate": {"rate": 2}},
        {"delay": {"seconds": -1}},
        {"slow_answers": {"rate": 1.5, "seconds": 1}},
        {"slow_answers": {"rate": 0.1, "seconds": -1}},
        {"slow_answers": [{"rate": 0.1}]},
        {"abort_next_feeds": -1, "cancel_next_feeds": 1},
        {"fail_next_reports": True},
    ],
)
def test_a_bad_fault_body_is_refused_and_changes_nothing(http, body):
    response = http.post("/_sim/faults", json=body)
    assert response.status_code == 400
    assert "error" in response.json()
    snapshot = http.get("/_sim/faults").json()
    assert snapshot["cancel_next_feeds"] == 0 and snapshot["fail_next"] == {}
    assert http.post("/_sim/faults", content=b"{nope").status_code == 400


def test_slow_answers_are_seeded_and_leave_the_errors_where_they_were():
    plain = Faults(seed=5, error_rate=0.3)
    slow = Faults(seed=5, error_rate=0.3, slow_rate=0.25, slow_s=1.5)
    again = Faults(seed=5, error_rate=0.3, slow_rate=0.25, slow_s=1.5)
    errors, slow_errors, delays, delays_again = [], [], [], []
    for _ in range(80):
        errors.append(plain.next_error(Operation.GET_FEED))
        slow_errors.append(slow.next_error(Operation.GET_FEED))
        delays.append(slow.take_delay(Operation.GET_FEED))
        again.next_error(Operation.GET_FEED)
        delays_again.append(again.take_delay(Operation.GET_FEED))
    assert slow_errors == errors, "slow answers draw from their own sequence"
    assert delays == delays_again, "the same seed holds back the same answers"
    assert set(delays) == {0.0, 1.5}
    assert slow.snapshot()["slow_answers"] == {
        "rate": 0.25,
        "seconds": 1.5,
        "given": delays.count(1.5),
    }
    assert all(plain.take_delay(Operation.GET_FEED) == 0.0 for _ in range(80))


def test_a_focused_simulator_never_answers_slowly():
    faults = Simulator(SimulatorConfig.focused()).faults
    assert all(faults.take_delay(Operation.GET_FEED) == 0.0 for _ in range(500))


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(slow_answer_rate=1.0, slow_answer_s=0.4)]
)
def test_the_config_makes_answers_slow_enough_for_a_client_to_time_out(sp, simulator, server):
    headers = {"x-amz-access-token": sp.token}
    with (
        httpx.Client(base_url=server.url, timeout=0.1) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.get(f"{FEEDS}/feeds/1", headers=headers)
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404, "late, but it answers"
    assert simulator.faults.snapshot()["slow_answers"]["given"] == 2


def test_the_demo_fails_and_answers_slowly_now_and_then():
    config = _simulator_config(DemoOptions())
    assert 0 < config.error_rate <= 0.05
    assert 0 < config.slow_answer_rate <= 0.05 and 0 < config.slow_answer_s <= 2
    assert config.order_page_duplicates > 0
    faults = Simulator(config).faults
    delays = [faults.take_delay(Operation.GET_FEED) for _ in range(2000)]
    errors = [faults.next_error(Operation.GET_FEED) for _ in range(2000)]
    assert 0 < delays.count(config.slow_answer_s) < 200
    assert 0 < sum(error is not None for error in errors) < 200
