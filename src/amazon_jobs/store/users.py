"""Users, browser sessions and API tokens (made in :mod:`amazon_jobs.store.api_tokens`).

A disabled user cannot log in, and their sessions and tokens stop working at
once (every request reads the user again). Managing users: :mod:`amazon_jobs.store.user_admin`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amazon_jobs.domain.roles import Role
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.security import (
    DEMO_PASSWORD,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from amazon_jobs.store.api_tokens import create_api_token
from amazon_jobs.store.models import User, WebSession

__all__ = [
    "add_user",
    "authenticate",
    "create_api_token",
    "end_session",
    "find_session",
    "prune_sessions",
    "start_session",
    "touch_session",
]


@cache
def _dummy_hash() -> str:
    """A hash to check an unknown user name against, so that it costs as much as a wrong
    password (no user enumeration by timing). Made at the first login, not at import:
    every command and worker process imports this module, and a hash takes 50 ms."""
    return hash_password("not a password of anyone")


def add_user(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    *,
    is_demo: bool = False,
    role: Role = Role.ADMIN,
) -> User:
    """A new user with *role* (the CLI and the dashboard always say which)."""
    username = username.strip()
    if not username:
        raise AmazonJobsError("the user name is empty")
    if len(password) < MIN_PASSWORD_LENGTH and not is_demo:
        raise AmazonJobsError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        username=username,
        password_hash=hash_password(password),
        created_at=now,
        is_demo=is_demo,
        role=role.value,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise AmazonJobsError(f"a user named {username!r} exists already") from None
    return user


def authenticate(
    session: Session, username: str, password: str, *, allow_demo: bool
) -> User | None:
    """The user, if the password is right.

    Outside demo mode the demo's user is refused, and so is any password shorter
    than the minimum (the demo's ``demo`` among them), whatever the database says:
    a database the demo made, or a user added around ``add_user``, lets no one in
    with the demo's well-known login.
    """
    user = session.scalars(select(User).where(User.username == username.strip())).one_or_none()
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, user.password_hash):
        return None
    if user.disabled_at is not None:
        return None
    if not allow_demo and (
        user.is_demo or len(password) < MIN_PASSWORD_LENGTH or password == DEMO_PASSWORD
    ):
        return None
    if needs_rehash(user.password_hash):  # an older scrypt hash: upgraded to argon2id
        user.password_hash = hash_password(password)
    return user


def start_session(session: Session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new browser session; returns the cookie value (only its hash is stored)."""
    token = new_token()
    session.add(
        WebSession(
            token_hash=token_digest(token),
            user_id=user.id,
            csrf_token=new_token(),
            created_at=now,
            expires_at=now + lifetime,
            last_seen_at=now,
        )
    )
    user.last_login_at = now
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return token


def find_session(
    session: Session, token: str, now: datetime, idle: timedelta | None = None
) -> tuple[WebSession, User] | None:
    """The live session of the cookie *token* and its user.

    None once the session is over: past its absolute end, or unused for *idle*.
    """
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(token), WebSession.expires_at > now)
        .where(User.disabled_at.is_(None))
    ).one_or_none()
    if found is None:
        return None
    web_session, user = found[0], found[1]
    if idle is not None and (web_session.last_seen_at or web_session.created_at) + idle <= now:
        return None
    return web_session, user


def touch_session(session: Session, token_hash: str, now: datetime) -> None:
    """The session was used at *now*: its idle time starts again."""
    session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash).values(last_seen_at=now)
    )


def prune_sessions(session: Session, now: datetime, idle: timedelta) -> int:
    """Delete the sessions that are over (past their end, or unused for *idle*)."""
    over = or_(
        WebSession.expires_at <= now,
        func.coalesce(WebSession.last_seen_at, WebSession.created_at) <= now - idle,
    )
    result = session.execute(delete(WebSession).where(over))
    return int(getattr(result, "rowcount", 0) or 0)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))
