"""Orders 2026-01-01: searchOrders and getOrder, the same orders as v0."""

from __future__ import annotations

from datetime import timedelta

import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import QUOTA_EXCEEDED, START, US
from .order_helpers import (
    LISTINGS,
    V0,
    V2026,
    ago,
    check_schema,
    confirm,
    iso,
    ok,
    package,
    place_three_orders,
    refused,
    search_orders,
    window_refusals,
)

MODEL = "orders_2026-01-01.json"
ALL_DATA = "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES"


@pytest.fixture
def config(request: pytest.FixtureRequest) -> SimulatorConfig:
    overrides = {"searchOrders": {"burst": 1000}}
    return getattr(request, "param", SimulatorConfig.focused(limit_overrides=overrides))


@pytest.fixture
def placed(simulator):
    return place_three_orders(simulator)


def ids(body):
    return [order["orderId"] for order in body["orders"]]


def test_search_orders_without_included_data_gives_basic_information(sp, placed):
    response = search_orders(sp, createdAfter=iso(ago(120)))
    body = ok(response)
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    check_schema(MODEL, "SearchOrdersResponse", body)
    assert ids(body) == [order.order_id for order in placed]
    assert body["createdBefore"] == iso(START - timedelta(minutes=2))
    assert "pagination" not in body
    first = body["orders"][0]
    item_a, item_c = placed[0].items
    assert first == {
        "orderId": placed[0].order_id,
        "orderAliases": [{"aliasId": "SHOP-1", "aliasType": "SELLER_ORDER_ID"}],
        "createdTime": iso(ago(60)),
        "lastUpdatedTime": iso(ago(55)),
        "programs": ["PRIME"],
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": US,
            "marketplaceName": "Amazon.com",
        },
        "orderItems": [
            {
                "orderItemId": item_a.order_item_id,
                "quantityOrdered": 2,
                "product": {
                    "asin": "B000000001",
                    "title": first["orderItems"][0]["product"]["title"],
                    "sellerSku": "SKU-A",
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {"unitPrice": {"amount": "10.00", "currencyCode": "USD"}},
                },
            },
            {
                "orderItemId": item_c.order_item_id,
                "quantityOrdered": 1,
                "product": {
                    "asin": "B000000003",
                    "title": first["orderItems"][1]["product"]["title"],
                    "sellerSku": "SKU-C",
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {"unitPrice": {"amount": "7.25", "currencyCode": "USD"}},
                },
            },
        ],
    }
    pending_item = body["orders"][1]["orderItems"][0]
    assert "price" not in pending_item["product"], "no pricing before payment is authorized"


