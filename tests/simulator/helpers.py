"""Helpers shared by the simulator tests: a tiny SP-API client, feed builders, model schemas."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema

from amazon_jobs.clock import VirtualClock
from amazon_jobs.simulator import SimulatorConfig

START = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
FEEDS = "/feeds/2021-06-30"
MODELS = Path(__file__).resolve().parents[2] / "spec" / "sp-api-models"
QUANTITY_PATH = "/attributes/fulfillment_availability"
US = "ATVPDKIKX0DER"
#: The 429 body, spelled out as Amazon sends it.
QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}


def token_form(config: SimulatorConfig, **overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": config.refresh_token,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


class SpApi:
    """A small SP-API client for the tests, over real HTTP."""

    def __init__(self, http: httpx.Client, config: SimulatorConfig, clock: VirtualClock):
        self.http, self.config, self.clock = http, config, clock
        self.token = self.login(config.refresh_token)

    def login(self, refresh_token: str) -> str:
        form = token_form(self.config, refresh_token=refresh_token)
        response = self.http.post("/auth/o2/token", data=form)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"x-amz-access-token": self.token, **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def create_document(self, content_type: str = "application/json") -> dict[str, Any]:
        response = self.request("POST", f"{FEEDS}/documents", json={"contentType": content_type})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def upload(self, url: str, content: bytes, content_type: str = "application/json") -> None:
        response = self.http.put(url, content=content, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.text

    def document(self, content: bytes | dict[str, Any]) -> str:
        """Create and upload a document; return its id."""
        data = json.dumps(content).encode() if isinstance(content, dict) else content
        created = self.create_document()
        self.upload(created["url"], data)
        return str(created["feedDocumentId"])

    def create_feed(
        self, document_id: str, feed_type: str = "JSON_LISTINGS_FEED"
    ) -> httpx.Response:
        body = {
            "feedType": feed_type,
            "marketplaceIds": [self.config.marketplace_id],
            "inputFeedDocumentId": document_id,
        }
        return self.request("POST", f"{FEEDS}/feeds", json=body)

    def submit(self, content: bytes | dict[str, Any], feed_type: str = "JSON_LISTINGS_FEED") -> str:
        response = self.create_feed(self.document(content), feed_type)
        assert response.status_code == 202, response.text
        return str(response.json()["feedId"])

    def feed(self, feed_id: str) -> dict[str, Any]:
        response = self.request("GET", f"{FEEDS}/feeds/{feed_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def status(self, feed_id: str) -> str:
        return str(self.feed(feed_id)["processingStatus"])

    def report(self, feed_id: str) -> dict[str, Any]:
        """Download and read the processing report of a finished feed."""
        document_id = self.feed(feed_id)["resultFeedDocumentId"]
        content, _ = self.download(f"{FEEDS}/documents/{document_id}")
        return dict(json.loads(content))

    def download(self, document_path: str) -> tuple[bytes, str]:
        """Get a feed or report document, then its bytes (gunzipped if GZIP) and Content-Type."""
        response = self.request("GET", document_path)
        assert response.status_code == 200, response.text
        document = response.json()
        download = self.http.get(document["url"])
        assert download.status_code == 200, download.text
        content = download.content
        if document.get("compressionAlgorithm") == "GZIP":
            content = gzip.decompress(content)
        return content, download.headers["content-type"]


def quantity_message(
    message_id: int, sku: str, quantity: Any, op: str = "replace"
) -> dict[str, Any]:
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]
    return patch_message(message_id, sku, {"op": op, "path": QUANTITY_PATH, "value": value})


def patch_message(message_id: int, sku: str, *patches: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": list(patches),
    }


def listings_feed(seller_id: str, messages: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    return {"header": {"sellerId": seller_id, "version": "2.0", **header}, "messages": messages}


def finish_all(clock: VirtualClock) -> None:
    """Jump far enough that every queued feed is processed."""
    clock.advance(24 * 3600)


def model_validator(
    model: str, definition: str, *, closed: bool = False
) -> jsonschema.Draft4Validator:
    """A validator of *definition* of the swagger file *model* (JSON Schema draft 4 dialect).

    With *closed*, every object is closed: a field the model lacks is an error.
    """
    schema = {"$ref": f"#/definitions/{definition}", "definitions": _definitions(model, closed)}
    return jsonschema.Draft4Validator(schema)


@cache
def _definitions(model: str, closed: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads((MODELS / model).read_text())["definitions"]
    if not closed:
        return definitions
    return {name: _closed(schema) for name, schema in definitions.items()}


def _closed(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if "properties" in schema and "additionalProperties" not in schema:
        closed["additionalProperties"] = False
    return closed
