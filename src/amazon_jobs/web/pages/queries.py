"""The read-only queries behind the pages.

Every list is keyset-paginated on an indexed key (``before``/``after`` a key,
never ``OFFSET``) and nothing counts the jobs table: a page costs the same with
a thousand jobs or a million.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from amazon_jobs.domain.cancel import CancelVerdict, cancel_verdict
from amazon_jobs.domain.jobs import USER_CANCELABLE, JobStatus, JobType
from amazon_jobs.domain.retry import retry_blocker
from amazon_jobs.store.cancel_facts import amazon_calls, cancel_facts_of
from amazon_jobs.store.jobs import JobFilter, has_failed_condition
from amazon_jobs.store.models import (
    Account,
    InventoryRow,
    Job,
    JobDocument,
    JobItem,
    JobLog,
    Listing,
    Order,
    OrderItem,
    Product,
    Shipment,
)

__all__ = [
    "JobRow",
    "Page",
    "RetrySplit",
    "child_jobs",
    "document_kinds",
    "inventory_counts",
    "inventory_page",
    "job_items_page",
    "job_log_tail",
    "job_rows",
    "job_rows_of",
    "jobs_newer_than",
    "jobs_page",
    "keyset",
    "last_job_id",
    "listings_page",
    "order_detail",
    "order_ids",
    "orders_page",
    "package_states",
    "product_titles",
    "retry_split",
    "version",
    "versions",
]

T = TypeVar("T")
if TYPE_CHECKING:
    AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list and the cursors to its neighbours."""

    rows: list[T]
    #: Query parameters of the previous and next pages; None where there is none.
    prev: dict[str, Any] | None = None
    next: dict[str, Any] | None = None


def keyset(
    session: Session,
    query: AnySelect,
    column: InstrumentedAttribute[Any],
    key: Callable[[Any], Any],
    *,
    descending: bool,
    limit: int,
    before: Any = None,
    after: Any = None,
) -> Page[Any]:
    """Rows of *query* ordered by the unique *column*, the page ``before`` or ``after``
    a key (compared on *column*; ``before`` wins when both are given).

    One query of ``limit + 1`` rows: the extra row tells whether the list goes on.
    """
    cursor = before if before is not None else after
    fetch_desc = (before is not None) if cursor is not None else descending
    if before is not None:
        query = query.where(column < before)
    elif after is not None:
        query = query.where(column > after)
    query = query.order_by(column.desc() if fetch_desc else column.asc()).limit(limit + 1)
    rows = list(session.execute(query).all())
    more, rows = len(rows) > limit, rows[:limit]
    forward = fetch_desc == descending
    if not forward:
        rows.reverse()
    has_next = more if forward else True
    has_prev = cursor is not None if forward else more
    if not rows:
        return Page(rows)
    first, last = key(rows[0]), key(rows[-1])
    next_cursor = {"before": last} if descending else {"after": last}
    prev_cursor = {"after": first} if descending else {"before": first}
    return Page(rows, prev_cursor if has_prev else None, next_cursor if has_next else None)


# Jobs


def version(status: str, updated_at: datetime) -> str:
    """What changes whenever a job's row would look different."""
    return f"{status}.{int(updated_at.timestamp() * 1_000_000)}"


