"""Security headers on every answer, and the flags of the cookies the app sets.

Every response gets a strict Content-Security-Policy, ``X-Frame-Options: DENY``,
``Referrer-Policy: same-origin`` and ``X-Content-Type-Options: nosniff``; every
response but the static files gets ``Cache-Control: no-store`` (logged-in pages
carry the CSRF token, API answers the seller's data: neither belongs in a
cache). Error answers, the 400 of a wrong host and the 500 of a bug included.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["NO_STORE", "SECURITY_HEADERS", "SecurityHeaders", "cookie_secure"]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}
NO_STORE = {"Cache-Control": "no-store"}
#: Answers that may be cached: the stylesheet, scripts and icons, the same for everyone.
_CACHEABLE_PREFIX = "/static/"


def cookie_secure(request: Request) -> bool:
    """Cookies are ``Secure`` when the browser came over HTTPS: directly, or through a
    trusted proxy that said so (:mod:`amazon_jobs.web.proxies`)."""
    return request.url.scheme == "https"


class SecurityHeaders:
    """ASGI middleware that adds the headers above to every response it passes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(_CACHEABLE_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not cacheable:
                    headers.setdefault("Cache-Control", NO_STORE["Cache-Control"])
            await send(message)

        await self.app(scope, receive, with_headers)
