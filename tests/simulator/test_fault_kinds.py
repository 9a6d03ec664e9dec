"""The fault kinds test_faults.py leaves out: injected 429s, resets, lost, missing and
misnumbered results, expiring and revoked tokens, a truncated tab-separated report."""

from __future__ import annotations

import httpx
import pytest

from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.common.faults import MISNUMBER_OFFSET, Faults

from .helpers import FEEDS, QUOTA_EXCEEDED, SpApi, listings_feed, quantity_message, token_form
from .offer_helpers import create_report, get_report

TOKEN = "/auth/o2/token"


def two_messages(sp: SpApi) -> dict[str, object]:
    """SKU-A is updated; SKU-NEW is unknown to Amazon (an ERROR issue for message 2)."""
    messages = [quantity_message(1, "SKU-A", 9), quantity_message(2, "SKU-NEW", 3)]
    return listings_feed(sp.config.seller_id, messages)


def test_an_injected_429_is_quota_exceeded_but_not_counted_as_throttled(sp, simulator):
    simulator.faults.fail_next("getFeed", 429, times=2)
    for _ in range(2):
        response = sp.request("GET", f"{FEEDS}/feeds/1")
        assert response.status_code == 429
        assert response.json() == QUOTA_EXCEEDED
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    stats = simulator.stats()
    assert stats["requests"]["getFeed"] == 3
    assert stats["throttled"] == {}, "only the simulator's own buckets count as throttled"


@pytest.mark.parametrize("status", [400, 403, 404, 502])
def test_other_statuses_cannot_be_queued(simulator, status):
    with pytest.raises(ValueError, match="status must be one of"):
        simulator.faults.fail_next("getFeed", status)


def test_a_reset_loses_the_answer_but_the_operation_took_effect(sp, simulator):
    document_id = sp.document(two_messages(sp))
    simulator.faults.reset_next("createFeed")
    with pytest.raises(httpx.TransportError):
        sp.create_feed(document_id)
    assert simulator.faults.snapshot()["reset_next"] == {}
    assert simulator.stats()["feeds_created"] == 1, "the feed was created all the same"
    assert sp.create_feed(document_id).status_code == 202, "the next answer arrives whole"


def test_resets_count_down_per_operation(simulator):
    faults = Faults()
    faults.reset_next("getFeed", times=2)
    assert not faults.take_reset("getFeeds")  # type: ignore[arg-type]
    assert [faults.take_reset("getFeed") for _ in range(3)] == [True, True, False]  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        faults.reset_next("getFeed", times=-1)


def test_an_omitted_result_ends_done_without_a_document_id(sp, clock, simulator):
    simulator.faults.omit_next_results(1)
    first = sp.submit(two_messages(sp))
    second = sp.submit(two_messages(sp))
    clock.advance(600)
    feed = sp.feed(first)
    assert feed["processingStatus"] == "DONE" and "resultFeedDocumentId" not in feed
    assert simulator.listings()["SKU-A"].quantity == 9, "the feed was applied"
    assert "resultFeedDocumentId" in sp.feed(second)


def test_a_lost_result_names_a_document_that_is_not_there(sp, clock, simulator):
    simulator.faults.lose_next_results(1)
    feed_id = sp.submit(two_messages(sp))
    clock.advance(600)
    feed = sp.feed(feed_id)
    assert feed["processingStatus"] == "DONE"
    response = sp.request("GET", f"{FEEDS}/documents/{feed['resultFeedDocumentId']}")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NotFound"


def test_a_misnumbered_report_moves_message_ids_but_keeps_skus_and_summary(sp, clock, simulator):
    simulator.faults.misnumber_next_reports(1)
    misnumbered = sp.submit(two_messages(sp))
    normal = sp.submit(two_messages(sp))
    clock.advance(600)
    report = sp.report(misnumbered)
    (issue,) = [i for i in report["issues"] if i["severity"] == "ERROR"]
    assert issue["messageId"] == 2 + MISNUMBER_OFFSET and issue["sku"] == "SKU-NEW"
    assert report["summary"]["messagesAccepted"] == 1
    assert report["summary"]["messagesInvalid"] == 1
    (issue,) = [i for i in sp.report(normal)["issues"] if i["severity"] == "ERROR"]
    assert issue["messageId"] == 2


def test_expired_access_tokens_answer_403_until_a_new_one_is_fetched(sp, http, simulator):
    simulator.faults.expire_access_tokens(1)
    response = sp.request("GET", f"{FEEDS}/feeds/1")
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["code"] == "Unauthorized"
    assert error["details"] == "The access token you provided has expired."
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 403, "it stays expired"
    sp.token = sp.login(sp.config.refresh_token)
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    assert simulator.faults.snapshot()["expire_access_tokens"] == 0


def test_a_revoked_refresh_token_is_refused_but_issued_tokens_live_on(sp, http, simulator):
    simulator.revoke_refresh_token(sp.config.refresh_token)
    response = http.post(TOKEN, data=token_form(sp.config))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404, "until it expires"


@pytest.mark.parametrize("config", [SimulatorConfig.focused(gzip_results=False)])
def test_a_truncated_text_report_ends_inside_a_row(sp, clock, simulator):
    simulator.seed_listings(
        {"sku": f"SKU-{n:03d}", "asin": f"B{n:09d}", "quantity": n, "price": "9.99"}
        for n in range(20)
    )
    report_id = create_report(sp)
    clock.advance(600)
    document_id = get_report(sp, report_id)["reportDocumentId"]
    simulator.faults.corrupt_next_documents(1)
    cut, _ = sp.download(f"/reports/2021-06-30/documents/{document_id}")
    whole, _ = sp.download(f"/reports/2021-06-30/documents/{document_id}")
    assert whole.startswith(cut) and len(cut) < len(whole)
    assert not cut.endswith(b"\n")
    header, *_, last = cut.split(b"\n")
    assert 0 < last.count(b"\t") < header.count(b"\t"), "the last row is cut in the middle"


def test_new_fault_kinds_are_set_over_http(http, simulator):
    body = {
        "fail_next": [{"operation": "createFeed", "status": 429, "times": 3}],
        "reset_next": [{"operation": "createFeed", "times": 2}],
        "omit_next_results": 1,
        "lose_next_results": 2,
        "misnumber_next_reports": 3,
        "expire_access_tokens": 4,
    }
    response = http.post("/_sim/faults", json=body)
    assert response.status_code == 200, response.text
    snapshot = response.json()
    assert snapshot["fail_next"] == {"createFeed": [429, 429, 429]}
    assert snapshot["reset_next"] == {"createFeed": 2}
    assert (
        snapshot["omit_next_results"],
        snapshot["lose_next_results"],
        snapshot["misnumber_next_reports"],
        snapshot["expire_access_tokens"],
    ) == (1, 2, 3, 4)
    cleared = http.post("/_sim/faults", json={"clear": True}).json()
    assert cleared["reset_next"] == {} and cleared["expire_access_tokens"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"reset_next": [{"times": 1}]},
        {"reset_next": [{"operation": "createFeed", "times": -1}]},
        {"fail_next": [{"operation": "createFeed", "status": 403}]},
        {"omit_next_results": "1"},
        {"expire_access_tokens": -1, "lose_next_results": 1},
    ],
)
def test_a_bad_body_for_the_new_kinds_changes_nothing(http, body):
    assert http.post("/_sim/faults", json=body).status_code == 400
    snapshot = http.get("/_sim/faults").json()
    assert snapshot["reset_next"] == {} and snapshot["lose_next_results"] == 0
