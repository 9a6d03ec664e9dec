"""Users (admins only) and "change my password" (everyone).

An admin adds users, gives them a role, disables, enables or deletes them,
ends their sessions and revokes their API tokens; each takes effect on the
user's next request. Changing one's own password ends one's other sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from amazon_jobs.domain.roles import ROLES, Role
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.security import MIN_PASSWORD_LENGTH, token_digest
from amazon_jobs.store import user_admin
from amazon_jobs.store.api_tokens import list_tokens, revoke_token
from amazon_jobs.store.models import User
from amazon_jobs.store.users import add_user, authenticate
from amazon_jobs.web.access import Admin, AdminForm, Viewer, ViewerForm
from amazon_jobs.web.api.schemas.common import MAX_ID
from amazon_jobs.web.deps import SESSION_COOKIE, RuntimeDep, SignedIn
from amazon_jobs.web.pages.common import redirect, render

router = APIRouter()

UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
Password = Annotated[str, Form(max_length=200)]


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, rt: RuntimeDep, me: Admin) -> Response:
    with rt.db.read() as session:
        rows = user_admin.list_users(session)
        tokens = list_tokens(session)
    context = {
        "me": me,
        "rows": rows,
        "tokens": tokens,
        "roles": ROLES,
        "now": rt.security_clock.now(),
        "min_password": MIN_PASSWORD_LENGTH,
    }
    return render(request, "users.html", context)


@router.post("/users")
def add_user_form(
    request: Request,
    rt: RuntimeDep,
    _: AdminForm,
    username: Annotated[str, Form(max_length=100)],
    password: Password,
    role: Annotated[Role, Form()],
) -> Response:
    try:
        with rt.db.transaction() as session:
            add_user(session, username, password, rt.clock.now(), role=role)
    except AmazonJobsError as exc:
        return redirect(request, "/users", exc.message, "error")
    return redirect(request, "/users", f"User {username.strip()} added as {role}.")


def _act(
    request: Request,
    rt: RuntimeDep,
    me: SignedIn,
    user_id: int,
    action: Callable[[Session, User], str],
) -> Response:
    """Run *action* on the user; back to the users page (or to the login page, when
    the admin took their own session away)."""
    try:
        with rt.db.transaction() as session:
            user = user_admin.user_by_id(session, user_id)
            if user is None:
                raise AmazonJobsError(f"there is no user {user_id} (any more)")
            message = action(session, user)
    except AmazonJobsError as exc:
        return redirect(request, "/users", exc.message, "error")
    with rt.db.read() as session:
        still_in = session.get(User, me.user.id)
        gone = still_in is None or still_in.disabled_at is not None
    return redirect(request, "/login" if gone and user_id == me.user.id else "/users", message)


@router.post("/users/{user_id}/role")
def set_role(
    request: Request,
    rt: RuntimeDep,
    me: AdminForm,
    user_id: UserId,
    role: Annotated[Role, Form()],
) -> Response:
    def action(session: Session, user: User) -> str:
        user_admin.set_role(session, user, role)
        return f"{user.username} is now {role}."

    return _act(request, rt, me, user_id, action)


@router.post("/users/{user_id}/disable")
def disable(request: Request, rt: RuntimeDep, me: AdminForm, user_id: UserId) -> Response:
    def action(session: Session, user: User) -> str:
        user_admin.disable_user(session, user, rt.clock.now())
        return f"{user.username} is disabled: their sessions ended and their tokens are refused."

    return _act(request, rt, me, user_id, action)


@router.post("/users/{user_id}/enable")
def enable(request: Request, rt: RuntimeDep, me: AdminForm, user_id: UserId) -> Response:
    def action(_: Session, user: User) -> str:
        user_admin.enable_user(user)
        return f"{user.username} is enabled again."

    return _act(request, rt, me, user_id, action)


@router.post("/users/{user_id}/delete")
def delete(request: Request, rt: RuntimeDep, me: AdminForm, user_id: UserId) -> Response:
    def action(session: Session, user: User) -> str:
        name = user.username
        user_admin.delete_user(session, user)
        return f"{name} is deleted, with their sessions and tokens; their jobs stay."

    return _act(request, rt, me, user_id, action)


@router.post("/users/{user_id}/logout")
def end_sessions(request: Request, rt: RuntimeDep, me: AdminForm, user_id: UserId) -> Response:
    def action(session: Session, user: User) -> str:
        ended = user_admin.end_sessions(session, user)
        return f"{ended} session(s) of {user.username} ended."

    return _act(request, rt, me, user_id, action)


@router.post("/users/{user_id}/tokens/{token_id}/revoke")
def revoke(
    request: Request, rt: RuntimeDep, _: AdminForm, user_id: UserId, token_id: UserId
) -> Response:
    with rt.db.transaction() as session:
        revoked = revoke_token(session, token_id, rt.security_clock.now(), user_id=user_id)
    if not revoked:
        return redirect(request, "/users", f"token {token_id} is revoked already", "error")
    return redirect(request, "/users", f"Token {token_id} revoked: it is refused from now on.")


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, me: Viewer) -> Response:
    context = {"me": me, "min_password": MIN_PASSWORD_LENGTH}
    return render(request, "password.html", context)


@router.post("/password")
def change_password(
    request: Request,
    rt: RuntimeDep,
    me: ViewerForm,
    current: Password,
    new: Password,
    repeat: Password,
) -> Response:
    """A new password for the signed-in user; their other sessions end."""
    if new != repeat:
        return redirect(request, "/password", "The two new passwords differ.", "error")
    keep = token_digest(request.cookies.get(SESSION_COOKIE, ""))
    try:
        with rt.db.transaction() as session:
            checked = authenticate(session, me.user.username, current, allow_demo=rt.settings.demo)
            if checked is None or checked.id != me.user.id:
                raise AmazonJobsError("the current password is wrong")
            ended = user_admin.set_password(session, checked, new, keep_session=keep)
    except AmazonJobsError as exc:
        return redirect(request, "/password", exc.message[:1].upper() + exc.message[1:], "error")
    return redirect(
        request, "/password", f"Password changed; {ended} other session(s) ended.", "ok"
    )
