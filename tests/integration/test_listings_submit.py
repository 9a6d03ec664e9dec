"""The client's putListingsItem, patchListingsItem and deleteListingsItem against the
simulator over real HTTP: Amazon's answer (ACCEPTED or INVALID) and its issues read as
:class:`Issue` objects, with the request bodies the API channel really sends
(``request_body`` of the feed's own messages).

A 404 for a delete is not something the simulator answers (Amazon's model documents
none for deleteListingsItem; an unknown SKU is accepted silently, or refused with
13013): the client's reading of one is checked over ``httpx.MockTransport``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.amazon.client import CallRecord, SpApiClient
from amazon_jobs.amazon.listings_api import ItemSubmission
from amazon_jobs.clock import VirtualClock
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import AmazonClientError
from amazon_jobs.feeds.listings_feed import (
    offer_message,
    patch_message,
    price_patch,
    quantity_patch,
)
from amazon_jobs.feeds.processing_report import Issue
from amazon_jobs.handlers.api_channel import request_body
from amazon_jobs.serving import RunningServer, serve_in_thread
from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app

PUT = Operation.PUT_LISTINGS_ITEM
PATCH = Operation.PATCH_LISTINGS_ITEM
DELETE = Operation.DELETE_LISTINGS_ITEM
CATALOG = [{"asin": "B0CATALOG1", "item_name": "Kettle", "brand": "Acme"}]

pytestmark = pytest.mark.timeout(60)


@dataclass
class Seller:
    """A client of the simulator's seller, and the simulator."""

    sim: Simulator
    client: SpApiClient

    @property
    def seller_id(self) -> str:
        return self.sim.config.seller_id

    @property
    def marketplace_id(self) -> str:
        return self.sim.config.marketplace_id

    def submit(
        self, operation: Operation, sku: str, message: dict[str, Any] | None = None
    ) -> ItemSubmission:
        body = None if message is None else request_body(message)
        return self.client.submit_listings_item(
            operation, self.seller_id, sku, self.marketplace_id, body
        )


@pytest.fixture
def seller_factory(clock: VirtualClock) -> Iterator[Callable[[SimulatorConfig], Seller]]:
    opened: list[tuple[httpx.Client, RunningServer]] = []

    def make(config: SimulatorConfig) -> Seller:
        sim = Simulator(config, clock)
        sim.seed_catalog(CATALOG)
        sim.seed_listings([{"sku": "KNOWN", "asin": "B0CATALOG1", "quantity": 5, "price": "9.99"}])
        server = serve_in_thread(create_app(sim))
        http = httpx.Client(timeout=10)
        opened.append((http, server))
        credentials = LwaCredentials(
            f"{server.url}/auth/o2/token",
            config.client_id,
            SecretStr(config.client_secret),
            SecretStr(config.refresh_token),
        )
        client = SpApiClient(
            http, server.url, LwaAuth(credentials, clock), clock, rng=random.Random(1)
        )
        return Seller(sim, client)

    yield make
    for http, server in opened:
        http.close()
        server.stop()


@pytest.fixture
def seller(seller_factory: Callable[[SimulatorConfig], Seller]) -> Seller:
    """Amazon as it is about warnings and unknown SKUs; changes visible at once."""
    return seller_factory(SimulatorConfig.focused(warnings=True, silent_unknown_skus=True))


@pytest.fixture
def strict_seller(seller_factory: Callable[[SimulatorConfig], Seller]) -> Seller:
    """An Amazon that refuses a change of a SKU the seller does not have (13013)."""
    return seller_factory(SimulatorConfig.focused())


def offer(sku: str, quantity: int = 7, price: str = "12.50") -> dict[str, Any]:
    return offer_message(
        1,
        sku,
        asin="B0CATALOG1",
        quantity=quantity,
        price=Decimal(price),
        currency="USD",
        marketplace_id="ATVPDKIKX0DER",
    )


def test_a_patch_is_accepted_and_shows_at_once(seller: Seller) -> None:
    message = patch_message(
        1, "KNOWN", [quantity_patch(42), price_patch(Decimal("11.25"), "USD", "ATVPDKIKX0DER")]
    )
    answer = seller.submit(PATCH, "KNOWN", message)
    assert (answer.sku, answer.status, answer.accepted, answer.issues) == (
        "KNOWN",
        "ACCEPTED",
        True,
        (),
    )
    assert answer.submission_id
    shown = seller.sim.listings()["KNOWN"]
    assert (shown.quantity, shown.price) == (42, Decimal("11.25"))
    seen = seller.client.get_listings_item(seller.seller_id, "KNOWN", seller.marketplace_id)
    assert seen is not None and (seen.quantity, seen.price) == (42, Decimal("11.25"))


