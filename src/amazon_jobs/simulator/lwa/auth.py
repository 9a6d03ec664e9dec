"""Login with Amazon (LWA) and the ``x-amz-access-token`` check.

The simulator knows any number of applications (LWA clients: an id and a
secret; the config's exists from the start) and of sellers. A seller authorizes
an application and gets a refresh token for that pair; a ``refresh_token``
grant, made with that application's credentials, returns a fresh ``Atza|…``
access token that acts for the seller *through that application* until it
expires (the SP-API meters the pair and the application:
``simulator.common.throttling``). A refresh token presented by another
application is ``invalid_grant``, as OAuth says of a grant "issued to another
client" (RFC 6749 §5.2). Refusals follow LWA's OAuth error codes; grantless
``client_credentials`` grants are not supported in this slice.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from amazon_jobs.simulator.common.errors import ApiError
from amazon_jobs.simulator.common.throttling import Caller
from amazon_jobs.simulator.config import SimulatorConfig

__all__ = ["Grant", "LwaRefusal", "TokenBook"]

_DENIED = "Access to requested resource is denied."


@dataclass(frozen=True, slots=True)
class Grant:
    """A successful token response."""

    access_token: str
    expires_in: int
    refresh_token: str

    def to_json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
        }


@dataclass(frozen=True, slots=True)
class LwaRefusal:
    """An OAuth error response."""

    status: int
    error: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _missing(name: str) -> LwaRefusal:
    return LwaRefusal(
        400, "invalid_request", f"The request is missing a required parameter : {name}"
    )


def _unauthorized(details: str) -> ApiError:
    return ApiError(403, "Unauthorized", _DENIED, details)


class TokenBook:
    """The known applications, the refresh tokens of the sellers that authorized them,
    and the access tokens issued."""

    def __init__(self, config: SimulatorConfig) -> None:
        self._config = config
        self._secrets: dict[str, str] = {config.client_id: config.client_secret}
        self._callers_by_refresh: dict[str, Caller] = {}
        self._access: dict[str, tuple[Caller, datetime]] = {}

    def add_application(self, client_id: str, client_secret: str) -> None:
        """Know the application *client_id* (a new secret replaces the old one)."""
        self._secrets[client_id] = client_secret

    def knows_application(self, client_id: str) -> bool:
        return client_id in self._secrets

    def add_refresh_token(
        self, refresh_token: str, seller_id: str, client_id: str | None = None
    ) -> None:
        """Let *refresh_token* obtain access tokens acting for *seller_id* through the
        application *client_id* (the config's by default), which must be known."""
        client = client_id or self._config.client_id
        if client not in self._secrets:
            raise KeyError(f"unknown application {client!r}: add it first")
        self._callers_by_refresh[refresh_token] = Caller(seller_id, client)

    def revoke(self, refresh_token: str) -> None:
        """Refuse *refresh_token* from now on (``invalid_grant``); tokens issued with it
        live out their hour."""
        self._callers_by_refresh.pop(refresh_token, None)

    def expire_all(self, now: datetime) -> None:
        """End every access token issued so far, as if its hour were over."""
        self._access = {
            token: (caller, min(ends, now)) for token, (caller, ends) in self._access.items()
        }

    def grant(self, form: Mapping[str, str], now: datetime) -> Grant | LwaRefusal:
        """Answer a token request whose form fields are *form*."""
        refusal = self._refusal(form)
        if refusal is not None:
            return refusal
        refresh_token = form["refresh_token"]
        self._forget_expired(now)
        token = "Atza|" + secrets.token_urlsafe(48)
        expires_at = now + timedelta(seconds=self._config.access_token_ttl_s)
        self._access[token] = (self._callers_by_refresh[refresh_token], expires_at)
        return Grant(token, self._config.access_token_ttl_s, refresh_token)

    def caller_for(self, access_token: str | None, now: datetime) -> Caller:
        """The seller and application *access_token* acts for; ApiError 403 if it is
        missing or not live."""
        if not access_token:
            raise _unauthorized("Access token is missing in the request header.")
        entry = self._access.get(access_token)
        if entry is None:
            raise _unauthorized("The access token you provided is revoked, malformed or invalid.")
        caller, expires_at = entry
        if now >= expires_at:
            raise _unauthorized("The access token you provided has expired.")
        return caller

    def seller_for(self, access_token: str | None, now: datetime) -> str:
        """The seller *access_token* acts for; ApiError 403 as :meth:`caller_for`."""
        return self.caller_for(access_token, now).seller_id

    def _refusal(self, form: Mapping[str, str]) -> LwaRefusal | None:
        grant_type = form.get("grant_type")
        if not grant_type:
            return _missing("grant_type")
        if grant_type != "refresh_token":
            return LwaRefusal(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        for name in ("client_id", "client_secret", "refresh_token"):
            if not form.get(name):
                return _missing(name)
        if self._secrets.get(form["client_id"]) != form["client_secret"]:
            return LwaRefusal(401, "invalid_client", "Client authentication failed")
        caller = self._callers_by_refresh.get(form["refresh_token"])
        if caller is None or caller.client_id != form["client_id"]:
            return LwaRefusal(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token",
            )
        return None

    def _forget_expired(self, now: datetime) -> None:
        expired = [token for token, (_, expires_at) in self._access.items() if expires_at <= now]
        for token in expired:
            del self._access[token]
