"""The API's reference page: the OpenAPI schema as one readable HTML table.

Served by the app itself (no Swagger UI from a CDN: the dashboard's content
security policy allows only its own scripts, and a seller's machine may not
reach the internet). The schema itself is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Endpoint", "Parameter", "endpoints"]

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    required: bool
    description: str


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    tag: str
    summary: str
    description: str
    parameters: list[Parameter]
    body: str | None
    statuses: list[str]


def endpoints(schema: dict[str, Any]) -> list[Endpoint]:
    """Every operation of *schema*, grouped by tag, in path order within a tag."""
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            found.append(
                Endpoint(
                    method=method.upper(),
                    path=path,
                    tag=(operation.get("tags") or ["other"])[0],
                    summary=operation.get("summary", ""),
                    description=operation.get("description", ""),
                    parameters=[_parameter(p) for p in operation.get("parameters", [])],
                    body=_body(operation.get("requestBody")),
                    statuses=sorted(operation.get("responses", {})),
                )
            )
    return sorted(found, key=lambda e: (e.tag, e.path, METHODS.index(e.method.lower())))


def _parameter(raw: dict[str, Any]) -> Parameter:
    return Parameter(
        name=raw["name"],
        where=raw.get("in", ""),
        required=bool(raw.get("required")),
        description=raw.get("description", "") or raw.get("schema", {}).get("description", ""),
    )


def _body(raw: dict[str, Any] | None) -> str | None:
    if not raw:
        return None
    for media, content in raw.get("content", {}).items():
        ref = content.get("schema", {}).get("$ref", "")
        return f"{media}: {ref.rsplit('/', 1)[-1]}" if ref else media
    return None
