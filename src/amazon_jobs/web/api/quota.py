"""``/api/v1/quota``: an account's token buckets, as our copies of Amazon's see them now."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs.web.access import READ
from amazon_jobs.web.api.lookups import account_named
from amazon_jobs.web.api.params import AccountQuery
from amazon_jobs.web.api.schemas.quota import BucketPublic, QuotaPublic
from amazon_jobs.web.deps import RuntimeDep

router = APIRouter(prefix="/quota", tags=["quota"])


@router.get("", dependencies=READ)
def read_quota(rt: RuntimeDep, account: AccountQuery) -> QuotaPublic:
    """Every bucket the account has used: tokens now, burst, rate, next token, calls, 429s."""
    with rt.db.read() as session:
        found = account_named(session, account)
        views = rt.throttle.views(session, found.id, rt.clock.now())
    return QuotaPublic(
        account_id=found.id, account=found.name, buckets=[BucketPublic.of(v) for v in views]
    )
