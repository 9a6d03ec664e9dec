"""searchCatalogItems and getCatalogItem (Catalog Items API 2022-04-01) over HTTP."""

from __future__ import annotations

import pytest

from amazon_jobs.simulator.catalog.generator import catalog_ean, generate_catalog
from amazon_jobs.simulator.catalog.items import CatalogItem

from .helpers import QUOTA_EXCEEDED, US, model_validator
from .offer_helpers import CATALOG, DE, search

MODEL = "catalogItems_2022-04-01.json"
TV = CatalogItem(
    "B07N4M94X4", "Samsung QN82Q60RAFXZA 82-Inch QLED", "SAMSUNG", "TELEVISION", upc="887276302195"
)
GENERATED = generate_catalog(40, seed=11, ambiguous=3, unknown=4, upcs=5)


@pytest.fixture(autouse=True)
def catalog(simulator):
    simulator.seed_catalog([TV, *GENERATED.items])
    simulator.seed_listings([{"sku": "MY-TV", "asin": TV.asin, "quantity": 1, "price": "999"}])


def asins(response) -> list[str]:
    assert response.status_code == 200, response.text
    model_validator(MODEL, "ItemSearchResults").validate(response.json())
    return [item["asin"] for item in response.json()["items"]]


def test_a_upc_item_is_listed_under_all_its_codes_like_amazons_example(sp, clock):
    response = search(
        sp,
        clock,
        identifiers="887276302195",
        identifiersType="UPC",
        includedData="identifiers,summaries,productTypes",
    )
    assert asins(response) == [TV.asin]
    assert response.headers["x-amzn-RateLimit-Limit"] == "2.0"
    assert response.json() == {
        "numberOfResults": 1,
        "pagination": {},
        "refinements": {"brands": [], "classifications": []},
        "items": [
            {
                "asin": "B07N4M94X4",
                "identifiers": [
                    {
                        "marketplaceId": US,
                        "identifiers": [
                            {"identifierType": "EAN", "identifier": "0887276302195"},
                            {"identifierType": "UPC", "identifier": "887276302195"},
                            {"identifierType": "GTIN", "identifier": "00887276302195"},
                        ],
                    }
                ],
                "summaries": [
                    {
                        "marketplaceId": US,
                        "brand": "SAMSUNG",
                        "itemClassification": "BASE_PRODUCT",
                        "itemName": "Samsung QN82Q60RAFXZA 82-Inch QLED",
                        "manufacturer": "SAMSUNG",
                    }
                ],
                "productTypes": [{"marketplaceId": US, "productType": "TELEVISION"}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("kind", "code"),
    [("EAN", "0887276302195"), ("GTIN", "00887276302195"), ("GTIN", "887276302195")],
)
def test_the_same_item_is_found_by_ean_and_gtin(sp, clock, kind, code):
    assert asins(search(sp, clock, identifiers=code, identifiersType=kind)) == [TV.asin]


def test_an_ambiguous_ean_finds_both_asins_and_an_unknown_one_none(sp, clock):
    ambiguous, unknown = GENERATED.ambiguous[0], GENERATED.unknown[0]
    response = search(
        sp,
        clock,
        identifiers=f"{ambiguous},{unknown}",
        identifiersType="EAN",
        includedData="identifiers",
    )
    found = asins(response)
    assert len(found) == 2
    assert response.json()["numberOfResults"] == 2
    for item in response.json()["items"]:
        codes = item["identifiers"][0]["identifiers"]
        assert {"identifierType": "EAN", "identifier": ambiguous} in codes
    assert asins(search(sp, clock, identifiers=catalog_ean(999), identifiersType="EAN")) == []


def test_twenty_identifiers_page_through_with_tokens(sp, clock):
    codes = ",".join([code for code in GENERATED.codes if len(code) == 13][:20])
    known = {code for code in codes.split(",") if code not in GENERATED.unknown}
    expected = len(known) + len(set(GENERATED.ambiguous) & known)
    assert expected > 20
    pages, tokens = [], []
    response = search(sp, clock, identifiers=codes, identifiersType="EAN")
    while True:
        pages.append(asins(response))
        assert response.json()["numberOfResults"] == expected
        tokens.append(response.json()["pagination"])
        if "nextToken" not in tokens[-1]:
            break
        token = tokens[-1]["nextToken"]
        response = search(sp, clock, identifiers=codes, identifiersType="EAN", pageToken=token)
    assert [len(page) for page in pages] == [10, 10, expected - 20]
    assert len({asin for page in pages for asin in page}) == expected
    assert "previousToken" not in tokens[0]
    back = tokens[1]["previousToken"]
    again = search(sp, clock, identifiers=codes, identifiersType="EAN", pageToken=back)
    assert asins(again) == pages[0]


def test_asin_and_sku_searches(sp, clock, config):
    assert asins(search(sp, clock, identifiers=f"{TV.asin},B0NOTHERE0", identifiersType="ASIN"))
    sku = search(
        sp, clock, identifiers="MY-TV,NOPE", identifiersType="SKU", sellerId=config.seller_id
    )
    assert asins(sku) == [TV.asin]


def test_keywords_match_name_and_brand_with_brand_refinements(sp, clock):
    response = search(sp, clock, keywords="samsung,qled")
    assert asins(response) == [TV.asin]
    assert response.json()["refinements"]["brands"] == [
        {"numberOfResults": 1, "brandName": "SAMSUNG"}
    ]
    brand = GENERATED.items[0].brand
    by_brand = search(sp, clock, keywords=GENERATED.items[0].item_name.split()[1], brandNames=brand)
    assert all(item["summaries"][0]["brand"] == brand for item in by_brand.json()["items"])


def test_summaries_is_the_default_and_every_data_set_is_accepted(sp, clock):
    plain = search(sp, clock, identifiers=TV.asin, identifiersType="ASIN")
    assert set(plain.json()["items"][0]) == {"asin", "summaries"}
    everything = (
        "attributes,classifications,dimensions,identifiers,images,productTypes,"
        "relationships,salesRanks,summaries,vendorDetails"
    )
    full = search(sp, clock, identifiers=TV.asin, identifiersType="ASIN", includedData=everything)
    assert asins(full) == [TV.asin]
    item = full.json()["items"][0]
    assert item["attributes"]["item_name"][0]["value"] == TV.item_name
    assert item["images"] == [{"marketplaceId": US, "images": []}]
    assert "vendorDetails" not in item


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"identifiers": "1", "identifiersType": "EAN", "marketplaceIds": ""}, "marketplaceIds"),
        (
            {"identifiers": "1", "identifiersType": "EAN", "marketplaceIds": f"{US},{DE}"},
            "at most 1",
        ),
        ({"identifiers": "1", "identifiersType": "EAN", "keywords": "tv"}, "both"),
        ({}, "Missing required 'identifiers' or 'keywords'"),
        ({"identifiers": "1"}, "'identifiersType' is required"),
        ({"keywords": "tv", "identifiersType": "EAN"}, "only be used with 'identifiers'"),
        ({"identifiers": "1", "identifiersType": "MPN"}, "Invalid 'identifiersType'"),
        ({"identifiers": "1", "identifiersType": "SKU"}, "'sellerId' is required"),
        ({"identifiers": ",".join(["1"] * 21), "identifiersType": "EAN"}, "at most 20"),
        ({"keywords": ",".join(["tv"] * 21)}, "at most 20"),
        ({"identifiers": "1", "identifiersType": "EAN", "brandNames": "x"}, "brandNames"),
        ({"identifiers": "1", "identifiersType": "EAN", "keywordsLocale": "x"}, "keywordsLocale"),
        ({"keywords": "tv", "includedData": "summaries,offers"}, "includedData"),
        ({"keywords": "tv", "pageSize": "21"}, "pageSize"),
        ({"keywords": "tv", "pageSize": "0"}, "pageSize"),
        ({"keywords": "tv", "pageToken": "garbage"}, "token"),
        ({"identifiers": "1", "identifiersType": "SKU", "sellerId": "A9OTHER"}, "sellerId"),
    ],
)
def test_every_model_rule_is_a_400(sp, clock, params, message):
    response = search(sp, clock, **params)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert message in error["message"]
    assert response.headers["x-amzn-RateLimit-Limit"] == "2.0"


