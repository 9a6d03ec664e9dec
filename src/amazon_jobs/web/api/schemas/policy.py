"""An account's selling policy: quantity and price rules applied when sending.

Every field may be left out (its default: the shop's value unchanged). Rules
that need two fields (floor at most the ceiling, a percentage with the percent
source) are checked by :class:`~amazon_jobs.domain.policy.SellingPolicy`; a
refusal is a 422 whose detail names the field.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from amazon_jobs.domain.policy import SellingPolicy, describe
from amazon_jobs.store.policies import StoredPolicy
from amazon_jobs.web.api.schemas.common import Input

__all__ = ["SellingPolicyBody", "SellingPolicyPublic"]

Units = Annotated[int, Field(ge=0, le=1_000_000)]
Money = Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=2)]


class SellingPolicyBody(Input):
    """The whole policy (PUT replaces it; an empty body clears it)."""

    qty_source: Literal["shop", "percent", "fixed"] = Field(
        "shop", description="shop: the stock available to sell; percent; fixed"
    )
    qty_percent: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None
    qty_fixed: Units | None = None
    qty_reserve: Units = Field(0, description="Units kept back")
    qty_cap: Units | None = Field(None, description="Send at most this many")
    qty_min_stock: Units | None = Field(None, description="Send 0 below this many available")
    price_source: Literal["tax_excl", "tax_incl"] = "tax_excl"
    price_markup_pct: Annotated[Decimal, Field(gt=-100, le=1000, decimal_places=2)] = Decimal(0)
    price_markup_fixed: Annotated[Decimal, Field(ge=-1_000_000, le=1_000_000, decimal_places=2)] = (
        Decimal(0)
    )
    price_rate: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=6)] = Decimal(1)
    price_ending: Annotated[Decimal, Field(ge=0, le=Decimal("0.99"), decimal_places=2)] | None = (
        Field(None, description="End prices on these cents, e.g. 0.99")
    )
    price_floor: Money | None = None
    price_ceiling: Money | None = None

    def values(self) -> dict[str, Any]:
        return self.model_dump()


class SellingPolicyPublic(BaseModel):
    """The account's policy, in words, and the listings it makes due for sync."""

    account_id: int
    #: False: no policy, the shop's values are sent unchanged.
    is_set: bool
    updated_at: datetime | None
    description: str
    listings_due: int = Field(description="Active listings whose Amazon values differ")
    qty_source: str
    qty_percent: Decimal | None
    qty_fixed: int | None
    qty_reserve: int
    qty_cap: int | None
    qty_min_stock: int | None
    price_source: str
    price_markup_pct: Decimal
    price_markup_fixed: Decimal
    price_rate: Decimal
    price_ending: Decimal | None
    price_floor: Decimal | None
    price_ceiling: Decimal | None

    @classmethod
    def of(cls, account_id: int, stored: StoredPolicy, due: int) -> SellingPolicyPublic:
        policy: SellingPolicy = stored.policy
        return cls(
            account_id=account_id,
            is_set=stored.is_set,
            updated_at=stored.updated_at,
            description=describe(policy),
            listings_due=due,
            **policy.as_values(),
        )
