"""A small client of PrestaShop's Webservice (``<shop>/api/``), as its code defines it.

Reads ask for JSON (header ``Output-Format: JSON``: exactly that spelling) and
writes send XML, the only body the Webservice reads. It smooths the JSON
renderer's quirks (``prestashop-facts.md`` §1.8): an empty list is a bare ``[]``,
a single resource read with ``display`` comes back as a one-item plural list,
and a single resource read without it drops every falsy field. Every value
other than ``id`` is a string, as PrestaShop stores it.

The key goes only to the shop's own URL (HTTP Basic user name, no password);
redirects are not followed, and no error message repeats it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from amazon_jobs.errors import AmazonJobsError

__all__ = ["ShopError", "ShopUnavailable", "WebserviceClient", "to_xml"]


class ShopError(AmazonJobsError):
    """The shop refused a request (4xx, or a PrestaShop error body)."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.status, self.code = status, code


class ShopUnavailable(ShopError):
    """The shop could not answer (5xx, timeout, connection refused): try again later."""


class WebserviceClient:
    """One shop's Webservice: list, get, create, patch, delete resources."""

    def __init__(
        self,
        url: str,
        key: str,
        *,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base = url.rstrip("/") + "/api"
        self._http = httpx.Client(
            auth=httpx.BasicAuth(key, ""),
            timeout=timeout_s,
            follow_redirects=False,
            transport=transport,
            headers={"Output-Format": "JSON"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WebserviceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reads

    def list(
        self,
        resource: str,
        *,
        display: str | Sequence[str] = "full",
        filters: Mapping[str, str] | None = None,
        sort: str | None = None,
        limit: int | tuple[int, int] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of *resource*; ``display`` "full", a list of fields, or "" for ids only.

        *filters* maps a field to PrestaShop's filter value (``"[5]"``, ``"[1,9]"``,
        ``"%[mug]%"``, ``">[2026-01-01 00:00:00]"``); *sort* is e.g. ``"[date_upd_ASC]"``;
        *limit* is N or (offset, N).
        """
        params: dict[str, str] = dict(extra or {})
        if display:
            params["display"] = display if isinstance(display, str) else f"[{','.join(display)}]"
        for field, value in (filters or {}).items():
            params[f"filter[{field}]"] = value
            if field.startswith("date_") or field in ("date_add", "date_upd"):
                params["date"] = "1"
        if sort:
            params["sort"] = sort
        if limit is not None:
            params["limit"] = f"{limit[0]},{limit[1]}" if isinstance(limit, tuple) else str(limit)
        body = self._request("GET", resource, params=params)
        if body == [] or body is None:
            return []
        if not isinstance(body, dict) or not isinstance(body.get(resource), list):
            raise ShopError(f"GET {resource}: the shop's answer is not a {resource} list")
        return [row for row in body[resource] if isinstance(row, dict)]

    def get(self, resource: str, entity_id: int) -> dict[str, Any] | None:
        """The full row *entity_id* of *resource*, or None if the shop has no such row."""
        body = self._request(
            "GET", f"{resource}/{entity_id}", params={"display": "full"}, missing_ok=True
        )
        if body is None or body == []:
            return None
        rows = body.get(resource) if isinstance(body, dict) else None
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            raise ShopError(f"GET {resource}/{entity_id}: the shop's answer has no {resource}")
        return rows[0]

    # Writes

    def create(self, resource: str, entity: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """POST one *entity* (e.g. ``customers``/``customer``); returns the shop's echo."""
        return self._write("POST", resource, entity, fields)

    def patch(
        self, resource: str, entity: str, entity_id: int, fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        """PATCH the given fields of one row (PrestaShop 8.0+); others stay as they are."""
        return self._write("PATCH", f"{resource}/{entity_id}", entity, {"id": entity_id, **fields})

    def delete(self, resource: str, entity_id: int) -> None:
        self._request("DELETE", f"{resource}/{entity_id}")

    def _write(
        self, method: str, path: str, entity: str, fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        body = self._request(method, path, content=to_xml(entity, fields))
        reply = body.get(entity) if isinstance(body, dict) else None
        if not isinstance(reply, dict):
            raise ShopError(f"{method} {path}: the shop's answer has no {entity}")
        return reply

    # Transport

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        missing_ok: bool = False,
    ) -> Any:
        what = f"{method} {path}"
        try:
            answer = self._http.request(
                method,
                f"{self.base}/{path}",
                params=params,
                content=content,
                headers={"Content-Type": "text/xml"} if content is not None else None,
            )
        except httpx.TimeoutException:
            raise ShopUnavailable(f"{what}: the shop did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ShopUnavailable(
                f"{what}: the shop cannot be reached ({type(exc).__name__})"
            ) from None
        if answer.status_code == 404 and missing_ok:
            return None
        if answer.status_code >= 400 or answer.status_code in (301, 302, 303, 307, 308):
            raise _error(what, answer)
        if not answer.content:
            return None
        try:
            return answer.json()
        except ValueError:
            # PrestaShop's die() answers (a disabled payment module, a cart with an order
            # already) are plain text with HTTP 200.
            text = answer.text.strip().splitlines()[0][:300] if answer.text.strip() else ""
            raise ShopError(
                f"{what}: the shop answered {text!r}", status=answer.status_code
            ) from None


def _error(what: str, answer: httpx.Response) -> ShopError:
    status = answer.status_code
    kind = ShopUnavailable if status >= 500 else ShopError
    if status in (301, 302, 303, 307, 308):
        return ShopError(
            f"{what}: the shop redirects (HTTP {status}); set its URL to where it answers",
            status=status,
        )
    if status == 401:
        return ShopError(
            f"{what}: the shop refused the Webservice key (HTTP 401): check the key and that "
            "it is enabled",
            status=status,
        )
    try:
        errors = answer.json().get("errors") or []
        first = errors[0] if errors else {}
        raw = first.get("code")
        code = int(raw) if raw is not None else None
        message = str(first.get("message") or "").strip()
    except (ValueError, AttributeError, TypeError, IndexError):
        code, message = None, ""
    detail = f" (code {code}): {message}" if message else ""
    return kind(f"{what}: the shop answered HTTP {status}{detail}", status=status, code=code)


def to_xml(entity: str, fields: Mapping[str, Any]) -> bytes:
    """``<prestashop><entity>…</entity></prestashop>`` for a POST/PUT/PATCH body.

    A mapping becomes child elements, a list repeats its element, ``None`` an empty
    element, anything else its text. Keys starting with ``@`` are attributes and
    ``#text`` the element's own text, e.g. a multilang field
    ``{"language": [{"@id": "1", "#text": "Mug"}]}``, and associations
    ``{"associations": {"cart_rows": {"cart_row": [{...}, {...}]}}}``.
    """
    root = ET.Element("prestashop")
    _append(root, entity, fields)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, list | tuple):
        for item in value:
            _append(parent, tag, item)
        return
    element = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            if key.startswith("@"):
                element.set(key[1:], str(child))
            elif key == "#text":
                element.text = str(child)
            else:
                _append(element, key, child)
    elif value is not None:
        element.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
