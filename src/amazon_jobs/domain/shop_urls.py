"""Where a shop's Webservice key may go: the shop's own URL, over HTTPS.

The key is sent (HTTP Basic user name) with every call to ``<url>/api/``, and
to nothing else: the client follows no redirect. Plain HTTP would show it to
anyone on the way, so a shop URL must be ``https://``, except ``http://`` to a
loopback address (127.0.0.0/8: a shop or the simulator on this machine) or when
the server allows custom endpoints (tests, demos). Pure code: it decides, the
callers refuse.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["shop_url_problem"]


def shop_url_problem(url: str, *, allow_custom: bool) -> str | None:
    """Why *url* cannot be a shop's URL, or None when it can."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        return f"the shop URL {url!r} cannot be read"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the shop URL {url!r} must start with https:// and name a host"
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        return f"the shop URL {url!r} must be the shop's address only (no user, query or fragment)"
    if parts.scheme == "http" and not allow_custom and not _loopback(parts.hostname):
        return (
            f"the shop URL {url!r} must use https:// (its Webservice key is sent with every "
            "call); plain http is accepted only to 127.0.0.1 or with allow_custom_endpoints"
        )
    return None


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False