@dataclass(frozen=True)
class JobRow:
    """A job as the jobs table shows it."""

    job: Job
    account: str
    #: A line under the actions, after a button was pressed: (level, text).
    note: tuple[str, str] | None = field(default=None)
    #: Amazon operations the job already called (read for jobs cancelable at once).
    calls: Mapping[str, int] | None = field(default=None)

    @property
    def cancel(self) -> CancelVerdict:
        """Whether the job can be canceled, and the words for it (the one rule)."""
        return cancel_verdict(cancel_facts_of(self.job, Counter(self.calls or {})))

    @property
    def type(self) -> JobType:
        return JobType(self.job.type)

    @property
    def status(self) -> JobStatus:
        return JobStatus(self.job.status)

    @property
    def version(self) -> str:
        return version(self.job.status, self.job.updated_at)

    @property
    def with_errors(self) -> bool:
        """Done, but some items carry Amazon's error: not a clean Done."""
        return self.status == JobStatus.DONE and self.job.items_failed > 0

    @property
    def tally(self) -> str:
        """Items ok / failed ("40 ok · 5 failed"), and those accepted with warnings
        ("· 3 warned"), empty for a job without items."""
        ok, failed = self.job.items_ok, self.job.items_failed
        if not self.job.items_total and not ok and not failed:
            return ""
        warned = f" · {self.job.items_warned} warned" if self.job.items_warned else ""
        return f"{ok} ok · {failed} failed{warned}"

    @property
    def verifying(self) -> bool:
        """Done, but some items Amazon accepted do not show on Amazon yet."""
        return self.status == JobStatus.DONE and self.job.items_to_verify > 0

    @property
    def watched(self) -> bool:
        """Whether the row can still change: running, or verifying."""
        return not self.status.is_terminal or self.verifying

    @property
    def reason(self) -> str:
        """The first line of an Error job's reason."""
        if self.status != JobStatus.ERROR or not self.job.error:
            return ""
        return self.job.error.strip().splitlines()[0] if self.job.error.strip() else ""


def job_rows_of(session: Session, pairs: Sequence[Any]) -> list[JobRow]:
    """Table rows of (job, account name) pairs, with the calls the cancel rule needs."""
    jobs = [job for job, _ in pairs]
    early = [job.id for job in jobs if JobStatus(job.status) in USER_CANCELABLE]
    calls = amazon_calls(session, early)
    return [JobRow(job, name, calls=calls.get(job.id)) for job, name in pairs]


def _job_conditions(f: JobFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.account_id is not None:
        conditions.append(Job.account_id == f.account_id)
    if f.type is not None:
        conditions.append(Job.type == f.type.value)
    if f.status is not None:
        conditions.append(Job.status == f.status.value)
    if f.created_from is not None:
        conditions.append(Job.created_at >= f.created_from)
    if f.created_to is not None:
        conditions.append(Job.created_at < f.created_to)
    if f.has_failed is not None:
        conditions.append(has_failed_condition(f.has_failed))
    return conditions


def _jobs_query(f: JobFilter) -> AnySelect:
    return (
        select(Job, Account.name)
        .join(Account, Account.id == Job.account_id)
        .where(*_job_conditions(f))
    )


def jobs_page(
    session: Session,
    f: JobFilter,
    *,
    limit: int,
    before: int | None = None,
    after: int | None = None,
) -> Page[JobRow]:
    """Jobs newest first: older ones ``before`` an id, newer ones ``after`` it."""
    page = keyset(
        session,
        _jobs_query(f),
        Job.id,
        lambda row: row[0].id,
        descending=True,
        limit=limit,
        before=before,
        after=after,
    )
    return Page(job_rows_of(session, page.rows), page.prev, page.next)


def jobs_newer_than(
    session: Session, f: JobFilter, job_id: int, up_to: int, limit: int
) -> list[JobRow]:
    """Jobs matching *f* with an id above *job_id* and up to *up_to*, newest first."""
    query = (
        _jobs_query(f).where(Job.id > job_id, Job.id <= up_to).order_by(Job.id.desc()).limit(limit)
    )
    return job_rows_of(session, list(session.execute(query)))


def last_job_id(session: Session) -> int:
    """The newest job's id (0 when there is none): one step down the primary key."""
    return session.scalar(select(func.max(Job.id))) or 0


def versions(session: Session, job_ids: Sequence[int]) -> dict[int, str]:
    """The current version of each of these jobs (a primary-key lookup)."""
    if not job_ids:
        return {}
    rows = session.execute(select(Job.id, Job.status, Job.updated_at).where(Job.id.in_(job_ids)))
    return {row.id: version(row.status, row.updated_at) for row in rows}


def job_rows(session: Session, job_ids: Sequence[int]) -> list[JobRow]:
    """These jobs, newest first."""
    if not job_ids:
        return []
    query = _jobs_query(JobFilter()).where(Job.id.in_(job_ids)).order_by(Job.id.desc())
    return job_rows_of(session, list(session.execute(query)))


def job_items_page(
    session: Session, job_id: int, *, failed_only: bool, after: int | None, limit: int
) -> Page[JobItem]:
    query = select(JobItem).where(JobItem.job_id == job_id)
    if failed_only:
        query = query.where(JobItem.outcome == "error")
    page = keyset(
        session,
        query,
        JobItem.id,
        lambda row: row[0].id,
        descending=False,
        limit=limit,
        after=after,
    )
    return Page([row[0] for row in page.rows], page.prev, page.next)


def job_log_tail(session: Session, job_id: int, limit: int) -> tuple[list[JobLog], bool]:
    """The last *limit* lines of the job's log, oldest first, and whether some came before."""
    query = select(JobLog).where(JobLog.job_id == job_id).order_by(JobLog.id.desc())
    lines = list(session.scalars(query.limit(limit + 1)))
    return list(reversed(lines[:limit])), len(lines) > limit


def child_jobs(session: Session, job_id: int) -> list[Job]:
    """Jobs created from this one (retries of its failed items).

    ``jobs.parent_id`` has no index: callers ask only for finished jobs with failed
    items, the only ones that can have children. Children are newer than their parent.
    """
    query = select(Job).where(Job.parent_id == job_id, Job.id > job_id).order_by(Job.id)
    return list(session.scalars(query.limit(50)))


def document_kinds(session: Session, job_id: int) -> set[str]:
    """Which documents of the job are kept ("feed", "result"), without loading them."""
    return set(session.scalars(select(JobDocument.kind).where(JobDocument.job_id == job_id)))


# The selling list, the inventory report, orders


def listings_page(
    session: Session,
    account_id: int,
    *,
    search: str,
    state: str | None,
    limit: int,
    before: str | None,
    after: str | None,
) -> Page[Any]:
    """(Listing, Product) of the account by SKU; *search* is a SKU prefix, an EAN or an ASIN."""
    query = (
        select(Listing, Product)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.account_id == account_id)
    )
    if search:
        query = query.where(
            or_(
                Product.sku.startswith(search, autoescape=True),
                Product.ean == search,
                Listing.asin == search.upper(),
            )
        )
    if state:
        query = query.where(Listing.state == state)
    return keyset(
        session,
        query,
        Product.sku,
        lambda row: row[1].sku,
        descending=False,
        limit=limit,
        before=before,
        after=after,
    )


