"""Which failed items a retry can fix: amazon_jobs.domain.retry."""

from __future__ import annotations

import pytest

from amazon_jobs.domain.retry import retry_blocker
from amazon_jobs.handlers.send_products import NO_CODE


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("13013", "This SKU does not exist in the Amazon.com catalog."),
        (None, "13013: This SKU does not exist in the Amazon.com catalog."),
        ("8542", "The SKU data provided conflicts with the Amazon catalog."),
        ("6024", "Seller is not authorized to list products by this brand name"),
        ("8560", "No ASIN matches"),
        ("8572", "The UPC/EAN belongs to another product"),
        ("8541", "conflicts with catalog data"),
        (None, "no Amazon product has EAN 4006381333931"),
        (None, "EAN 4006381333931 matches 2 Amazon products (B01, B02)"),
        (None, NO_CODE),
    ],
)
def test_a_retry_cannot_fix_an_unknown_sku_or_a_bad_code(code, message):
    assert retry_blocker(code, message)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("5002", "Amazon had an internal error"),
        ("QuotaExceeded", "You exceeded your quota"),
        (None, "the job failed: Amazon answered 503"),
        (None, None),
    ],
)
def test_a_retry_can_fix_what_went_wrong_on_the_way(code, message):
    assert retry_blocker(code, message) is None
