"""Shops: creation, look-up, changes, their (encrypted) Webservice key, linked accounts.

The key is stored encrypted with the configured secret key, like an account's
LWA secrets; only :func:`shop_key` decrypts it, for the connector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amazon_jobs.crypto import Cipher
from amazon_jobs.domain.account_status import AccountStatus
from amazon_jobs.errors import AmazonJobsError
from amazon_jobs.store.models import Account, Shop

__all__ = [
    "SHOP_KINDS",
    "SHOP_STATUSES",
    "ShopChanges",
    "ShopSpec",
    "add_shop",
    "find_shop",
    "job_account_id",
    "link_account",
    "linked_accounts",
    "list_shops",
    "shop_key",
    "update_shop",
]

SHOP_KINDS = ("prestashop",)
SHOP_STATUSES = ("active", "disabled")


@dataclass(frozen=True)
class ShopSpec:
    """What a seller enters to add a shop."""

    name: str
    url: str
    key: SecretStr
    kind: str = "prestashop"

    def __repr__(self) -> str:
        return f"ShopSpec(name={self.name!r}, url={self.url!r})"


@dataclass(frozen=True)
class ShopChanges:
    """What may change on a shop; None leaves a value as it is."""

    name: str | None = None
    url: str | None = None
    key: SecretStr | None = None
    status: str | None = None

    def __repr__(self) -> str:
        return f"ShopChanges(name={self.name!r}, url={self.url!r}, status={self.status!r})"


def add_shop(session: Session, spec: ShopSpec, cipher: Cipher, now: datetime) -> Shop:
    if spec.kind not in SHOP_KINDS:
        raise AmazonJobsError(f"unknown shop kind {spec.kind!r}: use {', '.join(SHOP_KINDS)}")
    _check_name(spec.name)
    shop = Shop(
        name=spec.name.strip(),
        kind=spec.kind,
        url=spec.url.strip().rstrip("/"),
        key_enc=cipher.encrypt(_key(spec.key)),
        status="active",
        settings={},
        created_at=now,
        updated_at=now,
    )
    session.add(shop)
    try:
        session.flush()
    except IntegrityError:
        raise AmazonJobsError(f"a shop named {spec.name!r} exists already") from None
    return shop


def update_shop(
    session: Session, shop: Shop, changes: ShopChanges, cipher: Cipher, now: datetime
) -> Shop:
    """Apply *changes*; a new key is encrypted before it is stored."""
    if changes.status is not None and changes.status not in SHOP_STATUSES:
        raise AmazonJobsError(f"unknown shop status {changes.status!r}: use active or disabled")
    if changes.name is not None:
        _check_name(changes.name)
        shop.name = changes.name.strip()
    if changes.url is not None:
        shop.url = changes.url.strip().rstrip("/")
    if changes.key is not None:
        shop.key_enc = cipher.encrypt(_key(changes.key))
    if changes.status is not None:
        shop.status = changes.status
    shop.updated_at = now
    try:
        session.flush()
    except IntegrityError:
        raise AmazonJobsError(f"a shop named {changes.name!r} exists already") from None
    return shop


def _check_name(name: str) -> None:
    if not name.strip() or len(name.strip()) > 100:
        raise AmazonJobsError("a shop's name has 1 to 100 characters")


def _key(key: SecretStr) -> str:
    text = key.get_secret_value().strip()
    if not text:
        raise AmazonJobsError("the Webservice key is empty")
    if len(text) != 32 or not text.isalnum():
        raise AmazonJobsError(
            "a PrestaShop Webservice key has 32 letters and digits: copy it from the back "
            "office (Advanced Parameters > Webservice)"
        )
    return text


def find_shop(session: Session, name_or_id: str | int) -> Shop:
    """The shop with that name (or numeric id)."""
    shop = session.scalars(select(Shop).where(Shop.name == str(name_or_id))).one_or_none()
    if shop is None and str(name_or_id).isdecimal() and int(name_or_id) < 2**63:
        shop = session.get(Shop, int(name_or_id))
    if shop is None:
        raise AmazonJobsError(
            f"no shop {name_or_id!r}: see `amazon-jobs shops list`, or add one with "
            "`amazon-jobs shops add prestashop`"
        )
    return shop


def list_shops(session: Session) -> list[Shop]:
    return list(session.scalars(select(Shop).order_by(Shop.name)))


def shop_key(shop: Shop, cipher: Cipher) -> str:
    """The Webservice key in clear: for the connector's calls to the shop only."""
    return cipher.decrypt(shop.key_enc).get_secret_value()


def link_account(session: Session, account: Account, shop: Shop | None) -> None:
    """Make *shop* the account's shop (None: the manual shop, the CSV/API catalog)."""
    account.shop_id = shop.id if shop is not None else None
    session.flush()


def linked_accounts(session: Session, shop_id: int) -> list[Account]:
    """The accounts (not deleted) linked to the shop, by id."""
    query = select(Account).where(
        Account.shop_id == shop_id, Account.status != AccountStatus.DELETED.value
    )
    return list(session.scalars(query.order_by(Account.id)))


def job_account_id(session: Session, shop_id: int) -> int | None:
    """The account a shop's jobs are attached to: its first active linked account
    (lowest id). Jobs need an account; None when no active account is linked."""
    return session.scalar(
        select(Account.id)
        .where(Account.shop_id == shop_id, Account.status == AccountStatus.ACTIVE.value)
        .order_by(Account.id)
        .limit(1)
    )
