"""What an Inventory Report tells the selling list: Amazon's quantity and price of each
active listing, unless the report is older than our own last accepted change.

Amazon applies an accepted change late (seconds to many minutes after its feed
is DONE), so a report requested before one of our jobs had a change accepted
may still show the old value. A listing whose ``confirmed_at`` (when our last
change of it was accepted) is at or after the moment the report was requested
keeps its confirmed quantity and price: the *stale-report guard*. Every other
active listing the report lists takes the report's price, and its quantity where it is
higher (see :func:`_not_lower`), as its
confirmed values (a value the report leaves empty stays as it was). A listing
held by a running job is left to that job, whose result or rollback decides
its values. The report's own rows (the Amazon Inventory table) always keep
what Amazon said.

Runs in the transaction that activates the report
(:func:`amazon_jobs.store.inventory.activate_snapshot`), after the rows are
linked to products by SKU.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    case,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from amazon_jobs.domain.listings import UPDATABLE_STATES
from amazon_jobs.store.models import InventoryRow, Listing

__all__ = ["ReportValues", "confirm_from_report"]


@dataclass(frozen=True, slots=True)
class ReportValues:
    """What a report did to the account's active listings it lists."""

    #: Listings whose confirmed quantity and price are now the report's.
    taken: int
    #: Listings changed by our jobs at or after the report was requested: kept as they were.
    kept: int
    #: Listings held by a running job: left to it.
    held: int


def confirm_from_report(
    session: Session, account_id: int, snapshot_id: int, requested_at: datetime
) -> ReportValues:
    """Copy the report's quantity and price into the confirmed values of the account's
    active listings it lists, except those changed since *requested_at* or held by a job."""
    row = _first_row(account_id, snapshot_id)
    listed = and_(
        Listing.account_id == account_id,
        Listing.state.in_([state.value for state in UPDATABLE_STATES]),
        row.exists(),
    )
    free = Listing.locked_by_job_id.is_(None)
    older = or_(Listing.confirmed_at.is_(None), Listing.confirmed_at < requested_at)
    kept = _count(session, listed, free, not_(older))
    held = _count(session, listed, not_(free))
    quantity = row.with_only_columns(InventoryRow.quantity).scalar_subquery()
    price = row.with_only_columns(InventoryRow.price).scalar_subquery()
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Listing)
            .where(listed, free, older)
            .values(
                confirmed_quantity=_not_lower(quantity),
                confirmed_price=func.coalesce(price, Listing.confirmed_price),
            ),
            execution_options={"synchronize_session": False},
        ),
    )
    return ReportValues(int(result.rowcount or 0), kept, held)


def _not_lower(reported: Any) -> Any:
    """The report's quantity where it is above the confirmed one (or none is confirmed).

    A lower count is what Amazon orders took since our send, and those orders may not
    be imported yet: taking it would make the next sync send the shop's stock again,
    with nothing held back for them (overselling). A higher count is a change made
    outside amazon-jobs, which the next sync corrects downwards.
    """
    confirmed = Listing.confirmed_quantity
    return case(
        (reported.is_(None), confirmed),
        (or_(confirmed.is_(None), reported > confirmed), reported),
        else_=confirmed,
    )


def _first_row(account_id: int, snapshot_id: int) -> Select[int]:
    """The report's row of the listing's product (its first, should a SKU repeat)."""
    return (
        select(InventoryRow.id)
        .where(
            InventoryRow.account_id == account_id,
            InventoryRow.snapshot_id == snapshot_id,
            InventoryRow.product_id == Listing.product_id,
        )
        .order_by(InventoryRow.id)
        .limit(1)
    )


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Listing).where(*where)) or 0)
