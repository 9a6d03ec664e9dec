"""Typed dependencies: the runtime, the logged-in user (page or API), CSRF."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request

from amazon_jobs.domain.roles import Role, allows, parse_role
from amazon_jobs.runtime import Runtime
from amazon_jobs.store.api_tokens import TokenGrant, token_grant
from amazon_jobs.store.models import User
from amazon_jobs.store.users import find_session, touch_session
from amazon_jobs.web.errors import ApiError, LoginRequired

__all__ = [
    "SESSION_COOKIE",
    "ApiUser",
    "CsrfChecked",
    "PageUser",
    "Reader",
    "RuntimeDep",
    "SignedIn",
    "get_runtime",
]

SESSION_COOKIE = "aj_session"
#: Seconds between two updates of a session's last use.
TOUCH_EVERY_S = 60.0


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass(frozen=True)
class SignedIn:
    """A logged-in browser: who, and the CSRF token its forms must carry."""

    user: User
    csrf_token: str

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    def can(self, role: str) -> bool:
        """The user's role includes *role* (templates show only what they may use)."""
        needed = parse_role(role)
        return needed is not None and allows(self.role, needed)


def signed_in(request: Request, rt: Runtime) -> SignedIn | None:
    """The browser's live session, if it has one (see :func:`find_session`).

    A session in use is marked seen at most every :data:`TOUCH_EVERY_S` (or a
    quarter of the idle time), so pages and the live refresh cost no write each.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    now = rt.security_clock.now()
    idle = timedelta(seconds=rt.settings.session_idle_s)
    with rt.db.read() as session:
        found = find_session(session, token, now, idle)
    if found is None:
        return None
    web_session, user = found
    seen = web_session.last_seen_at or web_session.created_at
    if (now - seen).total_seconds() >= min(TOUCH_EVERY_S, rt.settings.session_idle_s / 4):
        with rt.db.transaction() as session:
            touch_session(session, web_session.token_hash, now)
    return SignedIn(user, web_session.csrf_token)


def page_user(request: Request, rt: RuntimeDep) -> SignedIn:
    """The session's user; a browser without one is sent to the login page."""
    found = signed_in(request, rt)
    if found is not None:
        return found
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise LoginRequired(quote(target, safe=""), expired=SESSION_COOKIE in request.cookies)


PageUser = Annotated[SignedIn, Depends(page_user)]


def api_user(request: Request, rt: RuntimeDep) -> TokenGrant:
    """The API token's user and role (``Authorization: Bearer …``), or 401.

    A token's expiry is a security timer: it is checked against real time.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "an API token is required: send 'Authorization: Bearer <token>'")
    with rt.db.transaction() as session:
        grant = token_grant(session, token.strip(), rt.security_clock.now())
    if grant is None:
        raise ApiError(
            401,
            "the API token is not valid: unknown, expired or revoked, or its user is disabled "
            "(create one with `amazon-jobs tokens create`)",
        )
    return grant


ApiUser = Annotated[TokenGrant, Depends(api_user)]


def reader(request: Request, rt: RuntimeDep) -> Role:
    """A browser's session or an API token: for the API's schema and its docs.

    Without either, a browser (it asks for HTML) goes to the login page; a
    program gets the 401 of :func:`api_user`. Returns the role it acts with.
    """
    found = signed_in(request, rt)
    if found is not None:
        return found.role
    if not request.headers.get("authorization") and "text/html" in request.headers.get(
        "accept", ""
    ):
        raise LoginRequired(quote(request.url.path, safe=""))
    return api_user(request, rt).role


Reader = Annotated[Role, Depends(reader)]


def csrf_checked(
    signed_in: PageUser, request: Request, csrf_token: Annotated[str | None, Form()] = None
) -> SignedIn:
    """A form that changes something must carry the session's CSRF token
    (as the ``csrf_token`` field, or the ``X-CSRF-Token`` header htmx sends)."""
    sent = csrf_token or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(sent, signed_in.csrf_token):
        raise ApiError(403, "the form has expired or did not come from this site: reload the page")
    return signed_in


CsrfChecked = Annotated[SignedIn, Depends(csrf_checked)]
