"""API tokens: created with a scope and an optional expiry, listed, revoked.

A token is shown once; only its SHA-256 is kept. It works while it is not
revoked, not past its expiry and its user is not disabled (a deleted user's
tokens are deleted with them), and it acts with the narrower of its scope and
its user's role *now* (:class:`TokenGrant`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.roles import Role, allows, narrowest
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.security import new_token, token_digest
from amazon_jobs.store.models import ApiToken, User

__all__ = [
    "TokenGrant",
    "create_api_token",
    "list_tokens",
    "revoke_token",
    "token_grant",
]


@dataclass(frozen=True)
class TokenGrant:
    """A valid token's user and the role it acts with."""

    user: User
    role: Role
    token_id: int


def create_api_token(
    session: Session,
    user: User,
    name: str,
    now: datetime,
    *,
    scope: Role | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A new API token for *user*; returned once, only its hash is stored.

    *scope* defaults to the user's role and may not be wider; *expires_at*, if
    given, must be in the future.
    """
    role = Role(user.role)
    scope = scope or role
    if not allows(role, scope):
        raise AmazonJobsError(
            f"a token cannot have the {scope} scope: its user {user.username!r} is only "
            f"{role} (a token's scope is never wider than its user's role)"
        )
    if user.disabled_at is not None:
        raise AmazonJobsError(f"the user {user.username!r} is disabled: enable them first")
    if expires_at is not None and expires_at <= now:
        raise AmazonJobsError("the token's expiry must be in the future")
    token = new_token("aj_")
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_digest(token),
            created_at=now,
            scope=scope.value,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token


def token_grant(session: Session, token: str, now: datetime) -> TokenGrant | None:
    """What *token* may do at *now*; None if it is unknown, revoked, expired or its
    user disabled. Marks the token used."""
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == token_digest(token),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            User.disabled_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    api_token, user = row[0], row[1]
    api_token.last_used_at = now
    return TokenGrant(user, narrowest(Role(api_token.scope), Role(user.role)), api_token.id)


def list_tokens(session: Session, user_id: int | None = None) -> list[tuple[ApiToken, User]]:
    """Every token (of one user), newest first, with its user."""
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    rows = session.execute(query.order_by(ApiToken.id.desc())).all()
    return [(row[0], row[1]) for row in rows]


def revoke_token(
    session: Session, token_id: int, now: datetime, user_id: int | None = None
) -> bool:
    """Revoke a token (of *user_id*, when given); False if there is no such live token."""
    query = update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    result = session.execute(query.values(revoked_at=now))
    return bool(getattr(result, "rowcount", 0))
