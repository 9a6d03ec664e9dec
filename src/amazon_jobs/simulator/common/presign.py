"""Presigned document URLs, S3 style: a date, a lifetime and an HMAC signature.

A URL is signed for one method, one path, the query parameters it carries and,
for uploads, the ``Content-Type`` the client must send (S3 signs that header
too). Checking never needs a database: the signature proves the rest.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

__all__ = ["SIGNATURE", "UrlRefusal", "UrlSigner"]

SIGNATURE = "X-Amz-Signature"
_DATE = "X-Amz-Date"
_EXPIRES = "X-Amz-Expires"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class UrlRefusal:
    """Why S3 refuses a request: an S3 error code and message (always 403)."""

    code: str
    message: str


class UrlSigner:
    """Signs and checks presigned URLs with one secret key."""

    def __init__(self, secret: bytes, ttl_s: int) -> None:
        self._secret = secret
        self._ttl_s = ttl_s

    def query(
        self,
        method: str,
        path: str,
        issued_at: datetime,
        content_type: str = "",
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """The query string that makes *path* a URL valid for *ttl_s* from *issued_at*."""
        params = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            _DATE: issued_at.astimezone(UTC).strftime(_DATE_FORMAT),
            _EXPIRES: str(self._ttl_s),
            "X-Amz-SignedHeaders": "content-type;host" if content_type else "host",
            **(extra or {}),
        }
        params[SIGNATURE] = self._signature(method, path, content_type, params)
        return urlencode(params)

    def check(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        content_type: str,
        now: datetime,
    ) -> UrlRefusal | None:
        """None when the request may go on, else why it is refused."""
        if SIGNATURE not in params or _DATE not in params or _EXPIRES not in params:
            return UrlRefusal(
                "AccessDenied", "Query-string authentication requires the Signature and Expires."
            )
        expected = self._signature(method, path, content_type, params)
        if not hmac.compare_digest(expected, params[SIGNATURE]):
            return UrlRefusal(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you "
                "provided. Check your key and signing method.",
            )
        if now >= _expiry(params):
            return UrlRefusal("AccessDenied", "Request has expired")
        return None

    def _signature(
        self, method: str, path: str, content_type: str, params: Mapping[str, str]
    ) -> str:
        signed = sorted((key, value) for key, value in params.items() if key != SIGNATURE)
        canonical = "\n".join([method, path, content_type, urlencode(signed)])
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()


def _expiry(params: Mapping[str, str]) -> datetime:
    try:
        issued = datetime.strptime(params[_DATE], _DATE_FORMAT).replace(tzinfo=UTC)
        return issued + timedelta(seconds=int(params[_EXPIRES]))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
