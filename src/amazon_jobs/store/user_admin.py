"""Managing users: roles, disabling, deleting, passwords, ending sessions.

Taking access away takes effect at once: a disabled or deleted user's
sessions are deleted, and their tokens are refused on the next request (a
deleted user's tokens go with them). Jobs keep no link to users, so deleting a
user loses no history. There is always an enabled admin: the last one cannot
be disabled, deleted or given a narrower role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from amazon_jobs.domain.roles import Role
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.security import MIN_PASSWORD_LENGTH, hash_password
from amazon_jobs.store.models import ApiToken, User, WebSession

__all__ = [
    "UserRow",
    "default_role",
    "delete_user",
    "disable_user",
    "enable_user",
    "end_sessions",
    "list_users",
    "set_password",
    "set_role",
    "user_by_id",
    "user_named",
]


@dataclass(frozen=True)
class UserRow:
    """A user with how many sessions and live tokens they have."""

    user: User
    sessions: int
    tokens: int


def list_users(session: Session) -> list[UserRow]:
    sessions = _counts(session, select(WebSession.user_id, func.count()))
    tokens = _counts(
        session, select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
    )
    users = session.scalars(select(User).order_by(User.username))
    return [UserRow(u, sessions.get(u.id, 0), tokens.get(u.id, 0)) for u in users]


def _counts(session: Session, query: Select[int, int]) -> dict[int, int]:
    """{user id: count} of *query*, grouped by its first column."""
    grouped = query.group_by(query.selected_columns[0])
    return {int(user_id): int(count) for user_id, count in session.execute(grouped)}


def user_named(session: Session, username: str) -> User:
    found = session.scalars(select(User).where(User.username == username.strip())).one_or_none()
    if found is None:
        raise AmazonJobsError(f"no user {username!r} (see `amazon-jobs users list`)")
    return found


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def default_role(session: Session) -> Role:
    """The role of a new user nobody chose one for: admin for the installation's first
    (while no enabled admin exists, someone must be able to administer), else operator."""
    return Role.OPERATOR if _enabled_admins(session) else Role.ADMIN


def set_role(session: Session, user: User, role: Role) -> None:
    if role is not Role.ADMIN:
        _keep_an_admin(session, user, f"give {user.username!r} the {role} role")
    user.role = role.value


def disable_user(session: Session, user: User, now: datetime) -> None:
    """No more logins; their sessions end now and their tokens are refused."""
    _keep_an_admin(session, user, f"disable {user.username!r}")
    if user.disabled_at is None:
        user.disabled_at = now
    end_sessions(session, user)


def enable_user(user: User) -> None:
    user.disabled_at = None


def delete_user(session: Session, user: User) -> None:
    """The user, their sessions and their tokens go; jobs stay (they name no user)."""
    _keep_an_admin(session, user, f"delete {user.username!r}")
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.delete(user)
    session.flush()


def set_password(
    session: Session, user: User, password: str, keep_session: str | None = None
) -> int:
    """A new password; every session of the user but *keep_session* (a token hash)
    ends. Returns how many ended."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AmazonJobsError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    return end_sessions(session, user, keep=keep_session)


def end_sessions(session: Session, user: User, keep: str | None = None) -> int:
    """Log *user* out everywhere (but the session whose token hash is *keep*)."""
    query = delete(WebSession).where(WebSession.user_id == user.id)
    if keep is not None:
        query = query.where(WebSession.token_hash != keep)
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def _enabled_admins(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(User.id).where(User.role == Role.ADMIN.value, User.disabled_at.is_(None))
        )
    )


def _keep_an_admin(session: Session, user: User, what: str) -> None:
    if user.role == Role.ADMIN.value and _enabled_admins(session) == [user.id]:
        raise AmazonJobsError(
            f"cannot {what}: they are the last enabled admin (make another user admin first)"
        )
