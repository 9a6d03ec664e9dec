"""Amazon accounts: creation, lookup and their (encrypted) credentials.

A deleted account stays (its jobs are history) but is left out of every list and
look-up here; see :mod:`amazon_jobs.store.account_status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amazon_jobs.amazon.auth import LwaCredentials
from amazon_jobs.crypto import Cipher
from amazon_jobs.domain.account_status import AccountStatus, is_deleted_name
from amazon_jobs.domain.endpoints import LWA_TOKEN_URL, REGION_ENDPOINTS
from amazon_jobs.errors import AmazonJobsError, ConfigError
from amazon_jobs.store.models import Account

__all__ = [
    "LWA_TOKEN_URL",
    "NOT_DELETED",
    "REGION_ENDPOINTS",
    "AccountChanges",
    "AccountSpec",
    "add_account",
    "credentials",
    "find_account",
    "list_accounts",
    "undecryptable",
    "update_account",
    "usable_accounts",
]

ORDERS_APIS = ("2026-01-01", "v0")


@dataclass(frozen=True)
class AccountSpec:
    """What a seller enters to add an account."""

    name: str
    seller_id: str
    region: str
    marketplace_id: str
    lwa_client_id: str
    lwa_client_secret: SecretStr
    refresh_token: SecretStr
    #: SP-API base URL; Amazon's regional endpoint when None.
    endpoint: str | None = None
    #: LWA token URL; Amazon's when None.
    lwa_token_url: str | None = None
    #: Orders API for imports: "2026-01-01" or "v0" (retired on 2027-03-27).
    orders_api: str = "2026-01-01"

    def __repr__(self) -> str:
        return f"AccountSpec(name={self.name!r}, seller_id={self.seller_id!r})"


def add_account(session: Session, spec: AccountSpec, cipher: Cipher, now: datetime) -> Account:
    _check_name(spec.name)
    region = spec.region.lower()
    if region not in REGION_ENDPOINTS:
        raise AmazonJobsError(f"unknown region {spec.region!r}: use na, eu or fe")
    if spec.orders_api not in ORDERS_APIS:
        raise AmazonJobsError(f"unknown orders API {spec.orders_api!r}: use 2026-01-01 or v0")
    account = Account(
        name=spec.name,
        seller_id=spec.seller_id,
        region=region,
        marketplace_id=spec.marketplace_id,
        endpoint=(spec.endpoint or REGION_ENDPOINTS[region]).rstrip("/"),
        lwa_token_url=spec.lwa_token_url or LWA_TOKEN_URL,
        lwa_client_id=spec.lwa_client_id,
        lwa_client_secret_enc=cipher.encrypt(spec.lwa_client_secret.get_secret_value()),
        refresh_token_enc=cipher.encrypt(spec.refresh_token.get_secret_value()),
        created_at=now,
        orders_api=spec.orders_api,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError:
        raise AmazonJobsError(f"an account named {spec.name!r} exists already") from None
    return account


@dataclass(frozen=True)
class AccountChanges:
    """What may change on an account; None leaves a value as it is."""

    name: str | None = None
    marketplace_id: str | None = None
    endpoint: str | None = None
    lwa_token_url: str | None = None
    orders_api: str | None = None
    lwa_client_id: str | None = None
    lwa_client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None

    def __repr__(self) -> str:
        return f"AccountChanges(name={self.name!r}, endpoint={self.endpoint!r})"


def update_account(
    session: Session, account: Account, changes: AccountChanges, cipher: Cipher
) -> Account:
    """Apply *changes* to *account*; secrets are encrypted before they are stored."""
    if changes.orders_api is not None and changes.orders_api not in ORDERS_APIS:
        raise AmazonJobsError(f"unknown orders API {changes.orders_api!r}: use 2026-01-01 or v0")
    if changes.name is not None and changes.name != account.name:
        _check_name(changes.name)
    for column in ("name", "marketplace_id", "orders_api", "lwa_client_id"):
        value = getattr(changes, column)
        if value is not None:
            setattr(account, column, value)
    if changes.endpoint is not None:
        account.endpoint = changes.endpoint.rstrip("/")
    if changes.lwa_token_url is not None:
        account.lwa_token_url = changes.lwa_token_url
    if changes.lwa_client_secret is not None:
        account.lwa_client_secret_enc = cipher.encrypt(changes.lwa_client_secret.get_secret_value())
    if changes.refresh_token is not None:
        account.refresh_token_enc = cipher.encrypt(changes.refresh_token.get_secret_value())
    try:
        session.flush()
    except IntegrityError:
        raise AmazonJobsError(f"an account named {changes.name!r} exists already") from None
    return account


def _check_name(name: str) -> None:
    if is_deleted_name(name):
        raise AmazonJobsError(
            f"the name {name!r} is of the form kept for deleted accounts: choose another"
        )


#: Accounts that were not deleted: the ones lists, pickers and look-ups show.
NOT_DELETED = Account.status != AccountStatus.DELETED.value


def find_account(
    session: Session, name_or_id: str | int, *, include_deleted: bool = False
) -> Account:
    """The account with that name (or numeric id); a deleted one only if asked for
    (to read its jobs: it is found under its new name, ``<name> (deleted #<id>)``)."""
    query = select(Account).where(Account.name == str(name_or_id))
    account = session.scalars(query).one_or_none()
    if account is None and str(name_or_id).isdecimal() and int(name_or_id) < 2**63:
        account = session.get(Account, int(name_or_id))
    if account is not None and account.status == AccountStatus.DELETED and not include_deleted:
        account = None
    if account is None:
        raise AmazonJobsError(
            f"no account {name_or_id!r}: see `amazon-jobs accounts list`, or add one with "
            "`amazon-jobs accounts add`"
        )
    return account


def list_accounts(session: Session) -> list[Account]:
    """Every account but the deleted ones, by name."""
    return list(session.scalars(select(Account).where(NOT_DELETED).order_by(Account.name)))


def usable_accounts(session: Session) -> list[Account]:
    """The active accounts, by name: those whose jobs are created and run."""
    query = select(Account).where(Account.status == AccountStatus.ACTIVE.value)
    return list(session.scalars(query.order_by(Account.name)))


def credentials(account: Account, cipher: Cipher) -> LwaCredentials:
    return LwaCredentials(
        token_url=account.lwa_token_url,
        client_id=account.lwa_client_id,
        client_secret=cipher.decrypt(account.lwa_client_secret_enc),
        refresh_token=cipher.decrypt(account.refresh_token_enc),
    )


def undecryptable(session: Session, cipher: Cipher) -> list[str]:
    """Names of the accounts whose credentials *cipher* cannot decrypt (another key's)."""
    names = []
    for account in list_accounts(session):
        try:
            credentials(account, cipher)
        except ConfigError:
            names.append(account.name)
    return names
