from __future__ import annotations

from typing import Any

import pytest

from .helpers import FEEDS

DENIED = "Access to requested resource is denied."


def denial(details: str) -> dict[str, Any]:
    return {"errors": [{"code": "Unauthorized", "message": DENIED, "details": details}]}


def test_missing_token_is_403(http):
    response = http.get(f"{FEEDS}/feeds/1")
    assert response.status_code == 403
    assert response.json() == denial("Access token is missing in the request header.")
    assert response.headers["x-amzn-RequestId"]
    assert "x-amzn-RateLimit-Limit" not in response.headers


def test_unknown_token_is_403(http):
    response = http.get(f"{FEEDS}/feeds/1", headers={"x-amz-access-token": "Atza|forged"})
    assert response.status_code == 403
    assert response.json() == denial(
        "The access token you provided is revoked, malformed or invalid."
    )


def test_expired_token_is_403(sp, clock):
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    clock.advance(3599)
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    clock.advance(1)
    response = sp.request("GET", f"{FEEDS}/feeds/1")
    assert response.status_code == 403
    assert response.json() == denial("The access token you provided has expired.")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"{FEEDS}/documents"),
        ("GET", f"{FEEDS}/documents/amzn1.tortuga.4.na.x"),
        ("POST", f"{FEEDS}/feeds"),
        ("GET", f"{FEEDS}/feeds?feedTypes=JSON_LISTINGS_FEED"),
        ("GET", f"{FEEDS}/feeds/1"),
        ("DELETE", f"{FEEDS}/feeds/1"),
    ],
)
def test_every_feeds_operation_needs_a_token(http, method, path):
    response = http.request(method, path)
    assert response.status_code == 403
    assert response.headers["x-amzn-RequestId"]


def test_a_refused_request_takes_no_token(http, sp, simulator):
    for _ in range(20):
        assert http.get(f"{FEEDS}/feeds/1").status_code == 403
    assert sp.request("GET", f"{FEEDS}/feeds/1").status_code == 404
    assert simulator.stats()["throttled"] == {}


def test_unknown_paths_answer_an_error_list_with_a_request_id(http):
    response = http.get("/orders/v0/nothing")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NotFound"
    assert response.headers["x-amzn-RequestId"]
