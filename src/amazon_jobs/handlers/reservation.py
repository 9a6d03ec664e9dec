"""Reserving listings for a job: pick, lock, snapshot, all in one transaction.

A listing is held by at most one unfinished job (``locked_by_job_id``). Its
state before the job is saved on the item, so a cancel puts the row back
exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, or_, select, update
from sqlalchemy.orm import Session

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.domain.listings import ListingState
from amazon_jobs.errors import SelectionError
from amazon_jobs.store.jobs import append_log, create_job, insert_items
from amazon_jobs.store.models import Job, Listing, Product

__all__ = [
    "PRIOR_COLUMNS",
    "Reservation",
    "Selection",
    "any_selected",
    "prior_snapshot",
    "reserve",
    "restored_columns",
    "top_up",
]

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])

#: Listing columns saved before a job and restored on cancel.
PRIOR_COLUMNS = (
    "state",
    "asin",
    "confirmed_quantity",
    "confirmed_price",
    "last_error",
    "updated_at",
)
IN_CHUNK = 5000


@dataclass(frozen=True)
class Selection:
    """Which listings of an account a job is for."""

    skus: tuple[str, ...] = ()
    #: Every eligible listing whose shop value differs from the confirmed one.
    changed: bool = False
    #: Every eligible listing.
    all: bool = False
    #: With ``changed``: also listings whose last update failed and whose product
    #: has not changed since (a person asking gets them; automatic sync does not).
    retry_failed: bool = True

    def __post_init__(self) -> None:
        if sum((bool(self.skus), self.changed, self.all)) != 1:
            raise SelectionError("choose exactly one of: SKUs, --changed, --all")


@dataclass
class Reservation:
    jobs: list[Job] = field(default_factory=list)
    #: Requested SKUs that were not reserved, with the reason.
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(job.items_total for job in self.jobs)


def prior_snapshot(listing: Any) -> dict[str, Any]:
    """The listing's restorable columns as JSON-safe values."""
    values = {name: getattr(listing, name) for name in PRIOR_COLUMNS}
    if values["confirmed_price"] is not None:
        values["confirmed_price"] = str(values["confirmed_price"])
    values["updated_at"] = values["updated_at"].isoformat()
    return values


def restored_columns(prior: dict[str, Any]) -> dict[str, Any]:
    """Column values that put a listing back as *prior* recorded it."""
    values = dict(prior)
    if values["confirmed_price"] is not None:
        values["confirmed_price"] = Decimal(values["confirmed_price"])
    values["updated_at"] = datetime.fromisoformat(values["updated_at"])
    return values


def reserve(
    session: Session,
    *,
    account_id: int,
    job_type: JobType,
    selection: Selection,
    eligible: frozenset[ListingState],
    changed: ColumnElement[bool] | None,
    requested: Callable[[Row[Any]], dict[str, Any]],
    max_items: int,
    now: datetime,
    priority: int | None = None,
    parent_id: int | None = None,
    refreshed: ColumnElement[bool] | None = None,
    data: dict[str, Any] | None = None,
) -> Reservation:
    """Create as many jobs as needed (at most *max_items* each) and lock their listings.

    *refreshed*: SQL saying the listing's target moved since its last update (by
    default: its product changed); a listing whose last update failed is picked
    again by automatic sync only then.
    """
    rows = _candidates(session, account_id, selection, eligible, changed, refreshed=refreshed)
    reservation = Reservation()
    for chunk in _chunks(rows, max_items):
        job = create_job(
            session, account_id, job_type, now, priority=priority, parent_id=parent_id, data=data
        )
        _lock(session, job, chunk, requested, now)
        reservation.jobs.append(job)
    if selection.skus:
        taken = {row.sku for row in rows}
        reservation.skipped = explain_skipped(
            session, account_id, [s for s in selection.skus if s not in taken], eligible
        )
    return reservation


def top_up(
    session: Session,
    job: Job,
    *,
    selection: Selection,
    eligible: frozenset[ListingState],
    changed: ColumnElement[bool] | None,
    requested: Callable[[Row[Any]], dict[str, Any]],
    max_items: int,
    now: datetime,
    refreshed: ColumnElement[bool] | None = None,
) -> int:
    """Add selected listings to *job*, not sent yet, up to *max_items* in all.

    The caller holds the job's row lock and has checked it is still reserved or
    created: its feed is built from its items when it starts, so the added
    listings go out in the same feed. Returns how many were added.
    """
    room = max_items - job.items_total
    if room <= 0:
        return 0
    rows = _candidates(
        session, job.account_id, selection, eligible, changed, limit=room, refreshed=refreshed
    )
    if rows:
        _lock(session, job, rows, requested, now, verb="Added")
    return len(rows)