def _inventory_query(account: Account) -> AnySelect:
    return select(InventoryRow).where(
        InventoryRow.account_id == account.id,
        InventoryRow.snapshot_id == (account.inventory_snapshot_id or -1),
    )


def inventory_page(
    session: Session,
    account: Account,
    *,
    unmatched_only: bool,
    search: str,
    limit: int,
    before: str | None,
    after: str | None,
) -> Page[InventoryRow]:
    """The rows of the account's current report by SKU."""
    query = _inventory_query(account)
    if unmatched_only:
        query = query.where(InventoryRow.product_id.is_(None))
    if search:
        query = query.where(
            or_(
                InventoryRow.sku.startswith(search, autoescape=True),
                InventoryRow.asin == search.upper(),
            )
        )
    page = keyset(
        session,
        query,
        InventoryRow.sku,
        lambda row: row[0].sku,
        descending=False,
        limit=limit,
        before=before,
        after=after,
    )
    return Page([row[0] for row in page.rows], page.prev, page.next)


def product_titles(session: Session, product_ids: Sequence[int | None]) -> dict[int, str]:
    """The shop titles of these products, by id."""
    ids = sorted({pid for pid in product_ids if pid is not None})
    if not ids:
        return {}
    rows = session.execute(select(Product.id, Product.title).where(Product.id.in_(ids)))
    return {row.id: row.title for row in rows}


def inventory_counts(session: Session, account: Account) -> tuple[int, int]:
    """Rows of the account's current report, and how many match no shop product."""
    rows = _inventory_query(account).subquery()
    total, unmatched = session.execute(
        select(func.count(), func.count().filter(rows.c.product_id.is_(None))).select_from(rows)
    ).one()
    return int(total), int(unmatched)


