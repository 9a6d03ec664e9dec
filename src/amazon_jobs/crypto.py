"""Encryption of credentials at rest, with a key from the configuration.

The key must be random, as ``amazon-jobs keygen`` prints it: a Fernet key (32
random bytes, URL-safe base64), or at least 32 random bytes written as base64
or hex (``openssl rand -base64 32``), which are used through HKDF-SHA256.
Anything else, a short word or a passphrase, is refused with a clear error:
no key is derived from a password any more, so there is no salt to share
between installations.

Installations whose credentials were saved under a passphrase (derived with
scrypt and one fixed salt, before this rule) keep their data: the passphrase
is still read by ``amazon-jobs keys rotate`` (:func:`legacy_cipher`), which
re-encrypts everything under a new key (:mod:`amazon_jobs.store.key_rotation`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

from amazon_jobs.errors import ConfigError

__all__ = ["KEY_FORMAT", "Cipher", "generate_key", "is_valid_key", "legacy_cipher"]

#: The salt of the scrypt derivation of passphrases, before keys had to be random.
_LEGACY_SALT = b"amazon-jobs credentials v1"
_MIN_KEY_BYTES = 32
#: Decrypted values a cipher keeps (two per account: client secret, refresh token).
_KEPT_VALUES = 4096
#: 32 random bytes have about 30 different values; a key with fewer than this is not random.
_MIN_DISTINCT_BYTES = 16
KEY_FORMAT = (
    "a key from `amazon-jobs keygen` (a Fernet key), or at least 32 random bytes "
    "as base64 or hex (`openssl rand -base64 32`)"
)


def generate_key() -> str:
    """A new random Fernet key."""
    return Fernet.generate_key().decode()


def is_valid_key(raw: str) -> bool:
    return _key_bytes(raw.strip()) is not None


class Cipher:
    """Encrypts and decrypts credentials; its repr shows nothing secret."""

    def __init__(self, key: SecretStr | str | None) -> None:
        raw = (key.get_secret_value() if isinstance(key, SecretStr) else key or "").strip()
        if not raw:
            raise ConfigError(
                f"no secret key: set AMAZON_JOBS_SECRET_KEY to {KEY_FORMAT} "
                "to store Amazon credentials encrypted"
            )
        self._fernet = Fernet(_fernet_key(raw))
        self._plain: dict[str, SecretStr] = {}

    @classmethod
    def _of_fernet(cls, fernet: Fernet) -> Cipher:
        cipher = cls.__new__(cls)
        cipher._fernet = fernet
        cipher._plain = {}
        return cipher

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> SecretStr:
        """The value of *token*. A worker decrypts its accounts' credentials at every
        step: the values of the last tokens seen are kept (in memory only)."""
        known = self._plain.get(token)
        if known is not None:
            return known
        try:
            value = SecretStr(self._fernet.decrypt(token.encode()).decode())
        except InvalidToken:
            raise ConfigError(
                "stored credentials cannot be decrypted: AMAZON_JOBS_SECRET_KEY is not the "
                "key they were saved with"
            ) from None
        if len(self._plain) >= _KEPT_VALUES:
            self._plain.clear()
        self._plain[token] = value
        return value

    def __repr__(self) -> str:
        return "Cipher(key=[secure])"


def legacy_cipher(passphrase: SecretStr | str) -> Cipher:
    """The cipher of a passphrase as keys were derived before they had to be random
    (scrypt, one fixed salt): only to read old credentials and rotate them away."""
    raw = passphrase.get_secret_value() if isinstance(passphrase, SecretStr) else passphrase
    derived = hashlib.scrypt(raw.encode(), salt=_LEGACY_SALT, n=2**14, r=8, p=1, dklen=32)
    return Cipher._of_fernet(Fernet(base64.urlsafe_b64encode(derived)))


@lru_cache(maxsize=8)
def _fernet_key(raw: str) -> bytes:
    key = _key_bytes(raw)
    if key is None:
        raise ConfigError(
            f"AMAZON_JOBS_SECRET_KEY is not {KEY_FORMAT}: create one with "
            "`amazon-jobs keygen`. Passphrases are not accepted any more; credentials "
            "saved under one are moved to a new key with `amazon-jobs keys rotate` "
            "(see the README)"
        )
    if len(key) != _MIN_KEY_BYTES:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"amazon-jobs credentials v2"
        ).derive(key)
    return base64.urlsafe_b64encode(key)


def _key_bytes(raw: str) -> bytes | None:
    """The random bytes *raw* encodes (URL-safe or standard base64, or hex), if enough."""
    for decode in (_hex, _b64url, _b64):
        key = decode(raw)
        if key is not None and len(key) >= _MIN_KEY_BYTES and len(set(key)) >= _MIN_DISTINCT_BYTES:
            return key
    return None


def _hex(raw: str) -> bytes | None:
    try:
        return bytes.fromhex(raw)
    except ValueError:
        return None


def _b64url(raw: str) -> bytes | None:
    try:
        padded = raw.encode("ascii") + b"=" * (-len(raw) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def _b64(raw: str) -> bytes | None:
    try:
        return base64.b64decode(raw.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