def test_included_data_adds_fulfillment_proceeds_and_packages(sp, placed, clock):
    order = placed[0]
    item_a = order.items[0]
    assert confirm(sp, order.order_id, package([(item_a.order_item_id, 1)])).status_code == 204
    clock.advance(180)
    body = ok(search_orders(sp, createdAfter=iso(ago(120)), includedData=ALL_DATA))
    check_schema(MODEL, "SearchOrdersResponse", body)
    first = body["orders"][0]
    assert first["lastUpdatedTime"] == iso(START)
    assert first["fulfillment"] == {
        "fulfillmentStatus": "PARTIALLY_SHIPPED",
        "fulfilledBy": "MERCHANT",
        "fulfillmentServiceLevel": "STANDARD",
        "shipByWindow": {
            "earliestDateTime": iso(ago(60)),
            "latestDateTime": iso(ago(60) + timedelta(days=2)),
        },
        "deliverByWindow": {
            "earliestDateTime": iso(ago(60) + timedelta(days=3)),
            "latestDateTime": iso(ago(60) + timedelta(days=7)),
        },
    }
    assert first["proceeds"]["grandTotal"] == {"amount": "27.25", "currencyCode": "USD"}
    assert [item["fulfillment"] for item in first["orderItems"]] == [
        {"quantityFulfilled": 1, "quantityUnfulfilled": 1},
        {"quantityFulfilled": 0, "quantityUnfulfilled": 1},
    ]
    assert first["orderItems"][0]["proceeds"]["proceedsTotal"]["amount"] == "20.00"
    assert first["packages"] == [
        {
            "packageReferenceId": "1",
            "createdTime": iso(START),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": "UPS",
            "shipTime": "2026-11-27T09:00:00Z",
            "shippingService": "UPS Ground",
            "trackingNumber": "1Z999AA10123456784",
            "packageItems": [{"orderItemId": item_a.order_item_id, "quantity": 1}],
        }
    ]
    assert [o["fulfillment"]["fulfillmentStatus"] for o in body["orders"]] == [
        "PARTIALLY_SHIPPED",
        "PENDING",
        "CANCELLED",
    ]
    assert "proceeds" not in body["orders"][1], "no proceeds before payment"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"createdAfter": iso(ago(50))}, [1, 2]),
        ({"createdAfter": iso(ago(60)), "createdBefore": iso(ago(40))}, [0, 1]),
        ({"createdAfter": iso(ago(120)), "fulfillmentStatuses": "UNSHIPPED,CANCELLED"}, [0, 2]),
        ({"createdAfter": iso(ago(120)), "fulfillmentStatuses": ["PENDING"]}, [1]),
        ({"createdAfter": iso(ago(120)), "fulfilledBy": "AMAZON"}, []),
        ({"createdAfter": iso(ago(120)), "fulfilledBy": "MERCHANT"}, [0, 1, 2]),
        ({"createdAfter": iso(ago(120)), "marketplaceIds": "A1F83G8C2ARO7P"}, []),
        ({"createdAfter": iso(ago(120)), "marketplaceIds": US}, [0, 1, 2]),
        ({"lastUpdatedAfter": iso(ago(45))}, [1, 2]),
        ({"lastUpdatedAfter": iso(ago(120)), "lastUpdatedBefore": iso(ago(30))}, [0, 1]),
    ],
)
def test_search_orders_filters(sp, placed, params, expected):
    body = ok(search_orders(sp, **params))
    assert ids(body) == [placed[i].order_id for i in expected]


def test_last_updated_searches_say_their_bound(sp, placed):
    body = ok(search_orders(sp, lastUpdatedAfter=iso(ago(120))))
    assert body["lastUpdatedBefore"] == iso(START - timedelta(minutes=2))
    assert "createdBefore" not in body


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        *window_refusals("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore"),
        ({"createdAfter": iso(ago(60)), "fulfillmentStatuses": "Unshipped"}, "unknown value"),
        ({"createdAfter": iso(ago(60)), "fulfilledBy": "SELLER"}, "fulfilledBy"),
        ({"createdAfter": iso(ago(60)), "includedData": "EVERYTHING"}, "includedData"),
        ({"createdAfter": iso(ago(60)), "marketplaceIds": ",".join(["M"] * 51)}, "at most 50"),
        ({"createdAfter": iso(ago(60)), "maxResultsPerPage": "0"}, "from 1 to 100"),
        ({"createdAfter": iso(ago(60)), "maxResultsPerPage": "500"}, "from 1 to 100"),
        ({"createdAfter": iso(ago(60)), "paginationToken": "xyz"}, "paginationToken is invalid"),
    ],
)
def test_search_orders_refuses_bad_queries(sp, params, needle):
    error = refused(sp.request("GET", V2026, params=params))
    assert error["code"] == "InvalidInput"
    assert needle in error["message"]


@pytest.fixture
def paged(sp, simulator):
    simulator.seed_listings(LISTINGS)
    simulator.orders.seed_orders([{"purchased_at": ago(3 + n)} for n in range(30)])
    body = ok(search_orders(sp, createdAfter=iso(ago(600)), maxResultsPerPage=10))
    return body["pagination"]["nextToken"]


def test_a_pagination_token_expires_after_24_hours(sp, clock, paged):
    clock.advance(24 * 3600)
    sp.token = sp.login(sp.config.refresh_token)
    assert ok(search_orders(sp, createdAfter=iso(ago(600)), paginationToken=paged))
    clock.advance(1)
    error = refused(search_orders(sp, createdAfter=iso(ago(600)), paginationToken=paged))
    assert "paginationToken has expired" in error["message"]


