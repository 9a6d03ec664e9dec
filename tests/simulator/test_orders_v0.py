"""Orders v0: getOrders, getOrder and getOrderItems."""

from __future__ import annotations

from datetime import timedelta

import pytest

from amazon_jobs.simulator import SimulatorConfig

from .helpers import START, US
from .order_helpers import (
    V0,
    ago,
    check_schema,
    get_orders,
    iso,
    ok,
    place_three_orders,
    refused,
    window_refusals,
)

MODEL = "ordersV0.json"


@pytest.fixture
def placed(simulator):
    return place_three_orders(simulator)


def ids(body):
    return [order["AmazonOrderId"] for order in body["payload"]["Orders"]]


def test_get_orders_answers_the_models_shape(sp, placed):
    response = get_orders(sp, CreatedAfter=iso(ago(120)))
    body = ok(response)
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    check_schema(MODEL, "GetOrdersResponse", body)
    assert ids(body) == [order.order_id for order in placed]
    assert body["payload"]["CreatedBefore"] == iso(START - timedelta(minutes=2))
    assert "NextToken" not in body["payload"]
    first = body["payload"]["Orders"][0]
    address = placed[0].address
    assert first == {
        "AmazonOrderId": placed[0].order_id,
        "PurchaseDate": iso(ago(60)),
        "LastUpdateDate": iso(ago(55)),
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "27.25"},
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 3,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "IsReplacementOrder": False,
        "MarketplaceId": US,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(ago(60)),
        "LatestShipDate": iso(ago(60) + timedelta(days=2)),
        "EarliestDeliveryDate": iso(ago(60) + timedelta(days=3)),
        "LatestDeliveryDate": iso(ago(60) + timedelta(days=7)),
        "IsBusinessOrder": False,
        "IsPrime": True,
        "IsGlobalExpressEnabled": False,
        "IsPremiumOrder": False,
        "IsSoldByAB": False,
        "IsIBA": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "SellerOrderId": "SHOP-1",
        # Without a Restricted Data Token: no name, address lines or phone.
        "ShippingAddress": {
            "City": address.city,
            "StateOrRegion": address.state,
            "PostalCode": address.postal_code,
            "CountryCode": "US",
        },
    }
    pending = body["payload"]["Orders"][1]
    assert pending["OrderStatus"] == "Pending"
    assert "OrderTotal" not in pending, "no pricing before payment is authorized"
    assert "ShippingAddress" not in pending, "no address before payment is authorized"
    canceled = body["payload"]["Orders"][2]
    assert (canceled["OrderStatus"], canceled["NumberOfItemsUnshipped"]) == ("Canceled", 0)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"CreatedAfter": iso(ago(50))}, [1, 2]),
        ({"CreatedAfter": iso(ago(60)), "CreatedBefore": iso(ago(40))}, [0, 1]),
        ({"CreatedAfter": iso(ago(120)), "OrderStatuses": "Unshipped,Canceled"}, [0, 2]),
        ({"CreatedAfter": iso(ago(120)), "OrderStatuses": ["Pending", "Shipped"]}, [1]),
        ({"CreatedAfter": iso(ago(120)), "FulfillmentChannels": "AFN"}, []),
        ({"CreatedAfter": iso(ago(120)), "FulfillmentChannels": "MFN"}, [0, 1, 2]),
        ({"CreatedAfter": iso(ago(120)), "MarketplaceIds": "A1PA6795UKMFR9"}, []),
        ({"CreatedAfter": iso(ago(120)), "PaymentMethods": "COD"}, []),
        ({"CreatedAfter": iso(ago(120)), "SellerOrderId": "SHOP-1"}, [0]),
        ({"LastUpdatedAfter": iso(ago(45))}, [1, 2]),
        ({"LastUpdatedAfter": iso(ago(120)), "LastUpdatedBefore": iso(ago(30))}, [0, 1]),
    ],
)
def test_get_orders_filters(sp, placed, params, expected):
    body = ok(get_orders(sp, **params))
    assert ids(body) == [placed[i].order_id for i in expected]


def test_amazon_order_ids_filter(sp, placed):
    wanted = f"{placed[2].order_id},{placed[0].order_id}"
    body = ok(get_orders(sp, CreatedAfter=iso(ago(120)), AmazonOrderIds=wanted))
    assert ids(body) == [placed[0].order_id, placed[2].order_id]


