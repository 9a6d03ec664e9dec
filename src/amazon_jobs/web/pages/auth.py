"""Log in and out of the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amazon_jobs.store.users import authenticate, end_session, start_session
from amazon_jobs.web.deps import SESSION_COOKIE, CsrfChecked, RuntimeDep
from amazon_jobs.web.pages.common import safe_next
from amazon_jobs.web.templating import templates

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": safe_next(next)})


@router.post("/login", response_model=None)
def login(
    request: Request,
    rt: RuntimeDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    lifetime = timedelta(seconds=rt.settings.session_lifetime_s)
    with rt.db.transaction() as session:
        user = authenticate(session, username, password, allow_demo=rt.settings.demo)
        token = start_session(session, user, rt.clock.now(), lifetime) if user else None
    if token is None:
        context = {
            "next": safe_next(next),
            "error": "Wrong user name or password.",
            "username": username,
        }
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, rt: RuntimeDep, _: CsrfChecked) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with rt.db.transaction() as session:
            end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
