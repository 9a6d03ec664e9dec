"""Passwords and tokens: hashed with scrypt or SHA-256, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USER",
    "MIN_PASSWORD_LENGTH",
    "hash_password",
    "new_token",
    "token_digest",
    "verify_password",
]

_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
#: The demo's login, printed by ``amazon-jobs demo``: accepted only in demo mode
#: (a password this short is refused outside it, whoever the user).
DEMO_USER, DEMO_PASSWORD = "demo", "demo"


def hash_password(password: str) -> str:
    """A salted scrypt hash of *password*, with its parameters."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def new_token(prefix: str = "") -> str:
    """A random token (32 bytes) for a session or the API."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, so a database leak gives no tokens away."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
