"""Our copies of Amazon's token buckets for an account."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from amazon_jobs.throttle import BucketView

__all__ = ["BucketPublic", "QuotaPublic"]


class BucketPublic(BaseModel):
    operation: str
    tokens: float = Field(description="Tokens in the bucket now")
    burst: int = Field(description="Bucket size")
    rate: float = Field(description="Tokens restored per second")
    next_token_at: datetime = Field(description="When a call could be made")
    granted: int = Field(description="Calls made")
    throttled: int = Field(description="429 answers seen")

    @classmethod
    def of(cls, view: BucketView) -> BucketPublic:
        return cls.model_validate(view, from_attributes=True)


class QuotaPublic(BaseModel):
    account_id: int
    account: str
    buckets: list[BucketPublic] = Field(description="Every bucket the account has used")
