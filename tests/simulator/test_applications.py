"""Several applications (LWA clients) and several sellers: a token belongs to a
seller-application pair, each pair has its own buckets, and an application's sellers
share its application-wide ones."""

from __future__ import annotations

import httpx
import pytest

from amazon_jobs.domain.limits import Operation
from amazon_jobs.simulator import SimulatorConfig

from .helpers import FEEDS, QUOTA_EXCEEDED, token_form
from .offer_helpers import CATALOG

TOKEN = "/auth/o2/token"
OTHER_APP, OTHER_SECRET = "amzn1.application-oa2-client.other", "other-secret"
#: searchCatalogItems: 2 at once per pair (Amazon's), 3 at once for the whole application.
SHARED_SEARCH = {"searchCatalogItems": {"burst": 3, "rate": 1.0}}


def login(
    http: httpx.Client,
    config: SimulatorConfig,
    refresh_token: str,
    client_id: str | None = None,
    secret: str | None = None,
) -> str:
    form = token_form(config, refresh_token=refresh_token)
    if client_id is not None:
        form.update(client_id=client_id, client_secret=secret or "")
    response = http.post(TOKEN, data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def get_feed(http: httpx.Client, token: str) -> int:
    return http.get(f"{FEEDS}/feeds/1", headers={"x-amz-access-token": token}).status_code


def search(http: httpx.Client, token: str) -> httpx.Response:
    params = {
        "marketplaceIds": "ATVPDKIKX0DER",
        "identifiers": "4006381333931",
        "identifiersType": "EAN",
    }
    return http.get(f"{CATALOG}/items", params=params, headers={"x-amz-access-token": token})


def test_a_refresh_token_works_only_with_the_application_it_was_issued_to(http, config, simulator):
    simulator.add_application(OTHER_APP, OTHER_SECRET)
    simulator.add_seller("A2OTHERSELLER", "Atzr|other-app", client_id=OTHER_APP)
    assert login(http, config, "Atzr|other-app", OTHER_APP, OTHER_SECRET).startswith("Atza|")
    wrong_app = http.post(TOKEN, data=token_form(config, refresh_token="Atzr|other-app"))
    assert wrong_app.status_code == 400
    assert wrong_app.json()["error"] == "invalid_grant"
    wrong_secret = token_form(config, refresh_token="Atzr|other-app", client_id=OTHER_APP)
    assert http.post(TOKEN, data=wrong_secret).json()["error"] == "invalid_client"


def test_a_seller_cannot_authorize_an_unknown_application(simulator):
    with pytest.raises(KeyError, match="unknown application"):
        simulator.add_seller(
            "A2OTHERSELLER", "Atzr|x", client_id="amzn1.application-oa2-client.nope"
        )


def test_each_seller_application_pair_has_its_own_bucket(http, config, simulator):
    simulator.add_application(OTHER_APP, OTHER_SECRET)
    simulator.add_seller(config.seller_id, "Atzr|same-seller-other-app", client_id=OTHER_APP)
    first = login(http, config, config.refresh_token)
    second = login(http, config, "Atzr|same-seller-other-app", OTHER_APP, OTHER_SECRET)
    assert [get_feed(http, first) for _ in range(15)] == [404] * 15
    assert get_feed(http, first) == 429
    assert get_feed(http, second) == 404, "the same seller through another application"
    assert simulator.stats()["throttled"] == {"getFeed": 1}
    assert simulator.stats()["throttled_application"] == {}, "getFeed has no application limit"


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(application_limit_overrides=SHARED_SEARCH)]
)
def test_an_applications_sellers_share_its_bucket_and_a_429_takes_nothing(
    http, config, simulator, clock
):
    simulator.add_application(OTHER_APP, OTHER_SECRET)
    for n in (2, 3):
        simulator.add_seller(f"A{n}SELLER", f"Atzr|seller-{n}")
    simulator.add_seller("A4SELLER", "Atzr|seller-4", client_id=OTHER_APP)
    one = login(http, config, config.refresh_token)
    two, three = login(http, config, "Atzr|seller-2"), login(http, config, "Atzr|seller-3")
    elsewhere = login(http, config, "Atzr|seller-4", OTHER_APP, OTHER_SECRET)
    assert [search(http, one).status_code for _ in range(2)] == [200, 200]
    assert search(http, two).status_code == 200  # the application's third and last token
    refused = search(http, two)
    assert refused.status_code == 429 and refused.json() == QUOTA_EXCEEDED
    assert "x-amzn-RateLimit-Limit" not in refused.headers
    assert search(http, three).status_code == 429, "a seller that sent nothing waits too"
    assert search(http, elsewhere).status_code == 200, "another application is not held"
    clock.advance(1)
    assert search(http, three).status_code == 200
    clock.advance(1)
    assert search(http, two).status_code == 200, "the 429 took no token of the pair"
    stats = simulator.stats()
    assert stats["throttled"] == {"searchCatalogItems": 2}
    assert stats["throttled_application"] == {"searchCatalogItems": 2}


def test_amazons_application_limits_are_the_documented_ones(simulator):
    throttle = simulator.throttle
    rates = {op: throttle.application_limit(op) for op in Operation}
    assert {op: limit.rate for op, limit in rates.items() if limit is not None} == {
        Operation.DELETE_LISTINGS_ITEM: 100,
        Operation.GET_LISTINGS_ITEM: 100,
        Operation.PATCH_LISTINGS_ITEM: 500,
        Operation.PUT_LISTINGS_ITEM: 100,
        Operation.GET_CATALOG_ITEM: 250,
        Operation.SEARCH_CATALOG_ITEMS: 500,
    }
    assert throttle.application_limit(Operation.CREATE_FEED) is None
