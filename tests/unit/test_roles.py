"""Roles, token scopes and taking access away, in the store: SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from amazon_jobs.domain.roles import Role, allows, narrowest, parse_role
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store import migrate, user_admin
from amazon_jobs.store.api_tokens import list_tokens, revoke_token, token_grant
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import ApiToken, User, WebSession
from amazon_jobs.store.users import (
    add_user,
    authenticate,
    create_api_token,
    find_session,
    start_session,
)

PASSWORD = "a long password 123"
LIFETIME = timedelta(hours=2)


def test_the_roles_are_ordered():
    assert allows(Role.ADMIN, Role.OPERATOR) and allows(Role.OPERATOR, Role.VIEWER)
    assert not allows(Role.VIEWER, Role.OPERATOR) and not allows(Role.OPERATOR, Role.ADMIN)
    assert narrowest(Role.ADMIN, Role.VIEWER, Role.OPERATOR) is Role.VIEWER
    assert parse_role(" Admin ") is Role.ADMIN and parse_role("root") is None


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


def real_now() -> datetime:
    return datetime.now(UTC)


def test_a_token_is_never_wider_than_its_user(db, clock):
    with db.transaction() as session:
        user = add_user(session, "op", PASSWORD, clock.now(), role=Role.OPERATOR)
        with pytest.raises(AmazonJobsError, match=r"cannot have the admin scope.*only operator"):
            create_api_token(session, user, "t", clock.now(), scope=Role.ADMIN)
        token = create_api_token(session, user, "t", clock.now(), scope=Role.VIEWER)
        default = create_api_token(session, user, "t2", clock.now())
    with db.transaction() as session:
        assert token_grant(session, token, real_now()).role is Role.VIEWER
        assert token_grant(session, default, real_now()).role is Role.OPERATOR


def test_a_token_acts_with_its_users_role_now(db, clock):
    with db.transaction() as session:
        add_user(session, "root", PASSWORD, clock.now())  # an admin stays
        user = add_user(session, "alice", PASSWORD, clock.now(), role=Role.ADMIN)
        token = create_api_token(session, user, "t", clock.now(), scope=Role.ADMIN)
    with db.transaction() as session:
        user_admin.set_role(session, user_admin.user_named(session, "alice"), Role.VIEWER)
    with db.transaction() as session:
        assert token_grant(session, token, real_now()).role is Role.VIEWER
        user_admin.set_role(session, user_admin.user_named(session, "alice"), Role.ADMIN)
    with db.transaction() as session:
        assert token_grant(session, token, real_now()).role is Role.ADMIN


def test_expired_revoked_and_disabled_tokens_are_refused(db, clock):
    now = real_now()
    with db.transaction() as session:
        add_user(session, "root", PASSWORD, clock.now())
        user = add_user(session, "bob", PASSWORD, clock.now(), role=Role.OPERATOR)
        with pytest.raises(AmazonJobsError, match="in the future"):
            create_api_token(session, user, "t", now, expires_at=now - timedelta(seconds=1))
        soon = create_api_token(session, user, "soon", now, expires_at=now + timedelta(hours=1))
        revoked = create_api_token(session, user, "revoked", now)
        kept = create_api_token(session, user, "kept", now)
    with db.transaction() as session:
        assert token_grant(session, soon, now) is not None
        assert token_grant(session, soon, now + timedelta(hours=1)) is None  # at its expiry
        revoked_id = token_grant(session, revoked, now).token_id
        assert revoke_token(session, revoked_id, now)
        assert not revoke_token(session, revoked_id, now)  # once
    with db.transaction() as session:
        assert token_grant(session, revoked, now) is None
        assert token_grant(session, kept, now).role is Role.OPERATOR
        user_admin.disable_user(session, user_admin.user_named(session, "bob"), clock.now())
    with db.transaction() as session:
        assert token_grant(session, kept, now) is None
        assert token_grant(session, soon, now) is None
        user_admin.enable_user(user_admin.user_named(session, "bob"))
    with db.transaction() as session:
        assert token_grant(session, kept, now) is not None
        states = {t.name: t.revoked_at is not None for t, _ in list_tokens(session)}
    assert states == {"soon": False, "revoked": True, "kept": False}


def test_disabling_ends_sessions_and_logins(db, clock):
    with db.transaction() as session:
        add_user(session, "root", PASSWORD, clock.now())
        user = add_user(session, "carol", PASSWORD, clock.now(), role=Role.VIEWER)
        cookie = start_session(session, user, clock.now(), LIFETIME)
    with db.transaction() as session:
        assert find_session(session, cookie, clock.now()) is not None
        user_admin.disable_user(session, user_admin.user_named(session, "carol"), clock.now())
    with db.transaction() as session:
        assert find_session(session, cookie, clock.now()) is None
        assert authenticate(session, "carol", PASSWORD, allow_demo=False) is None
        user_admin.enable_user(user_admin.user_named(session, "carol"))
    with db.transaction() as session:
        assert find_session(session, cookie, clock.now()) is None  # ended, not paused
        assert authenticate(session, "carol", PASSWORD, allow_demo=False) is not None


def test_a_disabled_users_session_is_refused_even_if_its_row_survives(db, clock):
    """find_session reads the user on every request: the state, not the cleanup, decides."""
    with db.transaction() as session:
        user = add_user(session, "dave", PASSWORD, clock.now())
        cookie = start_session(session, user, clock.now(), LIFETIME)
        session.execute(sa.update(User).values(disabled_at=clock.now()))
    with db.read() as session:
        assert find_session(session, cookie, clock.now()) is None


def test_a_new_password_ends_the_other_sessions(db, clock):
    with db.transaction() as session:
        user = add_user(session, "erin", PASSWORD, clock.now())
        here = start_session(session, user, clock.now(), LIFETIME)
        there = start_session(session, user, clock.now(), LIFETIME)
        kept = find_session(session, here, clock.now())[0].token_hash
        with pytest.raises(AmazonJobsError, match="at least 10"):
            user_admin.set_password(session, user, "short")
        assert user_admin.set_password(session, user, "another long password", kept) == 1
    with db.transaction() as session:
        assert find_session(session, here, clock.now()) is not None
        assert find_session(session, there, clock.now()) is None
        assert authenticate(session, "erin", PASSWORD, allow_demo=False) is None
        assert authenticate(session, "erin", "another long password", allow_demo=False)
        user = user_admin.user_named(session, "erin")
        assert user_admin.set_password(session, user, "a third long password") == 1
        assert user_admin.end_sessions(session, user) == 0


def test_deleting_a_user_takes_their_tokens_and_sessions(db, clock):
    with db.transaction() as session:
        add_user(session, "root", PASSWORD, clock.now())
        user = add_user(session, "frank", PASSWORD, clock.now(), role=Role.OPERATOR)
        token = create_api_token(session, user, "t", clock.now())
        cookie = start_session(session, user, clock.now(), LIFETIME)
    with db.transaction() as session:
        user_admin.delete_user(session, user_admin.user_named(session, "frank"))
    with db.transaction() as session:
        assert token_grant(session, token, real_now()) is None
        assert find_session(session, cookie, clock.now()) is None
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
        with pytest.raises(AmazonJobsError, match="no user 'frank'"):
            user_admin.user_named(session, "frank")


def test_there_is_always_an_enabled_admin(db, clock):
    with db.transaction() as session:
        assert user_admin.default_role(session) is Role.ADMIN
        root = add_user(session, "root", PASSWORD, clock.now(), role=Role.ADMIN)
        assert user_admin.default_role(session) is Role.OPERATOR
        for act in (
            lambda: user_admin.set_role(session, root, Role.OPERATOR),
            lambda: user_admin.disable_user(session, root, clock.now()),
            lambda: user_admin.delete_user(session, root),
        ):
            with pytest.raises(AmazonJobsError, match="last enabled admin"):
                act()
        other = add_user(session, "other", PASSWORD, clock.now(), role=Role.ADMIN)
        user_admin.disable_user(session, other, clock.now())
        with pytest.raises(AmazonJobsError, match="last enabled admin"):
            user_admin.delete_user(session, root)  # the other admin is disabled
        user_admin.enable_user(other)
        user_admin.set_role(session, root, Role.VIEWER)
        assert root.role == "viewer"


def test_existing_users_and_tokens_become_admin_in_the_migration(tmp_path, clock):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(db, "0007")
    now = clock.now()
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, username, password_hash, created_at, is_demo) "
                "VALUES (1, 'old', 'x', :now, false)"
            ),
            {"now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) "
                "VALUES (1, 1, 'old', :hash, :now)"
            ),
            {"hash": "0" * 64, "now": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, "
                "expires_at) VALUES (:hash, 1, 'c', :now, :now)"
            ),
            {"hash": "1" * 64, "now": now},
        )
    migrate.upgrade(db)
    with db.read() as session:
        user = session.scalars(select(User)).one()
        token = session.scalars(select(ApiToken)).one()
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
    assert (user.role, user.disabled_at) == ("admin", None)
    assert (token.scope, token.expires_at, token.revoked_at) == ("admin", None, None)
    db.dispose()