#: Order filter on its packages: any package in that state, or no package at all.
PACKAGE_FILTERS = ("due", "confirmed", "error", "none")


def orders_page(
    session: Session,
    account_id: int,
    *,
    status: str | None,
    packages: str | None,
    search: str,
    limit: int,
    before: int | None,
    after: int | None,
) -> Page[Order]:
    """Imported orders, last imported first."""
    query = select(Order).where(Order.account_id == account_id)
    if status:
        query = query.where(Order.status == status)
    if search:
        query = query.where(Order.amazon_order_id.startswith(search, autoescape=True))
    if packages == "none":
        query = query.where(~exists().where(Shipment.order_id == Order.id))
    elif packages in PACKAGE_FILTERS:
        query = query.where(
            exists().where(Shipment.order_id == Order.id, Shipment.state == packages)
        )
    page = keyset(
        session,
        query,
        Order.id,
        lambda row: row[0].id,
        descending=True,
        limit=limit,
        before=before,
        after=after,
    )
    return Page([row[0] for row in page.rows], page.prev, page.next)


def package_states(session: Session, order_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """For each order, how many of its packages are due, confirmed, in error."""
    found: dict[int, dict[str, int]] = {}
    if not order_ids:
        return found
    rows = session.execute(
        select(Shipment.order_id, Shipment.state, func.count())
        .where(Shipment.order_id.in_(order_ids))
        .group_by(Shipment.order_id, Shipment.state)
    )
    for order_id, state, count in rows:
        found.setdefault(order_id, {})[state] = count
    return found


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    account: Account
    items: list[OrderItem]
    packages: list[Shipment]
    #: The last job that sent each package to Amazon (by shipment id), kept once it ended.
    package_jobs: dict[int, int] = field(default_factory=dict)


def order_detail(session: Session, order_id: int) -> OrderDetail | None:
    order = session.get(Order, order_id)
    if order is None:
        return None
    items = session.scalars(
        select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.id)
    )
    packages = session.scalars(
        select(Shipment)
        .where(Shipment.order_id == order_id)
        .order_by(Shipment.package_reference_id)
    )
    account = session.get_one(Account, order.account_id)
    shipments = list(packages)
    return OrderDetail(order, account, list(items), shipments, _package_jobs(session, shipments))


def order_ids(session: Session, account_id: int, refs: Sequence[str]) -> dict[str, int]:
    """Our ids of the account's orders among *refs* (Amazon order ids), by Amazon id."""
    if not refs:
        return {}
    rows = session.execute(
        select(Order.amazon_order_id, Order.id).where(
            Order.account_id == account_id, Order.amazon_order_id.in_(list(set(refs)))
        )
    )
    return {row.amazon_order_id: row.id for row in rows}


def _package_jobs(session: Session, packages: Sequence[Shipment]) -> dict[int, int]:
    if not packages:
        return {}
    rows = session.execute(
        select(JobItem.shipment_id, func.max(JobItem.job_id))
        .where(JobItem.shipment_id.in_([p.id for p in packages]))
        .group_by(JobItem.shipment_id)
    )
    return {shipment_id: job_id for shipment_id, job_id in rows if shipment_id is not None}


@dataclass(frozen=True, slots=True)
class RetrySplit:
    """A finished job's failed items: how many a retry can fix, and why the others not."""

    fixable: int
    #: Reason → how many failed items it keeps out of a retry.
    left_out: dict[str, int]


def retry_split(session: Session, job_id: int) -> RetrySplit:
    """:func:`~amazon_jobs.domain.retry.retry_blocker` over a job's failed items, grouped
    by error (one row per distinct error, not per item)."""
    rows = session.execute(
        select(JobItem.error_code, JobItem.error_message, func.count())
        .where(JobItem.job_id == job_id, JobItem.outcome == "error")
        .group_by(JobItem.error_code, JobItem.error_message)
    ).all()
    fixable, left_out = 0, Counter[str]()
    for code, message, count in rows:
        why = retry_blocker(code, message)
        if why is None:
            fixable += count
        else:
            left_out[why] += count
    return RetrySplit(fixable, dict(left_out.most_common()))
