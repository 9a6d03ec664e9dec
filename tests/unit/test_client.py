"""The SP-API client over httpx.MockTransport: LWA, 429, 5xx, request ids, secrecy."""

from __future__ import annotations

import gzip
import json
import random
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.amazon.client import SpApiClient
from amazon_jobs.amazon.models import DocumentLocation
from amazon_jobs.errors import (
    AmazonAuthError,
    AmazonClientError,
    AmazonDocumentError,
    AmazonServerError,
    AmazonThrottled,
)

SECRET, REFRESH = "very-secret-client-secret", "Atzr|very-secret-refresh"
CREDS = LwaCredentials(
    "https://lwa.test/auth/o2/token", "client-id", SecretStr(SECRET), SecretStr(REFRESH)
)
FEED = {
    "feedId": "F1",
    "feedType": "JSON_LISTINGS_FEED",
    "processingStatus": "DONE",
    "createdTime": "2026-11-27T09:00:00Z",
    "resultFeedDocumentId": "D9",
}


class Amazon:
    """A scripted Amazon: token endpoint plus queued answers per path."""

    def __init__(self, answers=None, token_ttl=3600):
        self.answers = answers or {}
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_ttl = token_ttl

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/o2/token":
            self.tokens_issued += 1
            token = f"Atza|token-{self.tokens_issued}"
            return httpx.Response(200, json={"access_token": token, "expires_in": self.token_ttl})
        queue = self.answers.get(request.url.path)
        if not queue:
            return httpx.Response(404, json={"errors": [{"code": "NotFound", "message": "?"}]})
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer


def make_client(amazon, clock, observer=None):
    http = httpx.Client(transport=httpx.MockTransport(amazon))
    records = []
    client = SpApiClient(
        http,
        "https://sp.test",
        LwaAuth(CREDS, clock),
        clock,
        observer=observer or records.append,
        rng=random.Random(1),
    )
    return client, records


def ok(body, status=200, rate="2.0"):
    return httpx.Response(
        status, json=body, headers={"x-amzn-RequestId": "req-ok", "x-amzn-RateLimit-Limit": rate}
    )


def test_token_fetched_once_reused_and_refreshed_before_expiry(clock):
    amazon = Amazon({"/feeds/2021-06-30/feeds/F1": [ok(FEED)]})
    client, records = make_client(amazon, clock)
    assert client.get_feed("F1").result_document_id == "D9"
    client.get_feed("F1")
    assert amazon.tokens_issued == 1
    token_request = amazon.requests[0]
    assert dict(httpx.QueryParams(token_request.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
        "client_id": "client-id",
        "client_secret": SECRET,
    }
    assert amazon.requests[1].headers["x-amz-access-token"] == "Atza|token-1"
    clock.advance(3600 - 30)  # inside the one-minute margin: refresh first
    client.get_feed("F1")
    assert amazon.tokens_issued == 2
    assert amazon.requests[-1].headers["x-amz-access-token"] == "Atza|token-2"
    assert [r.request_id for r in records] == ["req-ok"] * 3
    assert records[0].rate_limit == "2.0" and records[0].operation == "getFeed"


def test_refused_token_is_refreshed_once(clock):
    denied = httpx.Response(
        403, json={"errors": [{"code": "Unauthorized", "message": "Access denied."}]}
    )
    amazon = Amazon({"/feeds/2021-06-30/feeds/F1": [denied, ok(FEED)]})
    client, _ = make_client(amazon, clock)
    assert client.get_feed("F1").feed_id == "F1"
    assert amazon.tokens_issued == 2


def test_lwa_refusal_names_the_fix_and_hides_secrets(clock):
    def lwa(request):
        return httpx.Response(
            400, json={"error": "invalid_grant", "error_description": "bad refresh token"}
        )

    client, _ = make_client(lwa, clock)
    with pytest.raises(AmazonAuthError) as caught:
        client.get_feed("F1")
    text = str(caught.value)
    assert "invalid_grant" in text and "refresh token" in text
    assert SECRET not in text and REFRESH not in text
    assert SECRET not in repr(client.auth) and REFRESH not in repr(CREDS)


def test_each_token_granted_is_reported_and_no_refusal_is(clock):
    granted = []
    amazon = Amazon({"/feeds/2021-06-30/feeds/F1": [ok(FEED)]})
    http = httpx.Client(transport=httpx.MockTransport(amazon))
    auth = LwaAuth(CREDS, clock, on_token=lambda: granted.append(clock.now()))
    client = SpApiClient(http, "https://sp.test", auth, clock)
    client.get_feed("F1")
    client.get_feed("F1")  # the token is reused: nothing granted, nothing reported
    assert len(granted) == 1
    clock.advance(3600)
    client.get_feed("F1")
    assert len(granted) == 2

    def refusing(request):
        return httpx.Response(401, json={"error": "invalid_client", "error_description": "no"})

    refused = LwaAuth(CREDS, clock, on_token=lambda: granted.append(clock.now()))
    client = SpApiClient(httpx.Client(transport=httpx.MockTransport(refusing)), "x", refused, clock)
    with pytest.raises(AmazonAuthError) as caught:
        client.get_feed("F1")
    assert caught.value.refusal == "invalid_client: no" and len(granted) == 2


def test_429_raises_at_once_with_request_id(clock):
    throttled = httpx.Response(
        429,
        json={"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota."}]},
        headers={"x-amzn-RequestId": "req-429"},
    )
    amazon = Amazon({"/feeds/2021-06-30/feeds": [throttled]})
    client, records = make_client(amazon, clock)
    with pytest.raises(AmazonThrottled) as caught:
        client.create_feed("JSON_LISTINGS_FEED", ["M"], "D1")
    assert caught.value.request_id == "req-429" and caught.value.operation == "createFeed"
    assert len(records) == 1 and records[0].status == 429


