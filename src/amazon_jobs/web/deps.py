"""Typed dependencies: the runtime, the logged-in user (page or API), CSRF."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request

from amazon_jobs.runtime import Runtime
from amazon_jobs.store.models import User
from amazon_jobs.store.users import find_session, user_for_api_token
from amazon_jobs.web.errors import ApiError, LoginRequired

__all__ = [
    "SESSION_COOKIE",
    "ApiUser",
    "CsrfChecked",
    "PageUser",
    "RuntimeDep",
    "SignedIn",
    "get_runtime",
]

SESSION_COOKIE = "aj_session"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass(frozen=True)
class SignedIn:
    """A logged-in browser: who, and the CSRF token its forms must carry."""

    user: User
    csrf_token: str


def page_user(request: Request, rt: RuntimeDep) -> SignedIn:
    """The session's user; a browser without one is sent to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with rt.db.read() as session:
            found = find_session(session, token, rt.clock.now())
        if found:
            web_session, user = found
            return SignedIn(user, web_session.csrf_token)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise LoginRequired(quote(target, safe=""))


PageUser = Annotated[SignedIn, Depends(page_user)]


def api_user(request: Request, rt: RuntimeDep) -> User:
    """The API token's user (``Authorization: Bearer …``), or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "an API token is required: send 'Authorization: Bearer <token>'")
    with rt.db.transaction() as session:
        user = user_for_api_token(session, token.strip(), rt.clock.now())
    if user is None:
        raise ApiError(
            401, "the API token is not valid (create one with `amazon-jobs tokens create`)"
        )
    return user


ApiUser = Annotated[User, Depends(api_user)]


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