def test_a_page_token_only_resumes_its_own_query(sp, clock):
    first = search(sp, clock, keywords="a", pageSize=1)
    token = first.json()["pagination"]["nextToken"]
    other = search(sp, clock, keywords="b", pageToken=token)
    assert other.status_code == 400


def test_get_catalog_item_answers_the_item_or_404(sp, clock):
    response = sp.request(
        "GET",
        f"{CATALOG}/items/{TV.asin}",
        params={"marketplaceIds": US, "includedData": "summaries,productTypes"},
    )
    assert response.status_code == 200
    model_validator(MODEL, "Item").validate(response.json())
    assert response.json()["productTypes"] == [{"marketplaceId": US, "productType": "TELEVISION"}]
    clock.advance(1)
    missing = sp.request("GET", f"{CATALOG}/items/B0NOTHERE0", params={"marketplaceIds": DE})
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "NOT_FOUND"
    clock.advance(1)
    assert sp.request("GET", f"{CATALOG}/items/{TV.asin}").status_code == 400


def test_catalogs_are_per_marketplace(sp, clock, simulator):
    simulator.seed_catalog([CatalogItem("B0DE000001", "Tasse", "Acme", ean="4006381333931")], DE)
    assert asins(search(sp, clock, identifiers="4006381333931", identifiersType="EAN")) == []
    de = search(sp, clock, identifiers="4006381333931", identifiersType="EAN", marketplaceIds=DE)
    assert asins(de) == ["B0DE000001"]


def test_search_is_throttled_at_burst_2_and_2_per_second(sp, clock, simulator):
    params = {"marketplaceIds": US, "identifiers": TV.asin, "identifiersType": "ASIN"}
    for _ in range(2):
        assert sp.request("GET", f"{CATALOG}/items", params=params).status_code == 200
    throttled = sp.request("GET", f"{CATALOG}/items", params=params)
    assert throttled.status_code == 429
    assert throttled.json() == QUOTA_EXCEEDED
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    clock.advance(0.5)
    assert sp.request("GET", f"{CATALOG}/items", params=params).status_code == 200
    assert sp.request("GET", f"{CATALOG}/items", params=params).status_code == 429
    stats = simulator.stats()
    assert stats["throttled"] == {"searchCatalogItems": 2}
    assert (stats["catalog_searches"], stats["catalog_identifiers"]) == (3, 3)


def test_get_catalog_item_has_its_own_bucket(sp, clock):
    path = f"{CATALOG}/items/{TV.asin}"
    for _ in range(2):
        assert sp.request("GET", path, params={"marketplaceIds": US}).status_code == 200
    throttled = sp.request("GET", path, params={"marketplaceIds": US})
    assert (throttled.status_code, throttled.json()) == (429, QUOTA_EXCEEDED)
    assert search(sp, clock, identifiers=TV.asin, identifiersType="ASIN").status_code == 200
