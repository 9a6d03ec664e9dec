from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from .helpers import FEEDS, listings_feed, quantity_message


def with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.update(changes)
    return urlunsplit(parts._replace(query=urlencode(params)))


def assert_s3_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/xml")
    assert f"<Code>{code}</Code>" in response.text
    assert response.headers["x-amz-request-id"]


def test_upload_url_is_on_this_host_and_needs_no_token(sp, server):
    document = sp.create_document("text/tab-separated-values; charset=UTF-8")
    assert document["url"].startswith(f"{server.url}/_s3/")
    response = sp.http.put(
        document["url"],
        content=b"a\tb\n",
        headers={"Content-Type": "text/tab-separated-values; charset=UTF-8"},
    )
    assert response.status_code == 200
    assert response.headers["etag"].startswith('"')


def test_upload_needs_the_content_type_given_at_creation(sp):
    document = sp.create_document("application/json")
    response = sp.http.put(document["url"], content=b"{}", headers={"Content-Type": "text/plain"})
    assert_s3_error(response, 403, "SignatureDoesNotMatch")
    response = sp.http.put(document["url"], content=b"{}")
    assert_s3_error(response, 403, "SignatureDoesNotMatch")


def test_upload_url_expires_after_five_minutes(sp, clock):
    document = sp.create_document()
    clock.advance(299)
    sp.upload(document["url"], b"{}")
    clock.advance(1)
    response = sp.http.put(
        document["url"], content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert_s3_error(response, 403, "AccessDenied")
    assert "expired" in response.text


@pytest.mark.parametrize(
    "changes",
    [
        {"X-Amz-Signature": "0" * 64},
        {"X-Amz-Expires": "86400"},
        {"X-Amz-Date": "20991231T000000Z"},
    ],
)
def test_tampered_urls_are_refused(sp, clock, changes):
    document = sp.create_document()
    clock.advance(600)
    url = with_params(document["url"], **changes)
    response = sp.http.put(url, content=b"{}", headers={"Content-Type": "application/json"})
    assert_s3_error(response, 403, "SignatureDoesNotMatch")


def test_unsigned_urls_are_refused(sp):
    document = sp.create_document()
    bare = document["url"].split("?")[0]
    response = sp.http.put(bare, content=b"{}", headers={"Content-Type": "application/json"})
    assert_s3_error(response, 403, "AccessDenied")


def test_an_upload_url_cannot_download(sp):
    document = sp.create_document()
    sp.upload(document["url"], b"{}")
    assert_s3_error(sp.http.get(document["url"]), 403, "SignatureDoesNotMatch")


def test_download_url_expires_after_five_minutes(sp, clock):
    feed_id = sp.submit(listings_feed(sp.config.seller_id, [quantity_message(1, "SKU-A", 1)]))
    clock.advance(90)
    document_id = sp.feed(feed_id)["resultFeedDocumentId"]
    url = sp.request("GET", f"{FEEDS}/documents/{document_id}").json()["url"]
    clock.advance(299)
    assert sp.http.get(url).status_code == 200
    clock.advance(1)
    assert_s3_error(sp.http.get(url), 403, "AccessDenied")


def test_an_input_document_can_be_read_back(sp):
    document = sp.create_document()
    sp.upload(document["url"], b'{"x": 1}')
    body = sp.request("GET", f"{FEEDS}/documents/{document['feedDocumentId']}").json()
    assert "compressionAlgorithm" not in body
    assert sp.http.get(body["url"]).content == b'{"x": 1}'


def test_a_document_not_uploaded_yet_is_no_such_key(sp):
    document = sp.create_document()
    body = sp.request("GET", f"{FEEDS}/documents/{document['feedDocumentId']}").json()
    assert_s3_error(sp.http.get(body["url"]), 404, "NoSuchKey")