def test_an_accepted_put_carries_its_warnings_as_issues(seller: Seller) -> None:
    answer = seller.submit(PUT, "NEW-1", offer("NEW-1"))
    assert answer.accepted and answer.status == "ACCEPTED"
    assert answer.issues, "Amazon's 18448 on an offer-only update"
    (warning,) = answer.issues
    assert isinstance(warning, Issue)
    assert (warning.severity, warning.code, warning.sku, warning.attribute) == (
        "WARNING",
        "18448",
        "NEW-1",
        "item_diameter",
    )
    assert not warning.is_error and warning.message
    assert warning.tagged().startswith("WARNING 18448: ")
    listed = seller.sim.listings()["NEW-1"]
    assert (listed.asin, listed.quantity, listed.price) == ("B0CATALOG1", 7, Decimal("12.50"))


def test_an_invalid_patch_is_refused_with_error_issues_and_changes_nothing(
    seller: Seller,
) -> None:
    answer = seller.submit(PATCH, "KNOWN", patch_message(1, "KNOWN", [quantity_patch(-3)]))
    assert (answer.status, answer.accepted) == ("INVALID", False)
    assert answer.issues and all(issue.is_error for issue in answer.issues)
    (error,) = answer.issues
    assert (error.severity, error.sku, error.attribute) == (
        "ERROR",
        "KNOWN",
        "fulfillment_availability",
    )
    assert error.code == "90004114" and error.message
    assert seller.sim.listings()["KNOWN"].quantity == 5


def test_an_invalid_put_names_every_problem(seller: Seller) -> None:
    message = offer("NEW-2")
    attributes = dict(message["attributes"])
    del attributes["condition_type"], attributes["purchasable_offer"]
    answer = seller.submit(PUT, "NEW-2", {**message, "attributes": attributes})
    assert answer.status == "INVALID"
    assert sorted(issue.code or "" for issue in answer.issues) == ["90220", "99022"]
    assert all(issue.severity == "ERROR" for issue in answer.issues)
    assert "NEW-2" not in seller.sim.listings()


def test_a_patch_of_an_unknown_sku_is_refused_with_13013(strict_seller: Seller) -> None:
    answer = strict_seller.submit(PATCH, "GHOST", patch_message(1, "GHOST", [quantity_patch(1)]))
    assert answer.status == "INVALID"
    (error,) = answer.issues
    assert (error.severity, error.code, error.sku) == ("ERROR", "13013", "GHOST")


def test_a_delete_is_accepted_and_the_listing_goes(seller: Seller) -> None:
    answer = seller.submit(DELETE, "KNOWN")
    assert (answer.sku, answer.status, answer.issues) == ("KNOWN", "ACCEPTED", ())
    assert "KNOWN" not in seller.sim.listings()
    assert seller.client.get_listings_item(seller.seller_id, "KNOWN", seller.marketplace_id) is None


def test_a_delete_of_an_unknown_sku_is_accepted_silently_or_refused(
    seller: Seller, strict_seller: Seller
) -> None:
    """Amazon accepts it with no issue; the strict simulator refuses it with 13013."""
    silent = seller.submit(DELETE, "GHOST")
    assert (silent.status, silent.issues) == ("ACCEPTED", ())
    refused = strict_seller.submit(DELETE, "GHOST")
    assert refused.status == "INVALID"
    assert [(i.severity, i.code) for i in refused.issues] == [("ERROR", "13013")]


def test_each_submission_is_one_request(seller: Seller) -> None:
    seller.submit(PATCH, "KNOWN", patch_message(1, "KNOWN", [quantity_patch(8)]))
    seller.submit(DELETE, "KNOWN")
    requests = seller.sim.stats()["requests"]
    assert (requests["patchListingsItem"], requests["deleteListingsItem"]) == (1, 1)
    assert seller.sim.stats()["throttled"] == {}


# A 404 for a delete: the client's reading (the simulator does not answer one)


def test_a_delete_answered_404_raises_a_client_error_with_its_status(clock: VirtualClock) -> None:
    path = "/listings/2021-08-01/items/A1SELLER/GHOST"
    sent: list[httpx.Request] = []

    def amazon(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|t", "expires_in": 3600})
        sent.append(request)
        return httpx.Response(
            404, json={"errors": [{"code": "NOT_FOUND", "message": "SKU 'GHOST' not found"}]}
        )

    credentials = LwaCredentials(
        "https://lwa.test/auth/o2/token", "client", SecretStr("secret"), SecretStr("refresh")
    )
    records: list[CallRecord] = []
    client = SpApiClient(
        httpx.Client(transport=httpx.MockTransport(amazon)),
        "https://sp.test",
        LwaAuth(credentials, clock),
        clock,
        observer=records.append,
        rng=random.Random(1),
    )
    with pytest.raises(AmazonClientError) as caught:
        client.submit_listings_item(DELETE, "A1SELLER", "GHOST", "ATVPDKIKX0DER")
    assert caught.value.status == 404 and caught.value.code == "NOT_FOUND"
    assert len(sent) == 1, "not retried: each attempt takes its own token"
    (request,) = sent
    assert (request.method, request.url.path) == ("DELETE", path)
    assert request.url.params["marketplaceIds"] == "ATVPDKIKX0DER"
    assert "includedData" not in request.url.params
    assert records[-1].operation == "deleteListingsItem"
