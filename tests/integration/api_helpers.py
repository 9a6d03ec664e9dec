"""Helpers of the REST API tests: the one error shape, jobs made through the API."""

from __future__ import annotations

import httpx

ERROR_KEYS = {"status", "code", "message", "details"}


def assert_error(response: httpx.Response, status: int, says: str | None = None) -> dict:
    """The answer is *status* with the one error shape (and a message saying *says*)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"].strip()
    assert isinstance(error["details"], list)
    if says is not None:
        assert says in error["message"], error["message"]
    return error


def create_jobs(web, **body) -> list[dict]:
    """Create job(s) through the API; returns them."""
    body.setdefault("account", "us")
    answer = web.api.post("/api/v1/jobs", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["jobs"]
