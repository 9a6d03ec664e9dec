"""Forwarded headers, believed only from the reverse proxies the settings trust.

A request that comes straight from a browser can say anything in
``X-Forwarded-For``, ``X-Forwarded-Proto``, ``X-Forwarded-Host`` or
``Forwarded``. :class:`ProxyHeaders` believes them only when the direct peer
(the TCP connection's address) is in ``trusted_proxies``; then the request's
client address, scheme and ``Host`` become the ones the proxy reports. From
any other peer the headers are dropped, so nothing further in (the login
limit per address, the ``Secure`` cookie flag, the login's origin check) can
be fooled by them. This is the one place that reads them: uvicorn's own
``proxy_headers`` is off (:mod:`amazon_jobs.serving`).

In a chain of proxies (``X-Forwarded-For: client, proxy1``) the client is the
right-most address that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["FORWARDED_HEADERS", "ProxyHeaders", "TrustedNetworks"]

FORWARDED_HEADERS = frozenset(
    {b"forwarded", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-real-ip"}
)
_SCHEMES = {"http", "https", "ws", "wss"}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TrustedNetworks:
    """The addresses and networks of ``trusted_proxies``."""

    def __init__(self, entries: Iterable[str]) -> None:
        self._networks = [ipaddress.ip_network(entry, strict=False) for entry in entries]

    def __contains__(self, address: object) -> bool:
        ip = _ip(str(address))
        return ip is not None and any(ip in network for network in self._networks)

    def __bool__(self) -> bool:
        return bool(self._networks)


class ProxyHeaders:
    """ASGI middleware: apply a trusted proxy's forwarded headers, drop anyone else's."""

    def __init__(self, app: ASGIApp, trusted: Sequence[str]) -> None:
        self.app = app
        self.trusted = TrustedNetworks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = self.resolve(scope)
        await self.app(scope, receive, send)

    def resolve(self, scope: Scope) -> Scope:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
        kept = [(k, v) for k, v in headers if k.lower() not in FORWARDED_HEADERS]
        scope = {**scope, "headers": kept}
        peer = scope.get("client")
        if not peer or peer[0] not in self.trusted:
            return scope
        said = _Forwarded.read(headers)
        client = self._client(said.chain)
        if client is not None:
            scope["client"] = (client, 0)
        if said.proto in _SCHEMES:
            scope["scheme"] = said.proto
        if said.host:
            scope["headers"] = [(k, v) for k, v in kept if k.lower() != b"host"]
            scope["headers"].append((b"host", said.host.encode("latin-1")))
        return scope

    def _client(self, chain: list[str]) -> str | None:
        """The right-most address of the chain that is not a trusted proxy."""
        addresses = [str(ip) for ip in (_ip(entry) for entry in chain) if ip is not None]
        for address in reversed(addresses):
            if address not in self.trusted:
                return address
        return addresses[0] if addresses else None


class _Forwarded:
    """What the proxy said: the address chain, the scheme and the host."""

    def __init__(self, chain: list[str], proto: str, host: str) -> None:
        self.chain, self.proto, self.host = chain, proto, host

    @classmethod
    def read(cls, headers: list[tuple[bytes, bytes]]) -> _Forwarded:
        values: dict[bytes, list[str]] = {}
        for key, value in headers:
            values.setdefault(key.lower(), []).append(value.decode("latin-1"))
        chain = _split(values.get(b"x-forwarded-for", []))
        proto = _last(_split(values.get(b"x-forwarded-proto", [])))
        host = _last(_split(values.get(b"x-forwarded-host", [])))
        if not chain and b"forwarded" in values:
            elements = _forwarded_elements(values[b"forwarded"])
            chain = [e["for"] for e in elements if "for" in e]
            proto = proto or _last([e["proto"] for e in elements if "proto" in e])
            host = host or _last([e["host"] for e in elements if "host" in e])
        return cls(chain, proto.lower(), host if _plausible_host(host) else "")


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _last(values: list[str]) -> str:
    return values[-1] if values else ""


def _forwarded_elements(values: list[str]) -> list[dict[str, str]]:
    """RFC 7239: ``Forwarded: for=192.0.2.60;proto=https;host=shop.example, for=…``."""
    elements = []
    for element in _split(values):
        pairs: dict[str, Any] = {}
        for pair in element.split(";"):
            name, _, value = pair.partition("=")
            pairs[name.strip().lower()] = value.strip().strip('"')
        elements.append(pairs)
    return elements


def _ip(value: str) -> Address | None:
    """An address as a proxy writes it: ``1.2.3.4``, ``1.2.3.4:5``, ``[::1]:5`` or ``::1``."""
    text = value.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _plausible_host(host: str) -> bool:
    return 0 < len(host) <= 255 and all(33 <= ord(c) < 127 for c in host)
