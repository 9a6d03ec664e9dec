"""Read-after-write verification's rules: what each job type must show, when items are
looked at, and the listing once Amazon does not show what it accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.domain.verification import (
    NO_LISTING,
    Seen,
    deadline,
    differences,
    expected,
    flagged_columns,
    next_check_at,
    resent_columns,
    shows,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SENT = {"asin": "B0TEST0001", "quantity": 5, "price": "9.99", "held_back": 1}
GONE = Seen(missing=True)


@pytest.mark.parametrize(
    ("job_type", "keys"),
    [
        (JobType.UPDATE_QTY, {"quantity"}),
        (JobType.UPDATE_PRICE, {"price"}),
        (JobType.UPDATE_QTY_PRICE, {"quantity", "price"}),
        (JobType.STOP, {"quantity"}),
        (JobType.STOP_REMOVE, {"quantity"}),
        (JobType.SEND_PRODUCTS, {"asin", "quantity", "price"}),
    ],
)
def test_each_type_is_checked_on_what_it_sends(job_type, keys):
    assert set(expected(job_type, SENT)) == keys


def test_a_quantity_is_verified_only_when_amazon_shows_it():
    wanted = {"quantity": 5}
    assert shows(JobType.UPDATE_QTY, wanted, Seen(quantity=5))
    assert differences(JobType.UPDATE_QTY, wanted, Seen(quantity=3)) == ["quantity 3 (sent 5)"]
    assert differences(JobType.UPDATE_QTY, wanted, Seen()) == ["quantity none (sent 5)"]
    assert differences(JobType.UPDATE_QTY, wanted, GONE) == ["no listing for this SKU"]


def test_prices_are_compared_to_the_cent():
    wanted = {"price": "9.99"}
    assert shows(JobType.UPDATE_PRICE, wanted, Seen(price=Decimal("9.990")))
    assert not shows(JobType.UPDATE_PRICE, wanted, Seen(price=Decimal("9.98")))
    assert not shows(JobType.UPDATE_PRICE, wanted, Seen(price=None))


def test_an_offer_needs_its_asin_quantity_and_price():
    wanted = expected(JobType.SEND_PRODUCTS, SENT)
    right = Seen(asin="B0TEST0001", quantity=5, price=Decimal("9.99"))
    assert shows(JobType.SEND_PRODUCTS, wanted, right)
    other = Seen(asin="B0OTHER001", quantity=5, price=Decimal("9.99"))
    assert differences(JobType.SEND_PRODUCTS, wanted, other) == [
        "ASIN B0OTHER001 (sent B0TEST0001)"
    ]
    assert not shows(JobType.SEND_PRODUCTS, wanted, GONE)


@pytest.mark.parametrize("job_type", [JobType.STOP, JobType.STOP_REMOVE])
def test_a_stop_is_verified_by_quantity_0_or_no_listing(job_type):
    wanted = {"quantity": 0}
    assert shows(job_type, wanted, Seen(quantity=0))
    assert shows(job_type, wanted, GONE)
    assert not shows(job_type, wanted, Seen(quantity=4))


def test_looks_grow_apart_until_verify_after_then_keep_a_pace():
    looks, now = [], T0
    for _ in range(6):
        now = next_check_at(T0, 1800, now)
        looks.append((now - T0).total_seconds())
    assert looks == [60, 180, 450, 900, 1800, 1980]
    assert deadline(T0, 1800) == T0 + timedelta(seconds=1800)


def test_a_mismatch_puts_the_listing_as_amazon_shows_it_before_the_resend():
    prior = {"state": "active", "confirmed_quantity": 3, "confirmed_price": "9.99"}
    seen = Seen(quantity=4, price=Decimal("8.00"))
    assert resent_columns(JobType.UPDATE_QTY, prior, seen) == {
        "confirmed_quantity": 4,
        "confirmed_price": Decimal("8.00"),
    }
    # a stop Amazon did not apply: the listing is active again, so Stop can send it again
    assert resent_columns(JobType.STOP, prior, Seen(quantity=4))["state"] == "active"
    fresh = {"state": "not_listed", "confirmed_quantity": None, "confirmed_price": None}
    assert resent_columns(JobType.SEND_PRODUCTS, fresh, GONE) == {
        "state": "not_listed",
        "confirmed_quantity": None,
        "confirmed_price": None,
    }


def test_a_flagged_listing_amazon_does_not_have_is_in_error():
    columns = flagged_columns(JobType.UPDATE_QTY, {"state": "active"}, GONE, NO_LISTING)
    assert columns["state"] == ListingState.ERROR.value and columns["last_error"] == NO_LISTING
    kept = flagged_columns(JobType.UPDATE_QTY, {"state": "active"}, Seen(quantity=4), "differs")
    assert kept == {"confirmed_quantity": 4, "last_error": "differs"}
