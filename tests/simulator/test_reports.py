"""The Reports API 2021-06-30 and the merchant listings reports, over HTTP."""

from __future__ import annotations

import gzip

import pytest

from amazon_jobs.simulator import Simulator, SimulatorConfig
from amazon_jobs.simulator.catalog.items import CatalogItem
from amazon_jobs.simulator.reports.listings_report import HEADER
from amazon_jobs.simulator.reports.requests import ReportSpec

from .helpers import FEEDS, QUOTA_EXCEEDED, US, listings_feed, model_validator, quantity_message
from .offer_helpers import DE, REPORTS, create_report, download_report, get_report

MODEL = "reports_2021-06-30.json"
ALL = "GET_MERCHANT_LISTINGS_ALL_DATA"
OPEN = "GET_FLAT_FILE_OPEN_LISTINGS_DATA"
MUG = CatalogItem("B000000001", "Acme Mug, Blue", "Acme", ean="4006381333931")
CUP = CatalogItem("B000000002", "Globex Cup", "Globex", upc="887276302195")
EXACT_HEADER = (
    "item-name\titem-description\tlisting-id\tseller-sku\tprice\tquantity\topen-date\t"
    "image-url\titem-is-marketplace\tproduct-id-type\tzshop-shipping-fee\titem-note\t"
    "item-condition\tzshop-category1\tzshop-browse-path\tzshop-storefront-feature\tasin1\t"
    "asin2\tasin3\twill-ship-internationally\texpedited-shipping\tzshop-boldface\tproduct-id\t"
    "bid-for-featured-placement\tadd-delete\tpending-quantity\tfulfillment-channel\t"
    "merchant-shipping-group\tstatus"
)


