from __future__ import annotations

import pytest

from .helpers import token_form

TOKEN = "/auth/o2/token"


def test_refresh_token_grant_returns_a_bearer_token(http, config, simulator):
    response = http.post(TOKEN, data=token_form(config))
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("Atza|")
    assert body == {
        "access_token": body["access_token"],
        "token_type": "bearer",
        "expires_in": 3600,
        "refresh_token": config.refresh_token,
    }
    assert response.headers["x-amzn-RequestId"]
    assert simulator.stats()["tokens_issued"] == 1


def test_each_grant_is_a_new_token(http, config):
    first = http.post(TOKEN, data=token_form(config)).json()["access_token"]
    second = http.post(TOKEN, data=token_form(config)).json()["access_token"]
    assert first != second


@pytest.mark.parametrize(
    "overrides",
    [{"client_id": "amzn1.application-oa2-client.other"}, {"client_secret": "wrong"}],
)
def test_wrong_client_is_401_invalid_client(http, config, overrides):
    response = http.post(TOKEN, data=token_form(config, **overrides))
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }


def test_unknown_refresh_token_is_400_invalid_grant(http, config):
    response = http.post(TOKEN, data=token_form(config, refresh_token="Atzr|nope"))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "The request has an invalid grant parameter : refresh_token",
    }


@pytest.mark.parametrize("missing", ["grant_type", "refresh_token", "client_id", "client_secret"])
def test_missing_field_is_400_invalid_request(http, config, missing):
    form = token_form(config)
    del form[missing]
    response = http.post(TOKEN, data=form)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": f"The request is missing a required parameter : {missing}",
    }


def test_other_grant_types_are_unsupported(http, config):
    form = token_form(
        config, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    )
    response = http.post(TOKEN, data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_json_body_is_not_a_form(http, config):
    response = http.post(TOKEN, json=token_form(config))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_added_sellers_log_in_with_their_own_refresh_token(http, config, simulator):
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    response = http.post(TOKEN, data=token_form(config, refresh_token="Atzr|other"))
    assert response.status_code == 200
    assert response.json()["refresh_token"] == "Atzr|other"
