"""Issue 15 §1.4: the Inventory Report (GET_FLAT_FILE_OPEN_LISTINGS_DATA), reportOptions
honoured or refused per report type, unknown report types refused at createReport, and
the date range that snapshot reports do not use; over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from amazon_jobs.simulator import SimulatorConfig
from amazon_jobs.simulator.reports.open_listings_report import OPEN_LISTINGS_HEADER

from .helpers import US, SpApi, model_validator
from .offer_helpers import DE, REPORTS, create_report, download_report, get_report

MODEL = "reports_2021-06-30.json"
OPEN = "GET_FLAT_FILE_OPEN_LISTINGS_DATA"
ALL = "GET_MERCHANT_LISTINGS_ALL_DATA"
ACTIVE = "GET_MERCHANT_LISTINGS_DATA"
BUSINESS_COLUMNS = (
    "Business Price\tQuantity Price Type\t"
    "Quantity Lower Bound 1\tQuantity Price 1\tQuantity Lower Bound 2\tQuantity Price 2\t"
    "Quantity Lower Bound 3\tQuantity Price 3\tQuantity Lower Bound 4\tQuantity Price 4\t"
    "Quantity Lower Bound 5\tQuantity Price 5\tProgressive Price Type\t"
    "Progressive Lower Bound 1\tProgressive Price 1\tProgressive Lower Bound 2\t"
    "Progressive Price 2\tProgressive Lower Bound 3\tProgressive Price 3"
)
EXACT_HEADER = "sku\tasin\tprice\tquantity\t" + BUSINESS_COLUMNS


def open_rows(content: bytes, encoding: str = "utf-8") -> dict[str, dict[str, str]]:
    lines = content.decode(encoding).split("\n")
    assert lines[0] == EXACT_HEADER and lines[-1] == ""
    rows = [dict(zip(OPEN_LISTINGS_HEADER, line.split("\t"), strict=True)) for line in lines[1:-1]]
    return {row["sku"]: row for row in rows}


def refusal(sp: SpApi, body: dict[str, Any]) -> dict[str, Any]:
    response = sp.request("POST", f"{REPORTS}/reports", json=body)
    assert response.status_code == 400, response.text
    model_validator(MODEL, "ErrorList").validate(response.json())
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput"
    return dict(error)


def test_the_inventory_report_lists_sku_asin_price_and_quantity(sp, clock):
    report_id = create_report(sp, OPEN)
    clock.advance(90)
    report = get_report(sp, report_id)
    model_validator(MODEL, "Report").validate(report)
    assert (report["reportType"], report["processingStatus"]) == (OPEN, "DONE")
    content, content_type = download_report(sp, report_id)
    assert content_type == "text/plain; charset=UTF-8"
    rows = open_rows(content)
    assert set(rows) == {"SKU-A", "SKU-B"}  # quantity 0 too: every listing of the seller
    mug, cup = rows["SKU-A"], rows["SKU-B"]
    assert (mug["asin"], mug["price"], mug["quantity"]) == ("B000000001", "10", "5")
    assert (cup["asin"], cup["price"], cup["quantity"]) == ("B000000002", "20.5", "0")
    assert all(mug[name] == "" for name in OPEN_LISTINGS_HEADER[4:])


def test_the_inventory_report_is_made_for_the_first_marketplace_only(sp, clock, simulator):
    simulator.seed_listings(
        [{"sku": "TASSE-GRÜN-Ł", "asin": "B000000003", "quantity": 2, "price": "4.5"}]
    )
    german = create_report(sp, OPEN, marketplaceIds=[DE, US])
    american = create_report(sp, OPEN, marketplaceIds=[US, DE])
    clock.advance(90)
    assert get_report(sp, german)["marketplaceIds"] == [DE, US]
    content, content_type = download_report(sp, german)
    assert content_type == "text/plain; charset=Cp1252"
    assert "TASSE-GRÜN-?" in open_rows(content, "cp1252")
    content, content_type = download_report(sp, american)
    assert content_type == "text/plain; charset=UTF-8"
    assert open_rows(content)["TASSE-GRÜN-Ł"]["quantity"] == "2"


def test_an_inventory_report_without_listings_is_cancelled(sp, clock, simulator):
    simulator.seller().listings.clear()
    report_id = create_report(sp, OPEN)
    clock.advance(90)
    report = get_report(sp, report_id)
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report


@pytest.mark.parametrize(
    "report_type",
    ["X", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "get_flat_file_open_listings_data"],
)
def test_a_report_type_the_simulator_does_not_make_is_refused(sp, clock, report_type):
    error = refusal(sp, {"reportType": report_type, "marketplaceIds": [US]})
    assert error["message"] == f"Invalid Report Type {report_type}"
    assert OPEN in error["details"] and ALL in error["details"]
    clock.advance(90)
    listed = sp.request("GET", f"{REPORTS}/reports", params={"reportTypes": report_type})
    assert listed.json()["reports"] == []


@pytest.mark.parametrize(
    ("report_type", "options"),
    [
        (OPEN, {"custom": "true"}),
        (OPEN, {"custom": "false", "preferredReportDocumentLocale": "de_DE"}),
        (OPEN, {"preferredReportDocumentLocale": "en_US"}),
        (ALL, {"custom": "true"}),
        (ACTIVE, {}),
    ],
)
def test_options_a_report_type_accepts_are_kept_and_it_is_made(
    sp, clock, simulator, report_type, options
):
    report_id = create_report(sp, report_type, reportOptions=options)
    clock.advance(90)
    assert get_report(sp, report_id)["processingStatus"] == "DONE"
    content, _ = download_report(sp, report_id)
    assert "SKU-A" in content.decode()
    with simulator.lock:
        report = simulator.reports.find(sp.config.seller_id, report_id)
        assert report is not None and report.spec.options == options


@pytest.mark.parametrize(
    ("report_type", "options", "named", "accepted"),
    [
        (OPEN, {"Custom": "true"}, "'Custom'", "custom, preferredReportDocumentLocale"),
        (OPEN, {"ShowSalesChannel": "true"}, "'ShowSalesChannel'", "custom"),
        (OPEN, {"custom": "yes"}, "'yes'", "false, true"),
        (OPEN, {"custom": "TRUE"}, "'TRUE'", "false, true"),
        (OPEN, {"preferredReportDocumentLocale": "xx_XX"}, "'xx_XX'", "de_DE"),
        (OPEN, {"preferredReportDocumentLocale": "en-US"}, "'en-US'", "en_US"),
        (ALL, {"preferredReportDocumentLocale": "en_US"}, "preferred", "Options of "),
        (ACTIVE, {"custom": "true"}, "'custom'", "none"),
    ],
)
def test_options_a_report_type_does_not_accept_are_refused(
    sp, report_type, options, named, accepted
):
    body = {"reportType": report_type, "marketplaceIds": [US], "reportOptions": options}
    error = refusal(sp, body)
    assert "reportOptions" in error["message"] and named in error["message"]
    assert report_type in error["message"]
    assert accepted in error["details"]


def test_snapshot_reports_do_not_use_the_date_range(sp, clock):
    """The listings were opened at START; a range that ends a day earlier still lists them."""
    start, end = "2026-11-01T00:00:00Z", "2026-11-26T10:00:00Z"
    ids = [
        create_report(sp, report_type, dataStartTime=start, dataEndTime=end)
        for report_type in (OPEN, ALL)
    ]
    clock.advance(90)
    for report_id in ids:
        report = get_report(sp, report_id)
        assert (report["dataStartTime"], report["dataEndTime"]) == (
            "2026-11-01T00:00:00.000Z",
            "2026-11-26T10:00:00.000Z",
        )
        content, _ = download_report(sp, report_id)
        assert "SKU-A" in content.decode() and "SKU-B" in content.decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"dataStartTime": "2026-11-28T00:00:00Z"}, "future"),
        ({"dataStartTime": "27.11.2026"}, "ISO 8601"),
        (
            {"dataStartTime": "2026-11-27T09:00:00Z", "dataEndTime": "2026-11-27T08:00:00Z"},
            "later",
        ),
    ],
)
def test_the_date_range_is_still_checked_for_snapshot_reports(sp, body, message):
    error = refusal(sp, {"reportType": OPEN, "marketplaceIds": [US], **body})
    assert message in error["message"]


@pytest.mark.parametrize("config", [SimulatorConfig.focused(gzip_results=False)])
def test_an_uncompressed_inventory_report(sp, clock):
    report_id = create_report(sp, OPEN)
    clock.advance(90)
    content, _ = download_report(sp, report_id)
    assert content.startswith(b"sku\tasin\tprice\tquantity\tBusiness Price\t")
