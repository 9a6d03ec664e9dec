"""What a listings job would do to one listing: amazon_jobs.domain.preview."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import UPDATABLE_STATES, ListingState
from amazon_jobs.domain.preview import ListingFacts, Sent, skip_reason, to_send

ACTIVE = ListingFacts("SKU-1", "active", None, "B0TEST0001", None, 7, Decimal("9.50"))
SENDABLE = frozenset({ListingState.NOT_LISTED, ListingState.ERROR})


def test_an_eligible_free_listing_is_taken():
    assert skip_reason(JobType.UPDATE_QTY, UPDATABLE_STATES, ACTIVE) is None


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (replace(ACTIVE, locked_by_job_id=42), "locked by job 42"),
        (replace(ACTIVE, state="stopped"), "stopped"),
        (replace(ACTIVE, state=None), "not on this account's selling list"),
    ],
)
def test_locked_stopped_or_unlisted_are_left_out(facts, words):
    assert words in (skip_reason(JobType.UPDATE_PRICE, UPDATABLE_STATES, facts) or "")


def test_send_products_needs_an_asin_or_an_ean():
    bare = replace(ACTIVE, state="not_listed", asin=None, ean=None)
    assert "no ASIN and no EAN" in (skip_reason(JobType.SEND_PRODUCTS, SENDABLE, bare) or "")
    with_ean = replace(bare, ean="4006381333931")
    assert skip_reason(JobType.SEND_PRODUCTS, SENDABLE, with_ean) is None


@pytest.mark.parametrize(
    ("job_type", "sent"),
    [
        (JobType.UPDATE_QTY, Sent(7, None)),
        (JobType.UPDATE_PRICE, Sent(None, Decimal("9.50"))),
        (JobType.UPDATE_QTY_PRICE, Sent(7, Decimal("9.50"))),
        (JobType.SEND_PRODUCTS, Sent(7, Decimal("9.50"))),
        (JobType.STOP, Sent(0, None)),
        (JobType.STOP_REMOVE, Sent(0, None)),
    ],
)
def test_the_values_sent_per_job_type(job_type, sent):
    assert to_send(job_type, ACTIVE) == sent
