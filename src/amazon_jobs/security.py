"""Passwords and tokens: argon2id (argon2-cffi) or SHA-256, compared in constant time.

Passwords hashed before argon2id (``scrypt$…``) still verify; :func:`needs_rehash`
tells the login to store the password again as argon2id once it was right.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USER",
    "MIN_PASSWORD_LENGTH",
    "hash_password",
    "needs_rehash",
    "new_token",
    "token_digest",
    "verify_password",
]

#: OWASP's argon2id settings: 19 MiB, 2 passes, 1 lane (about 30 ms a hash).
_ARGON2 = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 10
#: The demo's login, printed by ``amazon-jobs demo``: accepted only in demo mode
#: (a password this short is refused outside it, whoever the user).
DEMO_USER, DEMO_PASSWORD = "demo", "demo"


def hash_password(password: str) -> str:
    """An argon2id hash of *password*, with its salt and parameters."""
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _ARGON2.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """The hash is not argon2id with today's parameters (an scrypt hash, say)."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    """The hashes of before argon2id: ``scrypt$n$r$p$salt$digest``."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def new_token(prefix: str = "") -> str:
    """A random token (32 bytes) for a session or the API."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, so a database leak gives no tokens away."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
