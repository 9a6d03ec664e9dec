"""``/api/v1/listings``: an account's selling list."""

from __future__ import annotations

from fastapi import APIRouter

from amazon_jobs import service
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.store.catalog import find_listings
from amazon_jobs.store.verification import verifying_jobs
from amazon_jobs.web.access import OPERATE, READ
from amazon_jobs.web.api.lookups import account_named
from amazon_jobs.web.api.params import AccountQuery, BeforeId, Limit, Search, cursor
from amazon_jobs.web.api.schemas.common import Skipped
from amazon_jobs.web.api.schemas.listings import (
    ListingPublic,
    ListingsAdded,
    ListingsCreate,
    ListingsPublic,
)
from amazon_jobs.web.deps import RuntimeDep

router = APIRouter(prefix="/listings", tags=["listings"])


@router.get("", dependencies=READ)
def read_listings(
    rt: RuntimeDep,
    account: AccountQuery,
    state: ListingState | None = None,
    q: Search = None,
    before_id: BeforeId = None,
    limit: Limit = 50,
) -> ListingsPublic:
    """The account's listings newest first; ``q`` matches a SKU's start, an EAN/UPC or an ASIN."""
    with rt.db.read() as session:
        account_id = account_named(session, account).id
        rows = find_listings(
            session, account_id, state=state, search=q, before_id=before_id, limit=limit + 1
        )
        verifying = verifying_jobs(session, [row[0].id for row in rows[:limit]])
    return ListingsPublic(
        items=[ListingPublic.of(row, verifying.get(row[0].id)) for row in rows[:limit]],
        next_before_id=cursor(rows, limit, lambda row: row[0].id),
    )


@router.post("", dependencies=OPERATE)
def add_listings(rt: RuntimeDep, body: ListingsCreate) -> ListingsAdded:
    """Put products on the account's selling list (not listed): send them with a
    ``send_products`` job."""
    with rt.db.read() as session:
        account = account_named(session, body.account)
    added, skipped = service.add_to_selling_list(
        rt, account.name, tuple(body.skus or ()), all_products=body.all
    )
    return ListingsAdded(added=added, skipped=[Skipped(sku=s, reason=r) for s, r in skipped])