def rows(content: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    lines = content.decode(encoding).splitlines()
    assert lines[0] == EXACT_HEADER
    return [dict(zip(HEADER, line.split("\t"), strict=True)) for line in lines[1:]]


def test_the_header_is_amazons():
    assert "\t".join(HEADER) == EXACT_HEADER


def test_a_report_goes_from_queue_to_done_and_serves_the_listings(sp, clock, simulator):
    simulator.seed_catalog([MUG, CUP])
    simulator.seed_listings([{"sku": "SKU-C", "asin": "B000000009", "quantity": 2, "price": "1"}])
    response = sp.request(
        "POST",
        f"{REPORTS}/reports",
        json={"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]},
    )
    assert response.status_code == 202
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    model_validator(MODEL, "CreateReportResponse").validate(response.json())
    report_id = response.json()["reportId"]
    validator = model_validator(MODEL, "Report")

    queued = get_report(sp, report_id)
    validator.validate(queued)
    assert queued == {
        "reportId": report_id,
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "marketplaceIds": [US],
        "dataStartTime": "2026-11-27T10:00:00.000Z",
        "dataEndTime": "2026-11-27T10:00:00.000Z",
        "createdTime": "2026-11-27T10:00:00.000Z",
        "processingStatus": "IN_QUEUE",
    }
    clock.advance(30)
    running = get_report(sp, report_id)
    assert running["processingStatus"] == "IN_PROGRESS"
    assert running["processingStartTime"] == "2026-11-27T10:00:30.000Z"
    clock.advance(60)
    done = get_report(sp, report_id)
    validator.validate(done)
    assert done["processingStatus"] == "DONE"
    assert done["processingEndTime"] == "2026-11-27T10:01:30.000Z"
    assert done["reportDocumentId"].startswith("amzn1.spdoc.")

    document = sp.request("GET", f"{REPORTS}/documents/{done['reportDocumentId']}")
    assert document.status_code == 200
    model_validator(MODEL, "ReportDocument").validate(document.json())
    assert document.json()["compressionAlgorithm"] == "GZIP"
    content, content_type = download_report(sp, report_id)
    assert content_type == "text/plain; charset=UTF-8"
    by_sku = {row["seller-sku"]: row for row in rows(content)}
    assert set(by_sku) == {"SKU-A", "SKU-B", "SKU-C"}
    mug = by_sku["SKU-A"]
    assert (mug["item-name"], mug["price"], mug["quantity"], mug["status"]) == (
        "Acme Mug, Blue",
        "10",
        "5",
        "Active",
    )
    assert (mug["product-id"], mug["product-id-type"], mug["asin1"]) == (
        "4006381333931",
        "4",
        "B000000001",
    )
    assert (mug["item-condition"], mug["fulfillment-channel"]) == ("11", "DEFAULT")
    assert mug["open-date"] == "2026-11-27 02:00:00 PST"
    assert len(mug["listing-id"]) == 11 and mug["listing-id"].startswith("1127")
    cup = by_sku["SKU-B"]
    assert (cup["product-id"], cup["product-id-type"], cup["status"]) == (
        "887276302195",
        "3",
        "Inactive",
    )
    assert (cup["price"], cup["quantity"]) == ("20.5", "0")
    unknown = by_sku["SKU-C"]
    assert (unknown["item-name"], unknown["product-id"], unknown["product-id-type"]) == (
        "",
        "B000000009",
        "1",
    )


def test_the_active_listings_report_leaves_out_quantity_zero(sp, clock):
    report_id = create_report(sp, "GET_MERCHANT_LISTINGS_DATA")
    clock.advance(90)
    content, _ = download_report(sp, report_id)
    assert [row["seller-sku"] for row in rows(content)] == ["SKU-A"]


def test_a_report_reads_the_listings_when_it_ends(sp, clock):
    first = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-B", 7)]))
    clock.advance(1)
    report_id = create_report(sp)
    second = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-B", 9)]))
    clock.advance(90)
    assert sp.status(first) == "DONE"
    assert sp.status(second) == "IN_PROGRESS"
    content, _ = download_report(sp, report_id)
    assert {row["seller-sku"]: row["quantity"] for row in rows(content)}["SKU-B"] == "7"


@pytest.mark.parametrize("config", [SimulatorConfig.focused(marketplace_id=DE)])
def test_a_german_report_is_cp1252_with_question_marks(sp, clock, simulator):
    title = "Kaffeebecher „Größe L“ für 5 € \u2013 Łódź"
    simulator.seed_catalog([CatalogItem("B000000001", title, "Acme", ean="4006381333931")])
    report_id = create_report(sp, marketplaceIds=[DE])
    clock.advance(90)
    content, content_type = download_report(sp, report_id)
    assert content_type == "text/plain; charset=Cp1252"
    mug = rows(content, "cp1252")[0]
    assert mug["item-name"] == "Kaffeebecher „Größe L“ für 5 € \u2013 ?ód?"
    assert "€ä".encode("cp1252") == b"\x80\xe4"
    assert b"\x80" in content and b"\xf6" in content
    assert mug["open-date"] == "27.11.2026 11:00:00 CET"


def test_a_us_report_keeps_every_character_in_utf8(sp, clock, simulator):
    simulator.seed_catalog([CatalogItem("B000000001", "Łódź mug ä €", "Acme")])
    report_id = create_report(sp)
    clock.advance(90)
    content, _ = download_report(sp, report_id)
    assert rows(content)[0]["item-name"] == "Łódź mug ä €"


@pytest.mark.parametrize("config", [SimulatorConfig.focused(gzip_results=False)])
def test_uncompressed_report_documents(sp, clock):
    report_id = create_report(sp)
    clock.advance(90)
    document_id = get_report(sp, report_id)["reportDocumentId"]
    document = sp.request("GET", f"{REPORTS}/documents/{document_id}").json()
    assert "compressionAlgorithm" not in document
    assert sp.http.get(document["url"]).text.startswith("item-name\t")


def test_content_encoding_header_on_request(sp, clock):
    report_id = create_report(sp)
    clock.advance(90)
    document_id = get_report(sp, report_id)["reportDocumentId"]
    document = sp.request(
        "GET",
        f"{REPORTS}/documents/{document_id}",
        params={"enableContentEncodingUrlHeader": "true"},
    ).json()
    download = sp.http.get(document["url"])
    assert download.headers["content-encoding"] == "gzip"
    assert download.text.startswith("item-name\t"), "httpx gunzips it"


def test_a_seller_without_listings_gets_a_cancelled_report(sp, clock, simulator):
    simulator.seller().listings.clear()
    report_id = create_report(sp)
    clock.advance(90)
    report = get_report(sp, report_id)
    assert report["processingStatus"] == "CANCELLED"
    assert report["processingEndTime"] == "2026-11-27T10:01:30.000Z"
    assert "reportDocumentId" not in report


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"marketplaceIds": [US]}, "reportType"),
        ({"reportType": "", "marketplaceIds": [US]}, "reportType"),
        ({"reportType": ALL, "marketplaceIds": []}, "marketplaceIds"),
        ({"reportType": ALL, "marketplaceIds": [US] * 26}, "marketplaceIds"),
        ({"reportType": ALL, "marketplaceIds": [1]}, "marketplaceIds"),
        ({"reportType": ALL, "marketplaceIds": [US], "dataStartTime": "yesterday"}, "ISO 8601"),
        (
            {"reportType": ALL, "marketplaceIds": [US], "dataEndTime": "2030-01-01T00:00:00Z"},
            "future",
        ),
        (
            {
                "reportType": ALL,
                "marketplaceIds": [US],
                "dataStartTime": "2026-11-02T00:00:00Z",
                "dataEndTime": "2026-11-01T00:00:00Z",
            },
            "later",
        ),
        ({"reportType": ALL, "marketplaceIds": [US], "reportOptions": {"a": 1}}, "reportOptions"),
        ([], "JSON object"),
    ],
)
def test_create_report_refuses_a_bad_specification(sp, body, message):
    response = sp.request("POST", f"{REPORTS}/reports", json=body)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert message in error["message"] + error["details"]


