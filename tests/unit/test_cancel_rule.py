"""The one cancel rule (issue 13 §3): what it allows, and the words it uses."""

from __future__ import annotations

import pytest

from amazon_jobs.domain.cancel import CancelFacts, cancel_verdict
from amazon_jobs.domain.jobs import JobStatus, JobType

S, T = JobStatus, JobType


@pytest.mark.parametrize("status", [S.RESERVED, S.CREATED])
def test_reserved_and_created_cancel_at_once_and_say_nothing_was_sent(status):
    verdict = cancel_verdict(CancelFacts(status, T.UPDATE_QTY))
    assert verdict.allowed and verdict.at_once
    assert verdict.text.startswith("Nothing has been sent to Amazon yet.")


def test_a_catalog_search_already_made_is_said():
    facts = CancelFacts(S.CREATED, T.SEND_PRODUCTS, calls={"searchCatalogItems": 2})
    verdict = cancel_verdict(facts)
    assert verdict.allowed and verdict.at_once
    assert (
        "searchCatalogItems: 2 calls" in verdict.text
        and "Nothing has been sent" not in verdict.text
    )


def test_a_waiting_feed_is_cancelable_only_while_in_queue_and_once():
    queued = CancelFacts(S.WAITING_FOR_RESULT, T.UPDATE_QTY, "F1", "IN_QUEUE")
    verdict = cancel_verdict(queued)
    assert verdict.allowed and not verdict.at_once and "cancelFeed" in verdict.text
    started = CancelFacts(S.WAITING_FOR_RESULT, T.UPDATE_QTY, "F1", "IN_PROGRESS")
    assert not cancel_verdict(started).allowed
    asked = CancelFacts(S.WAITING_FOR_RESULT, T.UPDATE_QTY, "F1", "IN_QUEUE", True)
    assert "already requested" in cancel_verdict(asked).text
    report = CancelFacts(S.WAITING_FOR_RESULT, T.INVENTORY_REPORT, "R1", "IN_QUEUE")
    assert not cancel_verdict(report).allowed


@pytest.mark.parametrize("status", [S.PROCESSING, S.DONE, S.ERROR, S.CANCELED])
def test_the_rest_cannot_be_canceled(status):
    verdict = cancel_verdict(CancelFacts(status, T.STOP))
    assert not verdict.allowed and not verdict.at_once and verdict.text
