"""Shops and their connector settings. The Webservice key is write-only: sent on create
or update, never answered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from amazon_jobs.shop.settings import ConnectorSettings
from amazon_jobs.store.models import Account, Shop
from amazon_jobs.store.shops import ShopChanges, ShopSpec
from amazon_jobs.web.api.schemas.common import Id, Input, text

__all__ = [
    "KEY_RULE",
    "LinkedAccount",
    "ShopCreate",
    "ShopDeleted",
    "ShopLink",
    "ShopPublic",
    "ShopSettingsPublic",
    "ShopSettingsUpdate",
    "ShopSync",
    "ShopUpdate",
    "ShopsPublic",
]

KEY_RULE = (
    "a PrestaShop Webservice key has 32 letters and digits: copy it from the back office "
    "(Advanced Parameters > Webservice)"
)

Name = Annotated[str, text(100, description="A unique name for the shop")]
Url = Annotated[
    str,
    Field(
        min_length=8,
        max_length=300,
        pattern=r"^https?://[^\s\x00]+$",
        description="The shop's base URL (its Webservice is <url>/api/): https://, or "
        "http:// to 127.0.0.1 or where the server allows custom endpoints",
    ),
]
Key = Annotated[
    SecretStr,
    Field(min_length=1, max_length=200, description="The Webservice key (32 characters)"),
]


def _key_shape(key: SecretStr | None) -> SecretStr | None:
    if key is not None:
        value = key.get_secret_value().strip()
        if len(value) != 32 or not value.isascii() or not value.isalnum():
            raise ValueError(KEY_RULE)
    return key


class ShopCreate(Input):
    name: Name
    kind: Literal["prestashop"] = "prestashop"
    url: Url
    key: Key

    _key = field_validator("key")(_key_shape)

    def spec(self) -> ShopSpec:
        return ShopSpec(name=self.name, url=self.url, key=self.key, kind=self.kind)


class ShopUpdate(Input):
    """Only the fields sent change. A new ``url`` needs ``key`` in the same request (else
    422): the stored key is never sent to a new address."""

    name: Name | None = None
    url: Url | None = None
    key: Key | None = None
    status: Literal["active", "disabled"] | None = Field(
        default=None, description="No connector job is made for a disabled shop"
    )

    _key = field_validator("key")(_key_shape)

    def changes(self) -> ShopChanges:
        return ShopChanges(name=self.name, url=self.url, key=self.key, status=self.status)


class LinkedAccount(BaseModel):
    id: int
    name: str


class ShopPublic(BaseModel):
    """A shop without its key."""

    id: int
    name: str
    kind: str
    url: str
    status: Literal["active", "disabled"]
    accounts: list[LinkedAccount] = Field(
        description="The Amazon accounts whose catalog comes from this shop"
    )
    catalog_synced_until: datetime | None = Field(
        description="Products changed in the shop up to this time are in the catalog"
    )
    catalog_full_at: datetime | None = Field(
        description="The last full catalog pass (the one that notices deleted products)"
    )
    orders_synced_until: datetime | None = Field(
        description="Shop orders changed up to this time were read for shipments"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, shop: Shop, accounts: list[Account]) -> ShopPublic:
        return cls(
            id=shop.id,
            name=shop.name,
            kind=shop.kind,
            url=shop.url,
            status="disabled" if shop.status == "disabled" else "active",
            accounts=[LinkedAccount(id=a.id, name=a.name) for a in accounts],
            catalog_synced_until=shop.catalog_synced_until,
            catalog_full_at=shop.catalog_full_at,
            orders_synced_until=shop.orders_synced_until,
            created_at=shop.created_at,
            updated_at=shop.updated_at,
        )


class ShopsPublic(BaseModel):
    items: list[ShopPublic]


class ShopDeleted(BaseModel):
    """A deleted shop: its accounts use the manual shop again; its products stay."""

    id: int
    name: str
    accounts: list[LinkedAccount] = Field(description="Accounts moved to the manual shop")


class ShopSync(Input):
    full: bool = Field(
        default=False, description="A full pass: every product read, deletions noticed"
    )


class ShopLink(Input):
    shop: Id | None = Field(
        description="The shop the account's catalog comes from; null: the manual shop "
        "(the CSV/API catalog)"
    )


# Connector settings ------------------------------------------------------------------

StateRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[^\x00]*$",
        description="A PS_OS_* configuration key (e.g. PS_OS_SHIPPING) or a state id",
    ),
]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class CarrierCode(Input):
    code: Annotated[str, text(50, description="Amazon's carrier code, e.g. UPS, DHL, Other")]
    name: Annotated[str, text(100, description="The carrier name sent with it")] | None = None


class ShopSettingsUpdate(Input):
    """Only the keys sent change; ``null`` puts a key back to its default (read from the
    shop when a job runs). Refused as a whole, each wrong key named, if one is wrong."""

    payment_module: Annotated[str, text(64)] | None = None
    payment_label: Annotated[str, text(100)] | None = None
    new_order_state: StateRef | None = None
    shipped_states: Annotated[list[StateRef], Field(min_length=1, max_length=50)] | None = None
    canceled_state: StateRef | None = None
    carrier_id: Id | None = None
    shipping_cost: Annotated[Amount, Field(le=1_000_000)] | None = None
    carriers: Annotated[dict[str, CarrierCode], Field(max_length=200)] | None = Field(
        default=None, description="Carrier id_reference -> the Amazon carrier code and name"
    )
    countries: (
        Annotated[dict[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")], Id], Field(max_length=300)]
        | None
    ) = Field(default=None, description="ISO country code -> the shop's id_country")
    currency_id: Id | None = None
    language_id: Id | None = None
    shipments_every_s: Annotated[Amount, Field(le=2_592_000)] | None = Field(
        default=None, description="How often Shipments from Shop runs (0: never on its own)"
    )

    def changes(self) -> dict[str, Any]:
        """The keys sent (None: back to the default), as ``change_settings`` takes them."""
        out: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "carriers" and value is not None:
                value = {ref: c.model_dump(exclude_none=True) for ref, c in value.items()}
            out[name] = value
        return out


class ShopSettingsPublic(BaseModel):
    """The connector settings in force; null: read from the shop when a job runs."""

    payment_module: str
    payment_label: str
    new_order_state: str
    shipped_states: list[str] | None = Field(description="null: every state with shipped=1")
    canceled_state: str
    carrier_id: int | None = Field(description="null: the shop's PS_CARRIER_DEFAULT")
    shipping_cost: float
    carriers: dict[str, dict[str, str]]
    countries: dict[str, int]
    currency_id: int | None = Field(description="null: the shop's PS_CURRENCY_DEFAULT")
    language_id: int | None = Field(description="null: the shop's PS_LANG_DEFAULT")
    shipments_every_s: float
    stored: list[str] = Field(description="The keys set for this shop; the others are defaults")

    @classmethod
    def of(cls, settings: ConnectorSettings, stored: list[str]) -> ShopSettingsPublic:
        return cls(
            payment_module=settings.payment_module,
            payment_label=settings.payment_label,
            new_order_state=settings.new_order_state,
            shipped_states=list(settings.shipped_states)
            if settings.shipped_states is not None
            else None,
            canceled_state=settings.canceled_state,
            carrier_id=settings.carrier_id,
            shipping_cost=settings.shipping_cost,
            carriers={k: dict(v) for k, v in settings.carriers.items()},
            countries=dict(settings.countries),
            currency_id=settings.currency_id,
            language_id=settings.language_id,
            shipments_every_s=settings.shipments_every_s,
            stored=stored,
        )
