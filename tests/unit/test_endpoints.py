"""Where credentials may go: Amazon's own hosts over HTTPS, unless the server allows others."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from amazon_jobs.amazon.auth import LwaCredentials
from amazon_jobs.amazon.gateway import AmazonGateway
from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.domain.endpoints import (
    LWA_TOKEN_URL,
    REGION_ENDPOINTS,
    is_amazon_endpoint,
    is_amazon_token_url,
    is_custom,
)
from amazon_jobs.errors import EndpointNotAllowed

AMAZON = [*REGION_ENDPOINTS.values(), "https://SellingPartnerAPI-EU.amazon.com/",
          "https://sellingpartnerapi-fe.amazon.com:443"]  # fmt: skip
NOT_AMAZON = [
    "http://sellingpartnerapi-na.amazon.com",
    "https://sellingpartnerapi-na.amazon.com:8443",
    "https://sellingpartnerapi-na.amazon.com.evil.example",
    "https://evil.example/sellingpartnerapi-na.amazon.com",
    "https://sellingpartnerapi-na.amazon.com@evil.example",
    "https://user:pw@sellingpartnerapi-na.amazon.com",
    "https://sellingpartnerapi-na.amazon.com/feeds",
    "https://sellingpartnerapi-na.amazon.com?x=1",
    "https://sellingpartnerapi-xx.amazon.com",
    "https://api.amazon.com/auth/o2/token",
    "http://127.0.0.1:8100",
    "https://[::1",
    "not a url",
]


@pytest.mark.parametrize("url", AMAZON)
def test_amazons_regional_endpoints_are_amazons(url):
    assert is_amazon_endpoint(url)


@pytest.mark.parametrize("url", NOT_AMAZON)
def test_anything_else_is_not(url):
    assert not is_amazon_endpoint(url)


def test_only_login_with_amazons_token_url_is_amazons():
    assert is_amazon_token_url(LWA_TOKEN_URL) and is_amazon_token_url(LWA_TOKEN_URL + "/")
    assert is_amazon_token_url("HTTPS://API.AMAZON.COM/auth/o2/token")
    for url in (
        "http://api.amazon.com/auth/o2/token",
        "https://api.amazon.com/auth/o2/token?redirect=https://evil.example",
        "https://api.amazon.com/auth/o2/token/../../evil",
        "https://api.amazon.com.evil.example/auth/o2/token",
        "https://api.amazon.com:444/auth/o2/token",
        "https://api.amazon.com/AUTH/o2/token",
        REGION_ENDPOINTS["na"],
    ):
        assert not is_amazon_token_url(url), url
    assert not is_custom(REGION_ENDPOINTS["eu"], LWA_TOKEN_URL)
    assert is_custom(REGION_ENDPOINTS["eu"], "http://127.0.0.1:8100/auth/o2/token")
    assert is_custom("http://127.0.0.1:8100", LWA_TOKEN_URL)


def test_the_setting_is_off_unless_turned_on(tmp_path):
    assert load_settings(environ={}, home=tmp_path).allow_custom_endpoints is False
    env = {"AMAZON_JOBS_ALLOW_CUSTOM_ENDPOINTS": "true"}
    assert load_settings(environ=env, home=tmp_path).allow_custom_endpoints is True


def credentials(token_url: str) -> LwaCredentials:
    return LwaCredentials(token_url, "client", SecretStr("cs-7d1e"), SecretStr("Atzr|rt-41b2"))


@pytest.mark.parametrize(
    ("endpoint", "token_url", "what"),
    [
        ("http://127.0.0.1:9", LWA_TOKEN_URL, "SP-API endpoint"),
        (REGION_ENDPOINTS["na"], "http://127.0.0.1:9/auth/o2/token", "LWA token URL"),
    ],
)
def test_the_gateway_hands_out_no_client_for_a_custom_url_unless_allowed(endpoint, token_url, what):
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/auth/o2/token"):
            return httpx.Response(200, json={"access_token": "Atza|t", "expires_in": 3600})
        return httpx.Response(200, json={"feeds": []})

    clock = VirtualClock()
    refusing = AmazonGateway(clock, transport=httpx.MockTransport(handler))
    with pytest.raises(EndpointNotAllowed) as refused:
        refusing.client(1, endpoint, credentials(token_url), lambda _: None)
    assert refused.value.what == what and "allow_custom_endpoints" in refused.value.message
    assert "cs-7d1e" not in refused.value.message and "rt-41b2" not in refused.value.message
    assert sent == []

    allowing = AmazonGateway(
        clock, transport=httpx.MockTransport(handler), allow_custom_endpoints=True
    )
    client = allowing.client(1, endpoint, credentials(token_url), lambda _: None)
    client.get_feeds(["JSON_LISTINGS_FEED"], clock.now())
    assert [r.url.host for r in sent] == ["127.0.0.1" if "127" in token_url else "api.amazon.com",
                                          httpx.URL(endpoint).host]  # fmt: skip
    refusing.close()
    allowing.close()
