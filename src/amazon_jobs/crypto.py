"""Encryption of credentials at rest, with a key from the configuration.

The key may be a Fernet key (``amazon-jobs keygen`` prints one) or any
passphrase, from which a key is derived with scrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from amazon_jobs.errors import ConfigError

__all__ = ["Cipher", "generate_key"]

_SALT = b"amazon-jobs credentials v1"


def generate_key() -> str:
    """A new random Fernet key."""
    return Fernet.generate_key().decode()


class Cipher:
    """Encrypts and decrypts credentials; its repr shows nothing secret."""

    def __init__(self, key: SecretStr | str | None) -> None:
        raw = key.get_secret_value() if isinstance(key, SecretStr) else key
        if not raw:
            raise ConfigError(
                "no secret key: set AMAZON_JOBS_SECRET_KEY (any long passphrase, or a key "
                "from `amazon-jobs keygen`) to store Amazon credentials encrypted"
            )
        self._fernet = Fernet(_fernet_key(raw))

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(token.encode()).decode())
        except InvalidToken:
            raise ConfigError(
                "stored credentials cannot be decrypted: AMAZON_JOBS_SECRET_KEY is not the "
                "key they were saved with"
            ) from None

    def __repr__(self) -> str:
        return "Cipher(key=[secure])"


@lru_cache(maxsize=8)
def _fernet_key(raw: str) -> bytes:
    try:
        if len(base64.urlsafe_b64decode(raw.encode())) == 32 and len(raw) == 44:
            return raw.encode()
    except (binascii.Error, ValueError):
        pass
    derived = hashlib.scrypt(raw.encode(), salt=_SALT, n=2**14, r=8, p=1, dklen=32)
    return base64.urlsafe_b64encode(derived)
