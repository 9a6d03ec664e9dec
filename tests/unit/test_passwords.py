"""Passwords: argon2id; hashes of before (scrypt) still verify and are upgraded."""

from __future__ import annotations

import base64
import hashlib
import secrets

from sqlalchemy import select

from amazon_jobs.security import hash_password, needs_rehash, verify_password
from amazon_jobs.store.database import Database
from amazon_jobs.store.models import User
from amazon_jobs.store.users import add_user, authenticate
from tests.conftest import T0

PASSWORD = "a long password 123"


def scrypt_hash(password: str) -> str:
    """A hash as amazon-jobs stored them before argon2id."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"scrypt${2**14}$8$1${b64(salt)}${b64(digest)}"


def test_new_hashes_are_argon2id():
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert verify_password(PASSWORD, stored) and not verify_password("wrong", stored)
    assert not needs_rehash(stored)
    for broken in ("", "$argon2id$nonsense", "scrypt$x", "plain"):
        assert not verify_password(PASSWORD, broken)


def test_an_scrypt_hash_verifies_and_is_upgraded_on_the_next_login(sqlite_url):
    db = Database(sqlite_url)
    with db.transaction() as session:
        user = add_user(session, "seller", PASSWORD, T0)
        user.password_hash = scrypt_hash(PASSWORD)
    # A wrong password changes nothing.
    with db.transaction() as session:
        assert authenticate(session, "seller", "wrong password!", allow_demo=False) is None
    with db.read() as session:
        assert session.scalars(select(User.password_hash)).one().startswith("scrypt$")
    with db.transaction() as session:
        assert authenticate(session, "seller", PASSWORD, allow_demo=False) is not None
    with db.read() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$") and verify_password(PASSWORD, stored)
    with db.transaction() as session:
        assert authenticate(session, "seller", PASSWORD, allow_demo=False) is not None
    db.dispose()
