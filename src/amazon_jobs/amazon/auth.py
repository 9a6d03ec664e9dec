"""Login with Amazon (LWA) as an ``httpx.Auth`` flow.

The flow adds ``x-amz-access-token`` to every SP-API request, fetches a token
with the refresh token when there is none or it expires within a minute, and
when Amazon answers 403 because the token was refused, refreshes once and
sends the request again. Each token granted is reported (``on_token``), so
that an account's count of refused logins starts again. Credentials are held
as ``SecretStr`` and never appear in a repr, a log or an error message.

:meth:`LwaAuth.send` follows the same flow without httpx's generator
machinery (the engine's way, which saves CPU on every call): the same token
request, the same header, the same one refresh on a refused token.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
from pydantic import SecretStr

from amazon_jobs.clock import Clock
from amazon_jobs.errors import AmazonAuthError, AmazonServerError

__all__ = ["LwaAuth", "LwaCredentials"]

#: Refresh this long before Amazon's expiry, so no request carries a dying token.
EXPIRY_MARGIN = timedelta(seconds=60)
#: Sends a request as it is: no authentication, not even from the URL's user info
#: (what httpx does with the requests an auth flow yields).
AS_IS = httpx.Auth()


@dataclass(frozen=True)
class LwaCredentials:
    token_url: str
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr

    def __repr__(self) -> str:
        return f"LwaCredentials(token_url={self.token_url!r}, client_id={self.client_id!r})"


class LwaAuth(httpx.Auth):
    """Adds a fresh LWA access token to each request."""

    requires_response_body = True

    def __init__(
        self,
        credentials: LwaCredentials,
        clock: Clock,
        on_token: Callable[[], None] | None = None,
    ) -> None:
        self.credentials = credentials
        self.clock = clock
        #: Called after each token Login with Amazon grants: the credentials work
        #: (the account's count of refused logins starts again).
        self.on_token = on_token
        self._token: SecretStr | None = None
        self._expires_at: datetime | None = None
        #: Number of tokens fetched, for tests and the log.
        self.refreshes = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self._valid():
            yield from self._refresh(request)
        request.headers["x-amz-access-token"] = self._secret()
        response = yield request
        if response.status_code == 403 and _token_refused(response):
            yield from self._refresh(request)
            request.headers["x-amz-access-token"] = self._secret()
            yield request

    def send(
        self,
        http: httpx.Client,
        request: httpx.Request,
        *,
        deliver: Callable[[httpx.Request], httpx.Response] | None = None,
    ) -> httpx.Response:
        """Send *request* through *http* as :meth:`auth_flow` would have it sent
        (each request by *deliver* if given, else by ``http.send`` as it is)."""
        if deliver is None:
            deliver = partial(http.send, auth=AS_IS)
        if not self._valid():
            self._accept(deliver(self._token_request(request)))
        request.headers["x-amz-access-token"] = self._secret()
        response = deliver(request)
        if response.status_code == 403 and _token_refused(response):
            self._accept(deliver(self._token_request(request)))
            request.headers["x-amz-access-token"] = self._secret()
            response = deliver(request)
        return response

    def _valid(self) -> bool:
        return (
            self._token is not None
            and self._expires_at is not None
            and self.clock.now() + EXPIRY_MARGIN < self._expires_at
        )

    def _secret(self) -> str:
        assert self._token is not None
        return self._token.get_secret_value()

    def _refresh(self, call: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield self._token_request(call)
        self._accept(response)

    def _token_request(self, call: httpx.Request) -> httpx.Request:
        """The token request made for *call*, with *call*'s timeouts: a request built
        outside the client has none, and a Login with Amazon that stops answering
        would hold the step (and its job's lease, renewed meanwhile) for ever."""
        creds = self.credentials
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token.get_secret_value(),
            "client_id": creds.client_id,
            "client_secret": creds.client_secret.get_secret_value(),
        }
        timeout = call.extensions.get("timeout")
        extensions = {} if timeout is None else {"timeout": timeout}
        return httpx.Request("POST", creds.token_url, data=form, extensions=extensions)

    def _accept(self, response: httpx.Response) -> None:
        if response.status_code >= 500:
            raise AmazonServerError(
                f"Login with Amazon failed with HTTP {response.status_code}; retrying later",
                operation="lwaToken",
                status=response.status_code,
            )
        body = _json(response)
        if response.status_code != 200 or "access_token" not in body:
            code = str(body.get("error", f"HTTP {response.status_code}"))
            detail = str(body.get("error_description", "")).strip()
            refusal = code + (f": {detail}" if detail else "")
            raise AmazonAuthError(
                f"Login with Amazon refused the account's credentials ({refusal}): check "
                "the LWA client id, client secret and refresh token",
                operation="lwaToken",
                status=response.status_code,
                code=code,
                refusal=refusal,
            )
        self._token = SecretStr(str(body["access_token"]))
        lifetime = float(body.get("expires_in", 3600))
        self._expires_at = self.clock.now() + timedelta(seconds=lifetime)
        self.refreshes += 1
        if self.on_token is not None:
            self.on_token()

    def __repr__(self) -> str:
        return f"LwaAuth({self.credentials!r}, token=[secure])"


def _token_refused(response: httpx.Response) -> bool:
    errors = _json(response).get("errors") or []
    return any(isinstance(e, dict) and e.get("code") == "Unauthorized" for e in errors)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
