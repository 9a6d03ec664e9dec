"""Re-encrypt every account's stored credentials (and every shop's Webservice key)
under a new secret key.

All accounts and shops change in one transaction, each row locked: if any cannot
be decrypted with the old key (or anything else fails), nothing changes and every
one stays readable with the old key.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amazon_jobs.crypto import Cipher
from amazon_jobs.store.accounts import NOT_DELETED
from amazon_jobs.store.models import Account, Shop

__all__ = ["rotate_key"]


def rotate_key(session: Session, old: Cipher, new: Cipher) -> int:
    """Move every account's secrets and every shop's key from *old* to *new*; returns
    how many accounts (a deleted account has none left: its secrets were erased).

    Raises :class:`~amazon_jobs.errors.ConfigError` (from the cipher) when an account
    is not under *old*; the caller's transaction then rolls everything back.
    """
    accounts = session.scalars(
        select(Account).where(NOT_DELETED).order_by(Account.id).with_for_update()
    )
    count = 0
    for account in accounts:
        secret = old.decrypt(account.lwa_client_secret_enc).get_secret_value()
        refresh = old.decrypt(account.refresh_token_enc).get_secret_value()
        account.lwa_client_secret_enc = new.encrypt(secret)
        account.refresh_token_enc = new.encrypt(refresh)
        count += 1
    for shop in session.scalars(select(Shop).order_by(Shop.id).with_for_update()):
        shop.key_enc = new.encrypt(old.decrypt(shop.key_enc).get_secret_value())
    session.flush()
    return count