def test_last_updated_searches_run_oldest_update_first(sp, simulator):
    first = simulator.orders.add_order(purchased_at=ago(90), updated_at=ago(10))
    second = simulator.orders.add_order(purchased_at=ago(80), updated_at=ago(30))
    body = ok(get_orders(sp, LastUpdatedAfter=iso(ago(60))))
    assert ids(body) == [second.order_id, first.order_id]
    assert body["payload"]["LastUpdatedBefore"] == iso(START - timedelta(minutes=2))
    assert "CreatedBefore" not in body["payload"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"MarketplaceIds": None, "CreatedAfter": iso(ago(60))}, "MarketplaceIds is required"),
        (
            {"MarketplaceIds": ",".join(["M"] * 51), "CreatedAfter": iso(ago(60))},
            "at most 50",
        ),
        *window_refusals("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore"),
        ({"CreatedAfter": iso(ago(60)), "OrderStatuses": "Sent"}, "unknown value(s) Sent"),
        ({"CreatedAfter": iso(ago(60)), "FulfillmentChannels": "FBA"}, "FulfillmentChannels"),
        ({"CreatedAfter": iso(ago(60)), "MaxResultsPerPage": "0"}, "from 1 to 100"),
        ({"CreatedAfter": iso(ago(60)), "MaxResultsPerPage": "101"}, "from 1 to 100"),
        ({"CreatedAfter": iso(ago(60)), "MaxResultsPerPage": "ten"}, "from 1 to 100"),
        ({"NextToken": "not-a-token"}, "NextToken is invalid"),
        (
            {"CreatedAfter": iso(ago(60)), "SellerOrderId": "S", "OrderStatuses": "Pending"},
            "OrderStatuses cannot be set when SellerOrderId is set",
        ),
    ],
)
def test_get_orders_refuses_bad_queries(sp, params, needle):
    query = {"MarketplaceIds": US, **params}
    query = {key: value for key, value in query.items() if value is not None}
    error = refused(sp.request("GET", V0, params=query))
    assert error["code"] == "InvalidInput"
    assert needle in error["message"]


def test_get_order(sp, placed):
    response = sp.request("GET", f"{V0}/{placed[0].order_id}")
    body = ok(response)
    check_schema(MODEL, "GetOrderResponse", body)
    assert body["payload"]["AmazonOrderId"] == placed[0].order_id
    assert body["payload"]["OrderStatus"] == "Unshipped"
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.5"


def test_get_order_refuses_unknown_and_malformed_ids(sp):
    missing = refused(sp.request("GET", f"{V0}/111-1234567-1234567"), 404)
    assert missing["code"] == "NotFound"
    assert "111-1234567-1234567" in missing["message"]
    malformed = refused(sp.request("GET", f"{V0}/12345"))
    assert malformed["code"] == "InvalidInput"
    assert "3-7-7" in malformed["message"]


def test_get_order_items(sp, placed):
    response = sp.request("GET", f"{V0}/{placed[0].order_id}/orderItems")
    body = ok(response)
    check_schema(MODEL, "GetOrderItemsResponse", body)
    payload = body["payload"]
    assert payload["AmazonOrderId"] == placed[0].order_id
    assert "NextToken" not in payload
    first = payload["OrderItems"][0]
    assert first == {
        "ASIN": "B000000001",
        "SellerSKU": "SKU-A",
        "OrderItemId": placed[0].items[0].order_item_id,
        "Title": first["Title"],
        "QuantityOrdered": 2,
        "QuantityShipped": 0,
        "ProductInfo": {"NumberOfItems": "1"},
        "ItemPrice": {"CurrencyCode": "USD", "Amount": "20.00"},
        "ItemTax": {"CurrencyCode": "USD", "Amount": "0.00"},
        "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsTransparency": False,
        "SerialNumberRequired": False,
    }
    assert first["Title"]
    assert [item["SellerSKU"] for item in payload["OrderItems"]] == ["SKU-A", "SKU-C"]


def test_order_items_have_no_pricing_while_pending(sp, placed, clock, simulator):
    pending = simulator.orders.add_order(status="Pending", paid_at=START + timedelta(minutes=3))
    body = ok(sp.request("GET", f"{V0}/{pending.order_id}/orderItems"))
    [item] = body["payload"]["OrderItems"]
    assert not {"ItemPrice", "ItemTax", "PromotionDiscount"} & set(item)
    clock.advance(180)
    body = ok(sp.request("GET", f"{V0}/{pending.order_id}/orderItems"))
    assert body["payload"]["OrderItems"][0]["ItemPrice"]["Amount"] == "10.00"


def test_order_items_page_with_next_token(sp, simulator):
    simulator.seed_listings(
        [
            {"sku": f"BIG-{n:03d}", "asin": f"B1{n:08d}", "quantity": 1, "price": "1.00"}
            for n in range(150)
        ]
    )
    order = simulator.orders.add_order([{"sku": f"BIG-{n:03d}"} for n in range(150)])
    path = f"{V0}/{order.order_id}/orderItems"
    first = ok(sp.request("GET", path))["payload"]
    assert len(first["OrderItems"]) == 100
    second = ok(sp.request("GET", path, params={"NextToken": first["NextToken"]}))["payload"]
    assert len(second["OrderItems"]) == 50
    assert "NextToken" not in second
    seen = [item["SellerSKU"] for item in first["OrderItems"] + second["OrderItems"]]
    assert seen == [f"BIG-{n:03d}" for n in range(150)]
    error = refused(sp.request("GET", path, params={"NextToken": "bogus"}))
    assert "NextToken is invalid" in error["message"]


@pytest.mark.parametrize(
    "config", [SimulatorConfig.focused(order_settling_s=5)], ids=["settling-5s"]
)
def test_a_shorter_settling_time_ends_the_window_sooner(sp, placed):
    """Only the wall-clock soak shortens Amazon's two minutes; both versions follow it."""
    body = ok(get_orders(sp, CreatedAfter=iso(ago(120))))
    assert body["payload"]["CreatedBefore"] == iso(START - timedelta(seconds=5))
    refused_late = get_orders(sp, CreatedAfter=iso(START - timedelta(seconds=2)))
    assert refused_late.status_code == 400
