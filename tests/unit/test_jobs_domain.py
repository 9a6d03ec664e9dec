from __future__ import annotations

import itertools

import pytest

from amazon_jobs.domain.jobs import (
    TERMINAL_STATUSES,
    TRANSITIONS,
    USER_CANCELABLE,
    JobStatus,
    JobType,
    check_transition,
)
from amazon_jobs.errors import IllegalTransition

S = JobStatus

ALLOWED = {
    (S.RESERVED, S.CREATED),
    (S.RESERVED, S.DONE),
    (S.RESERVED, S.CANCELED),
    (S.CREATED, S.PROCESSING),
    (S.CREATED, S.CANCELED),
    (S.PROCESSING, S.WAITING_FOR_RESULT),
    (S.PROCESSING, S.DONE),
    (S.PROCESSING, S.ERROR),
    # the Listings Items API channel: a cancel asked for stops it between two calls
    (S.PROCESSING, S.CANCELED),
    (S.WAITING_FOR_RESULT, S.DONE),
    (S.WAITING_FOR_RESULT, S.ERROR),
    (S.WAITING_FOR_RESULT, S.CANCELED),
}
ALL_PAIRS = list(itertools.product(JobStatus, JobStatus))


def test_the_types_and_seven_statuses_as_in_design():
    assert [t.label for t in JobType] == [
        "Sending Products",
        "Update Products QTY",
        "Update Products Price",
        "Update Products QTY & Price",
        "Stop Products",
        "Stop & Remove Products",
        "Orders Fulfillment",
        "Inventory Report",
        "Orders Import",
        "Orders to Shop",
        "Shipments from Shop",
        "Shop Catalog Sync",
    ]
    assert [s.value for s in JobStatus] == [
        "reserved",
        "created",
        "processing",
        "waiting_for_result",
        "done",
        "error",
        "canceled",
    ]


@pytest.mark.parametrize(("from_", "to"), sorted(ALLOWED))
def test_every_allowed_transition_passes(from_, to):
    check_transition(1, from_, to)
    assert to in TRANSITIONS[from_]


@pytest.mark.parametrize(("from_", "to"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_every_forbidden_transition_raises(from_, to):
    with pytest.raises(IllegalTransition) as caught:
        check_transition(7, from_, to)
    assert caught.value.job_id == 7
    assert caught.value.from_ is from_ and caught.value.to is to
    assert f"job 7 cannot go from {from_} to {to}" in str(caught.value)


def test_terminal_statuses_have_no_way_out():
    for status in TERMINAL_STATUSES:
        assert TRANSITIONS[status] == frozenset()
        assert status.is_terminal


def test_user_may_cancel_only_reserved_and_created():
    assert frozenset({S.RESERVED, S.CREATED}) == USER_CANCELABLE
