"""Where an account's credentials may go: Amazon's own hosts, over HTTPS.

An account's LWA token URL receives its client secret and refresh token, and
its SP-API endpoint the access token with every call. By default only
Amazon's are accepted: the three regional SP-API endpoints and the LWA token
URL. Any other URL (the bundled simulator, a test double) needs the server
setting ``allow_custom_endpoints``. Pure code: it decides, the callers refuse.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = [
    "AMAZON_ENDPOINTS",
    "LWA_TOKEN_URL",
    "REGION_ENDPOINTS",
    "canonical",
    "is_amazon_endpoint",
    "is_amazon_token_url",
    "is_custom",
    "same_url",
]

#: Amazon's regional SP-API endpoints.
REGION_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
AMAZON_ENDPOINTS = frozenset(REGION_ENDPOINTS.values())
#: Login with Amazon's token URL.
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 (a URL)


def canonical(url: str) -> str:
    """*url* with its scheme and host in lower case, the default port and any
    trailing slash dropped; a URL with user info, a query or a fragment, or one
    that cannot be read, comes back as it was (and so matches no Amazon URL)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        return url
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if port is not None and not (scheme == "https" and port == 443):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path.rstrip('/')}"


def same_url(a: str, b: str) -> bool:
    return canonical(a) == canonical(b)


def is_amazon_endpoint(url: str) -> bool:
    """Whether *url* is one of Amazon's regional SP-API endpoints, over HTTPS."""
    return canonical(url) in AMAZON_ENDPOINTS


def is_amazon_token_url(url: str) -> bool:
    """Whether *url* is Login with Amazon's token URL, over HTTPS."""
    return canonical(url) == LWA_TOKEN_URL


def is_custom(endpoint: str, token_url: str) -> bool:
    """Whether an account with these URLs sends its credentials anywhere but to Amazon."""
    return not (is_amazon_endpoint(endpoint) and is_amazon_token_url(token_url))