def test_data_times_and_options_are_kept(sp):
    report_id = create_report(
        sp,
        dataStartTime="2026-11-01T00:00:00Z",
        dataEndTime="2026-11-02T00:00:00+01:00",
        reportOptions={"custom": "true"},
    )
    report = get_report(sp, report_id)
    assert (report["dataStartTime"], report["dataEndTime"]) == (
        "2026-11-01T00:00:00.000Z",
        "2026-11-01T23:00:00.000Z",
    )


def test_get_reports_filters_and_pages_newest_first(sp, clock):
    ids = [create_report(sp) for _ in range(3)]
    other = create_report(sp, OPEN, marketplaceIds=[DE])
    assert sp.request("DELETE", f"{REPORTS}/reports/{other}").status_code == 200
    clock.advance(90)
    validator = model_validator(MODEL, "GetReportsResponse")
    params = {"reportTypes": "GET_MERCHANT_LISTINGS_ALL_DATA", "pageSize": "2"}
    first = sp.request("GET", f"{REPORTS}/reports", params=params)
    assert first.status_code == 200
    validator.validate(first.json())
    assert [r["reportId"] for r in first.json()["reports"]] == [ids[2], ids[1]]
    token = first.json()["nextToken"]
    second = sp.request("GET", f"{REPORTS}/reports", params={"nextToken": token}).json()
    assert [r["reportId"] for r in second["reports"]] == [ids[0]]
    assert "nextToken" not in second

    def found(**query: str) -> list[str]:
        clock.advance(60)
        response = sp.request("GET", f"{REPORTS}/reports", params=query)
        assert response.status_code == 200, response.text
        return [r["reportId"] for r in response.json()["reports"]]

    both = f"{ALL},{OPEN}"
    assert found(reportTypes=both, processingStatuses="CANCELLED") == [other]
    assert found(reportTypes=both, marketplaceIds=DE) == [other]
    assert found(reportTypes=both, createdSince="2026-11-27T10:00:01Z") == []
    assert found(reportTypes=both, createdUntil="2026-11-26T00:00:00Z") == []
    assert len(found(reportTypes=both)) == 4


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"processingStatuses": "DONE"},
        {"reportTypes": "X", "nextToken": "abc"},
        {"nextToken": "not-a-token"},
        {"nextToken": ""},
        {"reportTypes": "X", "processingStatuses": "BAD_VALUE"},
        {"reportTypes": "X", "pageSize": "0"},
        {"reportTypes": "X", "pageSize": "101"},
        {"reportTypes": ",".join(["X"] * 11)},
        {"reportTypes": "X", "createdSince": "soon"},
        {
            "reportTypes": "X",
            "createdSince": "2026-11-02T00:00:00Z",
            "createdUntil": "2026-11-01T00:00:00Z",
        },
    ],
)
def test_get_reports_refuses_bad_queries(sp, clock, params):
    response = sp.request("GET", f"{REPORTS}/reports", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["code"] == "InvalidInput"


def test_only_queued_reports_can_be_cancelled(sp, clock):
    queued = create_report(sp)
    cancel = sp.request("DELETE", f"{REPORTS}/reports/{queued}")
    assert cancel.status_code == 200
    assert cancel.content == b""
    report = get_report(sp, queued)
    assert report["processingStatus"] == "CANCELLED"
    assert "processingStartTime" not in report and "processingEndTime" not in report
    running = create_report(sp)
    clock.advance(31)
    refused = sp.request("DELETE", f"{REPORTS}/reports/{running}")
    assert refused.status_code == 400
    assert "IN_PROGRESS" in refused.json()["errors"][0]["message"]
    clock.advance(60)
    assert sp.request("DELETE", f"{REPORTS}/reports/{running}").status_code == 400
    assert sp.request("DELETE", f"{REPORTS}/reports/999").status_code == 404
    clock.advance(90)
    assert get_report(sp, queued)["processingStatus"] == "CANCELLED"


def test_documents_and_reports_belong_to_their_seller_and_api(sp, clock, simulator):
    report_id = create_report(sp)
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    clock.advance(90)
    report_document = get_report(sp, report_id)["reportDocumentId"]
    feed_document = sp.feed(feed_id)["resultFeedDocumentId"]
    assert sp.request("GET", f"{REPORTS}/documents/{feed_document}").status_code == 404
    assert sp.request("GET", f"{FEEDS}/documents/{report_document}").status_code == 404
    assert sp.request("GET", f"{REPORTS}/documents/nope").status_code == 404
    simulator.add_seller("A2OTHER", "Atzr|other")
    sp.token = sp.login("Atzr|other")
    assert sp.request("GET", f"{REPORTS}/reports/{report_id}").status_code == 404
    assert sp.request("GET", f"{REPORTS}/documents/{report_document}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "burst", "rate"),
    [
        ("POST", "/reports", 15, "0.0167"),
        ("GET", "/reports/1", 15, "2.0"),
        ("GET", "/reports", 10, "0.0222"),
        ("DELETE", "/reports/1", 10, "0.0222"),
        ("GET", "/documents/1", 15, "0.0167"),
    ],
)
def test_report_operations_are_throttled(sp, method, path, burst, rate):
    body = {"reportType": ALL, "marketplaceIds": [US]} if method == "POST" else None
    params = {"reportTypes": "X"} if path == "/reports" and method == "GET" else None
    for _ in range(burst):
        response = sp.request(method, f"{REPORTS}{path}", json=body, params=params)
        assert response.status_code in (200, 202, 404), response.text
        assert response.headers["x-amzn-RateLimit-Limit"] == rate
    throttled = sp.request(method, f"{REPORTS}{path}", json=body, params=params)
    assert throttled.status_code == 429
    assert throttled.json() == QUOTA_EXCEEDED
    assert "x-amzn-RateLimit-Limit" not in throttled.headers


def test_stats_list_reports(sp, clock, simulator, http):
    report_id = create_report(sp)
    clock.advance(90)
    stats = http.get("/_sim/stats").json()
    assert stats["reports_created"] == 1
    assert stats["reports"] == [
        {
            "sequence": int(report_id),
            "report_id": report_id,
            "seller_id": sp.config.seller_id,
            "report_type": "GET_MERCHANT_LISTINGS_ALL_DATA",
            "status": "DONE",
            "rows": 2,
        }
    ]


def test_a_report_of_100_000_listings(clock):
    simulator = Simulator(SimulatorConfig.focused(), clock)
    simulator.seed_catalog(
        CatalogItem(f"B{i:09d}", f"Item {i}", "Acme", ean=f"{4000000000000 + i}")
        for i in range(0, 100_000, 10)
    )
    simulator.seed_listings(
        {"sku": f"S-{i}", "asin": f"B{i:09d}", "quantity": i % 3, "price": "9.99"}
        for i in range(100_000)
    )
    with simulator.lock:
        simulator.reports.add(
            simulator.config.seller_id,
            ReportSpec("GET_MERCHANT_LISTINGS_ALL_DATA", (US,)),
            clock.now(),
            0,
            0,
        )
    simulator.sync()
    [report] = simulator.reports.all()
    assert report.rows == 100_000
    lines = gzip.decompress(simulator.documents[report.document_id].content or b"").splitlines()
    assert len(lines) == 100_001
    assert lines[1].split(b"\t")[:4] == [b"Item 0", b"", lines[1].split(b"\t")[2], b"S-0"]