def test_a_pagination_token_needs_the_same_parameters(sp, paged):
    changed = refused(search_orders(sp, createdAfter=iso(ago(500)), paginationToken=paged))
    assert "same parameters" in changed["message"]
    missing = refused(search_orders(sp, paginationToken=paged))
    assert "same parameters" in missing["message"]
    filtered = refused(
        search_orders(sp, createdAfter=iso(ago(600)), fulfilledBy="MERCHANT", paginationToken=paged)
    )
    assert "same parameters" in filtered["message"]
    resized = search_orders(
        sp,
        createdAfter=iso(ago(600)),
        paginationToken=paged,
        maxResultsPerPage=20,
        includedData="FULFILLMENT",
    )
    body = ok(resized)
    assert len(body["orders"]) == 20
    assert "pagination" not in body
    assert all("fulfillment" in order for order in body["orders"])


def test_a_v0_next_token_is_not_a_pagination_token(sp, simulator):
    simulator.seed_listings(LISTINGS)
    simulator.orders.seed_orders([{"purchased_at": ago(3 + n)} for n in range(3)])
    v0 = sp.request(
        "GET",
        V0,
        params={"MarketplaceIds": US, "CreatedAfter": iso(ago(60)), "MaxResultsPerPage": 1},
    )
    token = ok(v0)["payload"]["NextToken"]
    error = refused(search_orders(sp, createdAfter=iso(ago(60)), paginationToken=token))
    assert "paginationToken is invalid" in error["message"]


def test_get_order_2026(sp, placed):
    response = sp.request(
        "GET", f"{V2026}/{placed[0].order_id}", params={"includedData": "FULFILLMENT"}
    )
    body = ok(response)
    check_schema(MODEL, "GetOrderResponse", body)
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert body["order"]["orderId"] == placed[0].order_id
    assert body["order"]["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert len(body["order"]["orderItems"]) == 2


def test_get_order_2026_refuses_unknown_orders(sp, simulator):
    simulator.add_seller("A2OTHERSELLER", "Atzr|other")
    simulator.seed_listings(LISTINGS, seller_id="A2OTHERSELLER")
    theirs = simulator.orders.add_order(seller_id="A2OTHERSELLER")
    assert refused(sp.request("GET", f"{V2026}/{theirs.order_id}"), 404)["code"] == "NotFound"
    assert refused(sp.request("GET", f"{V2026}/not-an-id"))["code"] == "InvalidInput"


def test_v0_and_2026_show_the_same_orders(sp, placed):
    v0 = ok(sp.request("GET", V0, params={"MarketplaceIds": US, "CreatedAfter": iso(ago(120))}))
    v2026 = ok(search_orders(sp, createdAfter=iso(ago(120)), includedData="FULFILLMENT"))
    pairs = [
        (old["AmazonOrderId"], old["OrderStatus"], old["LastUpdateDate"])
        for old in v0["payload"]["Orders"]
    ]
    assert pairs == [
        (
            new["orderId"],
            {"UNSHIPPED": "Unshipped", "PENDING": "Pending", "CANCELLED": "Canceled"}[
                new["fulfillment"]["fulfillmentStatus"]
            ],
            new["lastUpdatedTime"],
        )
        for new in v2026["orders"]
    ]


SEED = SimulatorConfig.focused(profile="seed")


@pytest.mark.parametrize("config", [SEED], indirect=True)
def test_search_orders_is_throttled_after_6_calls_in_the_seed_profile(sp, clock, simulator):
    for _ in range(6):
        response = search_orders(sp, createdAfter=iso(ago(60)))
        assert response.status_code == 200, response.text
        assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    throttled = search_orders(sp, createdAfter=iso(ago(60)))
    assert throttled.status_code == 429
    assert throttled.json() == QUOTA_EXCEEDED
    assert throttled.headers["x-amzn-RequestId"]
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    clock.advance(60)
    assert search_orders(sp, createdAfter=iso(ago(60))).status_code == 200
    assert search_orders(sp, createdAfter=iso(ago(60))).status_code == 429
    stats = simulator.stats()
    assert stats["requests"]["searchOrders"] == 9
    assert stats["throttled"]["searchOrders"] == 2
