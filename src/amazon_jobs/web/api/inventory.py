"""``/api/v1/inventory``: the account's last listings report (Amazon Inventory)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from amazon_jobs.store.inventory import snapshot_rows
from amazon_jobs.web.access import READ
from amazon_jobs.web.api.lookups import account_named
from amazon_jobs.web.api.params import AccountQuery, AfterId, Limit, cursor
from amazon_jobs.web.api.schemas.inventory import InventoryPublic, InventoryRowPublic
from amazon_jobs.web.deps import RuntimeDep

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.get("", dependencies=READ)
def read_inventory(
    rt: RuntimeDep,
    account: AccountQuery,
    unmatched: Annotated[bool, Query(description="Only SKUs no shop product has")] = False,
    after_id: AfterId = None,
    limit: Limit = 100,
) -> InventoryPublic:
    """The rows of the account's current snapshot, in report order."""
    with rt.db.read() as session:
        account_row = account_named(session, account)
        rows = snapshot_rows(
            session, account_row, unmatched=unmatched, after_id=after_id, limit=limit + 1
        )
    return InventoryPublic(
        account_id=account_row.id,
        snapshot_id=account_row.inventory_snapshot_id,
        items=[InventoryRowPublic.of(row) for row in rows[:limit]],
        next_after_id=cursor(rows, limit),
    )
