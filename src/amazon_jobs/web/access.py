"""Which role each route needs, declared once per route by a guard dependency.

Every route but the public ones (``/login``, ``/healthz``, ``/static``) takes
exactly one guard, made here for one :class:`~amazon_jobs.domain.roles.Role`:

- pages: ``me: Viewer`` / ``Operator`` / ``Admin`` (a signed-in browser; without
  a session the browser goes to the login page);
- forms that change something: ``me: ViewerForm`` / ``OperatorForm`` /
  ``AdminForm`` (the same, and the session's CSRF token);
- the API: ``dependencies=READ`` / ``OPERATE`` / ``ADMINISTER`` (the bearer token
  acting with the narrower of its scope and its user's role);
- the API docs: ``DOCS`` (a session or a token).

A caller without the role gets 403: the error page for a browser, the JSON
error for a program. :data:`GUARDS` maps each guard to its role, so a test can
check that no route was left without one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.params import Depends as DependsParam
from fastapi.responses import Response

from amazon_jobs.domain.roles import Role, allows
from amazon_jobs.store.api_tokens import TokenGrant
from amazon_jobs.web.deps import ApiUser, CsrfChecked, PageUser, Reader, SignedIn
from amazon_jobs.web.errors import ApiError
from amazon_jobs.web.templating import templates

__all__ = [
    "ADMINISTER",
    "DOCS",
    "GUARDS",
    "OPERATE",
    "READ",
    "Admin",
    "AdminForm",
    "Operator",
    "OperatorForm",
    "PageForbidden",
    "Viewer",
    "ViewerForm",
    "install_forbidden_page",
]

#: Every guard and the role it requires.
GUARDS: dict[Callable[..., Any], Role] = {}


class PageForbidden(Exception):
    """A signed-in browser asked for a page or form its role does not include."""

    def __init__(self, me: SignedIn, needs: Role) -> None:
        super().__init__(f"needs the {needs} role")
        self.me, self.needs = me, needs


def _refusal(have: Role, needs: Role) -> str:
    return f"this needs the {needs} role; you act as {have} (an admin can change that)"


def _page_guard(needs: Role) -> Callable[[SignedIn], SignedIn]:
    def guard(me: PageUser) -> SignedIn:
        if not allows(me.role, needs):
            raise PageForbidden(me, needs)
        return me

    GUARDS[guard] = needs
    return guard


def _form_guard(needs: Role) -> Callable[[SignedIn], SignedIn]:
    def guard(me: CsrfChecked) -> SignedIn:
        if not allows(me.role, needs):
            raise PageForbidden(me, needs)
        return me

    GUARDS[guard] = needs
    return guard


def _api_guard(needs: Role) -> list[DependsParam]:
    def guard(caller: ApiUser) -> TokenGrant:
        if not allows(caller.role, needs):
            raise ApiError(403, _refusal(caller.role, needs))
        return caller

    GUARDS[guard] = needs
    return [Depends(guard)]


def _docs_guard(role: Reader) -> Role:
    return role  # every valid session or token may read the docs


GUARDS[_docs_guard] = Role.VIEWER

Viewer = Annotated[SignedIn, Depends(_page_guard(Role.VIEWER))]
Operator = Annotated[SignedIn, Depends(_page_guard(Role.OPERATOR))]
Admin = Annotated[SignedIn, Depends(_page_guard(Role.ADMIN))]
ViewerForm = Annotated[SignedIn, Depends(_form_guard(Role.VIEWER))]
OperatorForm = Annotated[SignedIn, Depends(_form_guard(Role.OPERATOR))]
AdminForm = Annotated[SignedIn, Depends(_form_guard(Role.ADMIN))]
READ = _api_guard(Role.VIEWER)
OPERATE = _api_guard(Role.OPERATOR)
ADMINISTER = _api_guard(Role.ADMIN)
DOCS = [Depends(_docs_guard)]


def install_forbidden_page(app: FastAPI) -> None:
    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, exc: PageForbidden) -> Response:
        context = {"me": exc.me, "message": _refusal(exc.me.role, exc.needs)}
        return templates.TemplateResponse(request, "forbidden.html", context, status_code=403)
