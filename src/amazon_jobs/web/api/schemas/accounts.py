"""Amazon accounts. Secrets are write-only: sent on create or update, never answered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr

from amazon_jobs.store.accounts import AccountChanges, AccountSpec
from amazon_jobs.store.models import Account
from amazon_jobs.web.api.schemas.common import Input, text

__all__ = [
    "AccountCreate",
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
    """Only the fields sent change; the secrets are replaced when given."""

    name: Name | None = None
    marketplace_id: MarketplaceId | None = None
    endpoint: Url | None = None
    lwa_token_url: Url | None = None
    orders_api: OrdersApi | None = None
    lwa_client_id: Annotated[str, text(200)] | None = None
    lwa_client_secret: Secret | None = None
    refresh_token: Secret | None = None

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

    @classmethod
    def of(cls, account: Account) -> AccountPublic:
        return cls.model_validate(account, from_attributes=True)


class AccountsPublic(BaseModel):
    items: list[AccountPublic]


class ConnectionTest(BaseModel):
    ok: bool
    message: str