def test_5xx_retried_with_backoff_through_the_clock(clock):
    boom = httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable", "message": "x"}]})
    amazon = Amazon({"/feeds/2021-06-30/feeds/F1": [boom, boom, ok(FEED)]})
    client, records = make_client(amazon, clock)
    start = clock.now()
    assert client.get_feed("F1").feed_id == "F1"
    assert [r.status for r in records] == [503, 503, 200]
    waited = clock.now() - start
    assert timedelta(seconds=2) <= waited <= timedelta(seconds=4)


def test_5xx_gives_up_after_max_attempts(clock):
    boom = httpx.Response(500, json={"errors": [{"code": "InternalFailure", "message": "x"}]})
    client, records = make_client(Amazon({"/feeds/2021-06-30/feeds/F1": [boom]}), clock)
    with pytest.raises(AmazonServerError, match="HTTP 500 InternalFailure"):
        client.get_feed("F1")
    assert len(records) == client.max_attempts


def test_create_feed_is_not_repeated_on_5xx(clock):
    boom = httpx.Response(500, json={"errors": [{"code": "InternalFailure", "message": "x"}]})
    amazon = Amazon({"/feeds/2021-06-30/feeds": [boom]})
    client, records = make_client(amazon, clock)
    with pytest.raises(AmazonServerError):
        client.create_feed("JSON_LISTINGS_FEED", ["M"], "D1")
    assert len(records) == 1


def test_connection_errors_are_retried_then_reported(clock):
    def broken(request):
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        raise httpx.ConnectError("refused", request=request)

    client, records = make_client(broken, clock)
    with pytest.raises(AmazonServerError, match="connection failed"):
        client.get_feed("F1")
    assert len(records) == client.max_attempts and records[0].error


def test_400_is_a_client_error_with_amazons_message(clock):
    bad = httpx.Response(
        400,
        json={"errors": [{"code": "InvalidInput", "message": "marketplaceIds is required"}]},
        headers={"x-amzn-RequestId": "req-400"},
    )
    client, _ = make_client(Amazon({"/feeds/2021-06-30/feeds": [bad]}), clock)
    with pytest.raises(AmazonClientError) as caught:
        client.create_feed("JSON_LISTINGS_FEED", [], "D1")
    assert "InvalidInput: marketplaceIds is required" in str(caught.value)
    assert "req-400" in str(caught.value)


def test_feed_document_flow_and_gzip_download(clock):
    report = {"header": {"sellerId": "S", "version": "2.0", "feedId": "F1"}}
    amazon = Amazon(
        {
            "/feeds/2021-06-30/documents": [
                ok({"feedDocumentId": "D1", "url": "https://s3.test/up?sig=1"}, 201)
            ],
            "/up": [httpx.Response(200)],
            "/down": [
                httpx.Response(
                    200,
                    content=gzip.compress(json.dumps(report).encode()),
                    headers={"content-type": "application/json; charset=UTF-8"},
                )
            ],
        }
    )
    client, _ = make_client(amazon, clock)
    upload = client.create_feed_document("application/json; charset=UTF-8")
    client.upload_document(upload.url, b"{}", "application/json; charset=UTF-8")
    put = amazon.requests[-1]
    assert put.method == "PUT" and "x-amz-access-token" not in put.headers
    assert put.headers["content-type"] == "application/json; charset=UTF-8"
    content, charset = client.download(DocumentLocation("D9", "https://s3.test/down", "GZIP"))
    assert json.loads(content) == report and charset.lower() == "utf-8"


def test_corrupt_gzip_is_a_document_error(clock):
    amazon = Amazon({"/down": [httpx.Response(200, content=b"\x1f\x8bnot gzip")]})
    client, _ = make_client(amazon, clock)
    with pytest.raises(AmazonDocumentError, match="not valid gzip"):
        client.download(DocumentLocation("D9", "https://s3.test/down", "GZIP"))
