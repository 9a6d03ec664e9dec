"""Amazon accounts. Secrets are write-only: sent on create or update, never answered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr

from amazon_jobs.account_channel import account_setting, effective_channel
from amazon_jobs.domain.channels import Channel
from amazon_jobs.domain.endpoints import is_custom
from amazon_jobs.store.accounts import AccountChanges, AccountSpec
from amazon_jobs.store.models import Account
from amazon_jobs.web.api.schemas.common import Input, text

__all__ = [
    "AccountCreate",
    "AccountDeleted",
    "AccountPublic",
    "AccountUpdate",
    "AccountsPublic",
    "ConnectionTest",
]

URL_PATTERN = r"^https?://[^\s\x00]+$"

Name = Annotated[str, text(100, description="A unique name for the account")]
MarketplaceId = Annotated[str, text(20, description="e.g. ATVPDKIKX0DER (US)")]
Url = Annotated[str, Field(min_length=8, max_length=300, pattern=URL_PATTERN)]
OrdersApi = Literal["2026-01-01", "v0"]
Secret = Annotated[SecretStr, Field(min_length=1, max_length=2000)]
CHANNEL = (
    "How the account's listings jobs reach Amazon: auto (the faster, per job, from the live "
    "quotas), feed (the JSON listings feed) or listings-api (the Listings Items API); null: "
    "the installation's channel setting. A job can be forced either way (POST /jobs with "
    "channel)"
)


class AccountCreate(Input):
    name: Name
    seller_id: Annotated[str, text(40, description="The seller (merchant) id, e.g. A2EXAMPLE")]
    region: Literal["na", "eu", "fe"] = "na"
    marketplace_id: MarketplaceId
    lwa_client_id: Annotated[str, text(200, description="LWA client id of the application")]
    lwa_client_secret: Secret
    refresh_token: Secret
    endpoint: Url | None = Field(default=None, description="SP-API URL; Amazon's by default")
    lwa_token_url: Url | None = Field(default=None, description="LWA token URL; Amazon's")
    orders_api: OrdersApi = "2026-01-01"
    channel: Channel | None = Field(default=None, description=CHANNEL)

    def spec(self) -> AccountSpec:
        return AccountSpec(
            name=self.name,
            seller_id=self.seller_id,
            region=self.region,
            marketplace_id=self.marketplace_id,
            lwa_client_id=self.lwa_client_id,
            lwa_client_secret=self.lwa_client_secret,
            refresh_token=self.refresh_token,
            endpoint=self.endpoint,
            lwa_token_url=self.lwa_token_url,
            orders_api=self.orders_api,
        )


class AccountUpdate(Input):
    """Only the fields sent change; the secrets are replaced when given.

    A new ``endpoint`` or ``lwa_token_url`` needs ``lwa_client_secret`` and
    ``refresh_token`` in the same request (else 422): the stored secrets are
    never sent to a new address.
    """

    name: Name | None = None
    marketplace_id: MarketplaceId | None = None
    endpoint: Url | None = None
    lwa_token_url: Url | None = None
    orders_api: OrdersApi | None = None
    lwa_client_id: Annotated[str, text(200)] | None = None
    lwa_client_secret: Secret | None = None
    refresh_token: Secret | None = None
    channel: Channel | None = Field(
        default=None, description=CHANNEL + "; left out: unchanged, null: back to the default"
    )

    def changes(self) -> AccountChanges:
        return AccountChanges(
            name=self.name,
            marketplace_id=self.marketplace_id,
            endpoint=self.endpoint,
            lwa_token_url=self.lwa_token_url,
            orders_api=self.orders_api,
            lwa_client_id=self.lwa_client_id,
            lwa_client_secret=self.lwa_client_secret,
            refresh_token=self.refresh_token,
        )


class AccountPublic(BaseModel):
    """An account without its secrets."""

    id: int
    name: str
    seller_id: str
    region: str
    marketplace_id: str
    endpoint: str
    lwa_token_url: str
    lwa_client_id: str
    orders_api: str
    created_at: datetime
    orders_imported_until: datetime | None
    inventory_snapshot_id: int | None = Field(
        description="The Inventory Report job whose rows are the current inventory"
    )
    custom_endpoint: bool = Field(
        description="The endpoint or the LWA token URL is not Amazon's own (the simulator, a "
        "test double); such an account is called only where the server allows custom endpoints"
    )
    status: Literal["active", "paused", "disabled"] = Field(
        description="Only an active account's jobs are created and run; a paused or disabled "
        "one's queued jobs wait until it is resumed or enabled"
    )
    status_reason: str | None = Field(
        description="Why it is not active, e.g. paused after 3 refused logins in a row"
    )
    status_changed_at: datetime | None
    auth_failures: int = Field(
        description="Logins Amazon refused in a row (reset by one that works); at "
        "auth_failures_before_pause the account is paused"
    )
    shop_id: int | None = Field(
        description="The shop its catalog comes from (PUT /accounts/{id}/shop); null: the "
        "manual shop, the CSV/API catalog"
    )
    channel: Channel | None = Field(description=CHANNEL)
    channel_effective: Channel = Field(
        description="The setting the worker goes by: channel, or the installation's if null"
    )

    @classmethod
    def of(cls, account: Account, default_channel: Channel) -> AccountPublic:
        """*account* as answered; *default_channel* is the installation's setting."""
        computed = ("custom_endpoint", "channel", "channel_effective")
        stored = {name: getattr(account, name) for name in cls.model_fields if name not in computed}
        stored["custom_endpoint"] = is_custom(account.endpoint, account.lwa_token_url)
        stored["channel"] = account_setting(account)
        stored["channel_effective"] = effective_channel(account, default_channel)
        return cls.model_validate(stored)


class AccountsPublic(BaseModel):
    items: list[AccountPublic]


class AccountDeleted(BaseModel):
    """A deleted account: its jobs stay, under ``name`` (the old name is free again)."""

    id: int
    name: str = Field(description="The name its jobs keep: <old name> (deleted #<id>)")
    deleted_name: str = Field(description="The name it had, free for a new account")


class ConnectionTest(BaseModel):
    ok: bool
    message: str
