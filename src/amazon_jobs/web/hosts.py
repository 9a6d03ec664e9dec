"""Allowed hosts: a request addressed to any other host name gets 400.

A page served under a name the operator did not choose is how DNS rebinding
reaches a dashboard on 127.0.0.1 from another site, so every request's ``Host``
(after :mod:`amazon_jobs.web.proxies` applied a trusted proxy's
``X-Forwarded-Host``) must be one of the ``allowed_hosts`` setting: an exact
name, ``*.example.com`` for its subdomains, or ``*`` for any.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_jobs.web.errors import error_body

__all__ = ["AllowedHosts", "host_name"]


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port: ``[::1]:80`` is ``::1``."""
    text = header.strip().lower()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    return text.rpartition(":")[0] if text.count(":") == 1 else text


class AllowedHosts:
    """ASGI middleware: 400 for a request whose ``Host`` is not allowed."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = {host_name(h) if not h.startswith("*") else h.lower() for h in hosts}

    def allows(self, name: str) -> bool:
        if not name:
            return False
        if "*" in self.hosts or name in self.hosts:
            return True
        return any(h.startswith("*.") and name.endswith(h[1:]) for h in self.hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            name = host_name(Headers(scope=scope).get("host", ""))
            if not self.allows(name):
                message = "this server does not answer to that host name (allowed_hosts)"
                await JSONResponse(error_body(400, message), 400)(scope, receive, send)
                return
        await self.app(scope, receive, send)