def _candidates(
    session: Session,
    account_id: int,
    selection: Selection,
    eligible: frozenset[ListingState],
    changed: ColumnElement[bool] | None,
    limit: int | None = None,
    refreshed: ColumnElement[bool] | None = None,
) -> list[Row[Any]]:
    """The selected listings no job holds, locked (skipping rows another writer locked)."""
    query = (
        select(Listing, Product.sku, Product.ean, Product.quantity, Product.price)
        .join(Product, Product.id == Listing.product_id)
        .order_by(Listing.id)
        .with_for_update(of=Listing, skip_locked=True)
    )
    query = _selected(query, account_id, selection, eligible, changed, refreshed)
    if limit is not None:
        query = query.limit(limit)
    return _select(session, query, selection.skus)


def any_selected(
    session: Session,
    account_id: int,
    selection: Selection,
    eligible: frozenset[ListingState],
    changed: ColumnElement[bool] | None,
    refreshed: ColumnElement[bool] | None = None,
) -> bool:
    """Whether :func:`reserve` would find a listing now, read without locking anything
    (a selection of SKUs is not looked at: True). A caller that would otherwise open a
    write transaction for nothing asks first."""
    if selection.skus:
        return True
    query = select(Listing.id).join(Product, Product.id == Listing.product_id).limit(1)
    query = _selected(query, account_id, selection, eligible, changed, refreshed)
    return session.scalar(query) is not None


def _selected(
    query: SelectT,
    account_id: int,
    selection: Selection,
    eligible: frozenset[ListingState],
    changed: ColumnElement[bool] | None,
    refreshed: ColumnElement[bool] | None,
) -> SelectT:
    """*query* (over listings joined to products) narrowed to the selection."""
    query = query.where(
        Listing.account_id == account_id,
        Listing.state.in_([s.value for s in eligible]),
        Listing.locked_by_job_id.is_(None),
    )
    if selection.changed and changed is not None:
        query = query.where(changed)
        if not selection.retry_failed:
            if refreshed is None:
                refreshed = Product.updated_at > Listing.updated_at
            query = query.where(or_(Listing.last_error.is_(None), refreshed))
    return query


def _select(session: Session, query: Any, skus: Sequence[str]) -> list[Row[Any]]:
    if not skus:
        return list(session.execute(query))
    rows: list[Row[Any]] = []
    for start in range(0, len(skus), IN_CHUNK):
        part = list(dict.fromkeys(skus[start : start + IN_CHUNK]))
        rows.extend(session.execute(query.where(Product.sku.in_(part))))
    rows.sort(key=lambda row: row.Listing.id)
    return rows


def _chunks(rows: list[Row[Any]], size: int) -> Iterator[list[Row[Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _lock(
    session: Session,
    job: Job,
    rows: list[Row[Any]],
    requested: Callable[[Row[Any]], dict[str, Any]],
    now: datetime,
    verb: str = "Reserved",
) -> None:
    items = [
        {
            "job_id": job.id,
            "listing_id": row.Listing.id,
            "ref": row.sku,
            "prior": prior_snapshot(row.Listing),
            "requested": requested(row),
            "outcome": "pending",
        }
        for row in rows
    ]
    for start in range(0, len(rows), IN_CHUNK):
        ids = [row.Listing.id for row in rows[start : start + IN_CHUNK]]
        session.execute(
            update(Listing)
            .where(Listing.id.in_(ids), Listing.locked_by_job_id.is_(None))
            .values(locked_by_job_id=job.id)
            .execution_options(synchronize_session=False)
        )
    insert_items(session, items)
    job.items_total = (job.items_total or 0) + len(items)
    append_log(session, job.id, now, f"{verb} {len(items)} listing(s)")


def explain_skipped(
    session: Session,
    account_id: int,
    skus: Sequence[str],
    eligible: frozenset[ListingState],
) -> list[tuple[str, str]]:
    """Why each of *skus* could not be reserved."""
    if not skus:
        return []
    found = {
        row.sku: row
        for start in range(0, len(skus), IN_CHUNK)
        for row in session.execute(
            select(Product.sku, Listing.state, Listing.locked_by_job_id)
            .outerjoin(
                Listing,
                (Listing.product_id == Product.id) & (Listing.account_id == account_id),
            )
            .where(Product.sku.in_(skus[start : start + IN_CHUNK]))
        )
    }
    allowed = ", ".join(sorted(s.value for s in eligible))
    reasons = []
    for sku in dict.fromkeys(skus):
        row = found.get(sku)
        if row is None:
            reasons.append((sku, "no product has this SKU"))
        elif row.state is None:
            reasons.append((sku, "not on this account's selling list"))
        elif row.state not in {s.value for s in eligible}:
            reasons.append((sku, f"listing is {row.state} (needs: {allowed})"))
        elif row.locked_by_job_id is not None:
            reasons.append((sku, f"held by job {row.locked_by_job_id}"))
    return reasons
