"""Log in and out of the dashboard.

Wrong passwords are counted per user name and per client address
(:mod:`amazon_jobs.store.logins`): past the limit, logins are refused with 429
and ``Retry-After`` until the window is over, even with the right password,
and no password is checked meanwhile. A login form posted from another site
(its ``Origin`` is not this one) is refused: no one can log a browser into
their own account behind its user's back.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amazon_jobs.store.logins import (
    LoginKeys,
    LoginLimits,
    forget_user,
    lock_and_check,
    record_failure,
)
from amazon_jobs.store.users import authenticate, end_session, start_session
from amazon_jobs.web.access import ViewerForm
from amazon_jobs.web.deps import SESSION_COOKIE, RuntimeDep
from amazon_jobs.web.errors import ApiError
from amazon_jobs.web.headers import cookie_secure
from amazon_jobs.web.pages.common import safe_next
from amazon_jobs.web.templating import duration, templates

router = APIRouter()


#: What the login page says to a browser whose session ended (idle time or lifetime).
EXPIRED = "Your session expired; log in again."


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    next: Annotated[str | None, Query(max_length=2000)] = None,
    expired: bool = False,
) -> Response:
    context = {"next": safe_next(next), "notice": EXPIRED if expired else None}
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login", response_model=None)
def login(
    request: Request,
    rt: RuntimeDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    _same_origin(request)
    settings = rt.settings
    lifetime = timedelta(seconds=settings.session_lifetime_s)
    limits = LoginLimits(
        settings.login_max_failures,
        settings.login_max_failures_per_address,
        timedelta(seconds=settings.login_window_s),
    )
    # The real client: a trusted proxy's X-Forwarded-For is applied, nobody else's
    # (amazon_jobs.web.proxies). Lockouts count real time (rt.security_clock).
    keys = LoginKeys.of(username, request.client.host if request.client else "unknown")
    now = rt.security_clock.now()
    token: str | None = None
    with rt.db.transaction() as session:
        refused_until = lock_and_check(session, keys, now)
        if refused_until is None:
            user = authenticate(session, username, password, allow_demo=settings.demo)
            if user is None:
                refused_until = record_failure(session, keys, now, limits)
            else:
                forget_user(session, keys)
                token = start_session(session, user, now, lifetime)
    context: dict[str, Any] = {"next": safe_next(next), "username": username}
    if refused_until is not None:
        return _too_many(request, context, refused_until - now, limits)
    if token is None:
        context["error"] = "Wrong user name or password."
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )
    return response


def _too_many(
    request: Request, context: dict[str, Any], left: timedelta, limits: LoginLimits
) -> Response:
    seconds = max(1, math.ceil(left.total_seconds()))
    context["error"] = (
        "Too many wrong passwords: logins for this user name (or from this address) are "
        f"refused for the next {duration(seconds)}, even with the right password. "
        f"Try again then. (After {limits.max_failures} wrong passwords in "
        f"{duration(limits.window.total_seconds())}, logins wait that long.)"
    )
    return templates.TemplateResponse(
        request,
        "login.html",
        context,
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )


def _same_origin(request: Request) -> None:
    """Refuse a login posted by another site's page (login CSRF).

    Browsers send ``Origin`` with every POST; programs that send none are let through.
    The origin must be this site as the browser addressed it: the ``Host`` header
    (behind a trusted reverse proxy that rewrites it, the ``X-Forwarded-Host`` it set,
    applied by :mod:`amazon_jobs.web.proxies`; a form on another site can set neither).
    """
    origin = request.headers.get("origin")
    if origin is None:
        return
    host = request.headers.get("host", "").strip().lower()
    if origin == "null" or urlsplit(origin).netloc.lower() != host:
        raise ApiError(403, "the login form did not come from this site: open the login page")


@router.post("/logout")
def logout(request: Request, rt: RuntimeDep, _: ViewerForm) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with rt.db.transaction() as session:
            end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
