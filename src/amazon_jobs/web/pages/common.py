"""What every page shares: rendering with the flash message, redirects back, htmx.

A form that changes something answers in one of two ways:

- to htmx (``HX-Request``), a fragment (a table row) or ``HX-Redirect``;
- to a plain browser (no JavaScript), a 303 back to the page it came from,
  with a one-time *flash* message kept in a short-lived cookie.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from amazon_jobs.runtime import Runtime
from amazon_jobs.store.accounts import list_accounts
from amazon_jobs.store.models import Account
from amazon_jobs.web.deps import SignedIn
from amazon_jobs.web.headers import cookie_secure
from amazon_jobs.web.templating import templates

__all__ = [
    "Flash",
    "Level",
    "PickedAccount",
    "is_htmx",
    "not_found",
    "partial",
    "pick_account",
    "redirect",
    "render",
    "safe_next",
    "url_with",
]

FLASH_COOKIE = "aj_flash"
Level = Literal["ok", "info", "error"]


@dataclass(frozen=True)
class Flash:
    """A one-line message shown once, at the top of the next page."""

    level: Level
    text: str


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


#: The longest ``next`` kept; a longer one is replaced by the default.
MAX_NEXT = 2000
#: What may stay as it is in a ``next`` path (the rest is %-encoded, e.g. non-ASCII).
_URL_SAFE = "/?&=%#:@!$'()*+,;~-._"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only paths on this site: never an absolute URL (open redirect), never a control
    character (a CR/LF would split the ``Location`` or ``HX-Redirect`` header), always
    ASCII (header values are); anything else is *default*."""
    if (
        not target
        or len(target) > MAX_NEXT
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
    ):
        return default
    return quote(target, safe=_URL_SAFE)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The template with the pending flash message (which is then cleared)."""
    flash = _read_flash(request)
    response = templates.TemplateResponse(
        request, name, {**context, "flash": flash}, status_code=status_code, headers=headers
    )
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE)
    return response


def partial(request: Request, name: str, context: dict[str, Any]) -> Response:
    """A fragment for htmx: it leaves the pending flash message for the next full page."""
    return templates.TemplateResponse(request, name, context)


def redirect(
    request: Request, target: str, message: str | None = None, level: Level = "ok"
) -> Response:
    """Back to *target* (a local path) with an optional flash message.

    htmx follows ``HX-Redirect`` with a full page load; a plain browser the 303.
    """
    if is_htmx(request):
        response: Response = Response(status_code=200, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    if message:
        value = quote(json.dumps([level, message[:500]]), safe="")
        response.set_cookie(
            FLASH_COOKIE,
            value,
            max_age=60,
            httponly=True,
            samesite="lax",
            path="/",
            secure=cookie_secure(request),  # as the session cookie is
        )
    return response


def _read_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        level, text = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return None
    if level not in ("ok", "info", "error") or not isinstance(text, str):
        return None
    return Flash(level, text)


def not_found(request: Request, me: SignedIn, message: str) -> Response:
    return render(request, "not_found.html", {"me": me, "message": message}, status_code=404)


def url_with(path: str, params: dict[str, Any]) -> str:
    """*path* with the non-empty *params* as its query string."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


@dataclass(frozen=True)
class PickedAccount:
    """The accounts to choose from and the one a page shows (None when there is none)."""

    accounts: list[Account]
    current: Account | None


def pick_account(rt: Runtime, wanted: str | None) -> PickedAccount:
    """The account named by id in the URL, else the first one by name."""
    with rt.db.read() as session:
        accounts = list_accounts(session)
    current = next((a for a in accounts if wanted and str(a.id) == wanted), None)
    return PickedAccount(accounts, current or (accounts[0] if accounts else None))
